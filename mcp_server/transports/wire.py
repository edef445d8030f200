"""Lines off the wire: one newline-terminated JSON text per line, read with a length limit and decoded with care.

Blocking code, meant for a worker thread (the stdio transport reads, decodes and parses each line in one hop, so
a large line never stalls the event loop). What can go wrong is returned, never raised, as the JSON-RPC error
the spec names:

- a line longer than the limit: -32600 Invalid Request; the rest of it is read and dropped in bounded pieces,
  never held in memory whole;
- bytes that are not UTF-8, text that is not JSON (NaN and Infinity included), JSON nested deeper than
  `MAX_DEPTH` (checked before parsing), a lone surrogate escape such as `"\\ud800"` (no UTF-8 answer could carry
  it back; the SDK's own parser refuses it too): -32700 Parse error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

from mcp_types import INVALID_REQUEST, PARSE_ERROR

MAX_DEPTH = 64  # MCP messages nest about a dozen levels (params.arguments.elements[].image_urls[]...)
DISCARD_PIECE = 64 * 1024
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # a JSON string, escapes included
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # the start of an escaped UTF-16 surrogate


@dataclass(frozen=True)
class Frame:
    """One line: its JSON value, or the error code and message to answer it with, or nothing (a blank line)."""

    value: Any = None
    code: int | None = None
    message: str = ""
    blank: bool = False


def next_frame(stream: BinaryIO, limit: int) -> Frame | None:
    """Read and decode the next line of at most `limit` bytes (newline excluded); None at end of input."""
    line = stream.readline(limit + 1)
    if not line:
        return None
    if len(line) > limit and not line.endswith(b"\n"):
        while (piece := stream.readline(DISCARD_PIECE)) and not piece.endswith(b"\n"):
            pass
        return Frame(code=INVALID_REQUEST, message=f"Invalid Request: the message is longer than {limit} bytes "
                                                   "(UNIFICALLY_MAX_MESSAGE_MB); it was skipped")
    return decode(line)


def decode(line: bytes) -> Frame:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Frame(code=PARSE_ERROR, message=f"Parse error: the message is not valid UTF-8 (byte {exc.start})")
    if not text.strip():
        return Frame(blank=True)
    if too_deep(text, MAX_DEPTH):
        return Frame(code=PARSE_ERROR, message=f"Parse error: the message nests deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        return Frame(code=PARSE_ERROR, message=f"Parse error: {exc}")
    if _SURROGATE_ESCAPE.search(text) and not _encodable(value):
        return Frame(code=PARSE_ERROR, message="Parse error: the message escapes a lone UTF-16 surrogate (e.g. "
                                               "\\ud800), which is not a character")
    return Frame(value=value)


def _encodable(value: Any) -> bool:
    """Whether every string of a parsed value (keys included) is encodable: escapes of a surrogate pair make
    one character, a lone one stays a surrogate."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def too_deep(text: str, limit: int) -> bool:
    """Whether the arrays and objects in JSON `text` nest deeper than `limit`, without parsing it.

    Brackets inside strings do not count. The work stays linear and mostly in C: a quick count settles
    ordinary messages; otherwise the bracket skeleton is walked in pieces of `limit` characters, and only a
    piece that could cross the limit is stepped through one bracket at a time.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    skeleton = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = 0
    for start in range(0, len(skeleton), limit):
        piece = skeleton[start:start + limit]
        opens = piece.count("[") + piece.count("{")
        if depth + opens <= limit:
            depth += 2 * opens - len(piece)
            continue
        for char in piece:
            depth += 1 if char in "[{" else -1
            if depth > limit:
                return True
    return False
