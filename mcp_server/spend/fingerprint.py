"""What makes two requests the same: model, input, callback, owner and account (the API key, as a digest), with
files compared by their content.

The fingerprint is taken before anything is uploaded: a local file or a `data:` URI counts by the SHA-256 of its
bytes (read under the same rules and size cap as an upload), so the same picture given again, by the same or
another path or re-encoded as a data URI, is the same request, while an edited file is a new one. A
`task:<id>[#n]` reference counts as written (it names an output that does not change).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp_server.localfiles import LocalFiles, ReadOnce

VERSION = 2  # 2: the account is part of it


async def content_of(value: str, param: str, files: LocalFiles | ReadOnce, cap: int) -> bytes | None:
    """The bytes behind a file reference, None for a task reference or undecodable data (counted as text; the
    upload refuses it before anything is created)."""
    if value.startswith("task:"):
        return None
    if value.startswith("data:"):
        head, _, payload = value.partition(",")
        if ";base64" not in head.lower() or len(payload) * 3 // 4 > cap:
            return None
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            return None
    return (await files.load(value, param)).content


async def fingerprint(model: str, api_input: dict[str, Any], *, owner: str, callback_url: str | None,
                      references: Iterable[tuple[str, str]], files: LocalFiles | ReadOnce, cap: int,
                      account: str = "") -> str:
    """A hex digest naming this request; `references` are the (value, param) file references in `api_input`."""
    digests: dict[str, str] = {}
    for value, param in references:
        if value not in digests:
            content = await content_of(value, param, files, cap)
            if content is not None:
                digests[value] = "sha256:" + hashlib.sha256(content).hexdigest()
    canonical = {"v": VERSION, "owner": owner, "account": account, "model": model,
                 "callback_url": callback_url or None, "input": _substitute(api_input, digests)}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _substitute(node: Any, digests: dict[str, str]) -> Any:
    """`node` with every string that is a file reference replaced by its content digest."""
    if isinstance(node, str):
        return digests.get(node, node)
    if isinstance(node, dict):
        return {key: _substitute(value, digests) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(item, digests) for item in node]
    return node
