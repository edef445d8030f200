"""Answers of the API are untrusted data: decoded under a size cap, then sanitised and redacted once.

`clean` is the one point where an upstream answer enters the server: every string in it (values and keys,
at any depth) loses what cannot be encoded (a lone surrogate, which a JSON `"\\ud800"` escape decodes to)
or would forge log lines (NUL and other control characters), and every key known to the request, in any
form `errors.redact` finds it. Nothing downstream (results, logs, the journal) sees the raw answer.
Task ids, from the API or from a caller, are checked against a conservative character set before they
reach a URL path, and are escaped there all the same.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import httpx2

from mcp_server.errors import InvalidInput, redact, sanitize

MAX_DEPTH = 64  # deeper JSON is refused: nothing the API documents nests beyond a handful of levels
TASK_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
TASK_ID_RULE = "1 to 128 letters, digits, '.', '_', ':' or '-'"


class Unreadable(ValueError):
    """An answer that cannot be read: too large, not decodable, or nested too deeply."""


def clean_text(text: str, *keys: str | None) -> str:
    """`text` with lone surrogates and control characters (but tab, CR, LF) replaced, and keys redacted."""
    return redact(sanitize(text), *keys)


def clean(value: Any, *keys: str | None, _depth: int = 0) -> Any:
    """A copy of a decoded JSON value with every string cleaned (`clean_text`), dict keys included."""
    if isinstance(value, str):
        return clean_text(value, *keys)
    if _depth >= MAX_DEPTH and isinstance(value, (dict, list)):
        raise Unreadable(f"JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        return {clean_text(str(k), *keys): clean(v, *keys, _depth=_depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(item, *keys, _depth=_depth + 1) for item in value]
    return value


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def encodable(value: Any) -> Any:
    """A caller's arguments with every lone surrogate (which no UTF-8 request can carry) replaced by U+FFFD,
    at any depth; everything else exactly as given."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encodable(item) for item in value]
    return value


def decode_json(body: bytes) -> Any:
    """The JSON value of a body; NaN and Infinity (not JSON) become null. Raises Unreadable."""
    try:
        return json.loads(body, parse_constant=lambda _: None)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise Unreadable(f"not JSON ({type(exc).__name__})") from None


async def read_capped(response: httpx2.Response, limit: int) -> bytes:
    """The decoded body of a streamed response, refusing more than `limit` bytes after decompression.

    httpx2 decompresses in bounded pieces, so a gzip bomb or an endless body costs at most `limit` bytes.
    """
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise Unreadable(f"the answer is larger than {limit // 1024} KB (decompressed); refused")
    except httpx2.DecodingError:
        raise Unreadable("the answer's compressed body is corrupt") from None
    return bytes(body)


def is_task_id(value: object) -> bool:
    return isinstance(value, str) and TASK_ID.fullmatch(value) is not None and value.strip(".") != ""


def check_task_id(value: object, param: str = "task_id") -> str:
    """A caller's task id, or InvalidInput naming the parameter (the id is shown escaped and shortened)."""
    if not is_task_id(value):
        shown = clean_text(repr(value)[:60])
        raise InvalidInput(f"{param}: {shown} is not a task id; task ids are {TASK_ID_RULE} (list_tasks shows "
                           "recent ones).")
    return str(value)


def task_path(task_id: str) -> str:
    """The API path of a task, its id checked and percent-escaped."""
    return "/v1/tasks/" + quote(check_task_id(task_id), safe="")
