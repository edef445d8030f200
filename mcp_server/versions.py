"""What a client may receive, by the protocol version it negotiated.

The SDK serialises every handshake version with the newest schema, so a client that negotiated 2024-11-05 or
2025-03-26 would get content types and fields its version does not define (older TypeScript and Python SDKs
throw on an unknown content type, after the task was paid for). This module is the one gate, applied by the
server to each result: `audio` content exists from 2025-03-26; `resource_link` content, structured results,
titles and output schemas from 2025-06-18; icons and `execution` from 2025-11-25 (`execution` only there), for
tools as for prompts and resources. An older client gets the same information as text: resource URIs, saved
paths and URLs.
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
from mcp_types.version import is_version_at_least

AUDIO = "2025-03-26"
LINKS = "2025-06-18"  # resource_link content, structuredContent, outputSchema, titles
ICONS = "2025-11-25"


def _at_least(version: str | None, minimum: str) -> bool:
    return bool(version) and is_version_at_least(version, minimum)  # unknown versions: the conservative answer


def call_result(result: types.CallToolResult, version: str | None) -> types.CallToolResult:
    """`result` as the negotiated version can parse it, with nothing lost for the model."""
    if _at_least(version, LINKS):
        return result
    kept: list[Any] = []
    links: list[str] = []
    for block in result.content:
        if block.type == "resource_link":
            size = f", {block.size} bytes" if block.size is not None else ""
            links.append(f"- {block.uri} ({block.mime_type or 'file'}{size}): {block.name}")
        elif block.type == "audio" and not _at_least(version, AUDIO):
            links.append(f"- an audio preview ({block.mime_type}) was left out: this client's protocol version "
                         "has no audio content; the saved file and URL above have it")
        else:
            kept.append(block)
    if links:
        kept.append(types.TextContent(type="text", text="Resources (read them with resources/read):\n"
                                                         + "\n".join(links)))
    if result.structured_content is not None and not _has_text(kept):
        kept.append(types.TextContent(type="text", text=json.dumps(result.structured_content, ensure_ascii=False)))
    return types.CallToolResult(content=kept, is_error=result.is_error, _meta=result.meta)


def _has_text(blocks: list[Any]) -> bool:
    return any(block.type == "text" and block.text for block in blocks)


def described(listed: list[Any], version: str | None) -> list[Any]:
    """Prompts, resources or resource templates without the display fields the version does not define: `title`
    from 2025-06-18, `icons` from 2025-11-25."""
    drop = ({"title"} if not _at_least(version, LINKS) else set()) | ({"icons"} if not _at_least(version, ICONS)
                                                                       else set())
    fields = [name for name in drop if listed and name in type(listed[0]).model_fields]
    if not fields:
        return listed
    return [item.model_copy(update=dict.fromkeys(fields)) for item in listed]


def tools(listed: list[types.Tool], version: str | None) -> list[types.Tool]:
    """Tool definitions without the fields the negotiated version does not define."""
    drop: set[str] = set()
    if not _at_least(version, ICONS):
        drop |= {"icons", "execution"}
    if not _at_least(version, LINKS):
        drop |= {"title", "output_schema"}
    if not _at_least(version, AUDIO):
        drop.add("annotations")
    if _at_least(version, "2026-07-28"):
        drop.add("execution")
    if not drop:
        return listed
    return [tool.model_copy(update=dict.fromkeys(drop)) for tool in listed]
