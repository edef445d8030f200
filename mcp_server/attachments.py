"""Content blocks for a task's saved files: a `resource_link` for each, and inline previews where allowed.

Previews are a setting (`UNIFICALLY_PREVIEWS`, default `image`): inline audio breaks some frameworks (LangChain
raises on audio blocks) and lands in others' context as hundreds of kilobytes of base64 text, so only the kinds
the user chose are inlined, each small enough (per file and per result). Everything else is reached through its
`resource_link`, its saved path and its URL, which the result's text lists too.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types

from mcp_server.media import HEAD_BYTES, kind_of, sniff_mime
from mcp_server.outputs import file_uri

PREVIEW_MAX_BYTES = 256 * 1024  # per file: inline previews stay far below the ~1 MB stdio clients tolerate
PREVIEW_TOTAL_BYTES = 384 * 1024  # per result, before base64


async def attachments(task_id: str, paths: list[Path], previews: frozenset[str]) -> list[Any]:
    """A resource link per saved file, preceded by an inline preview for small files of an allowed kind."""
    blocks: list[Any] = []
    budget = PREVIEW_TOTAL_BYTES
    for index, path in enumerate(paths, start=1):
        try:
            size = (await anyio.Path(path).stat()).st_size
            small = size <= min(PREVIEW_MAX_BYTES, budget)
            async with await anyio.open_file(path, "rb") as handle:
                data = await handle.read(PREVIEW_MAX_BYTES + 1 if small else HEAD_BYTES)
        except OSError:
            continue  # moved or deleted since it was saved: the URL and the journal still tell
        mime = sniff_mime(data[:HEAD_BYTES])
        kind = kind_of(mime)
        uri = file_uri(task_id, index)
        if small and len(data) == size and kind in previews:
            budget -= size
            encoded = base64.b64encode(data).decode()
            if kind == "image":
                blocks.append(types.ImageContent(type="image", data=encoded, mime_type=mime))
            elif kind == "audio":
                blocks.append(types.AudioContent(type="audio", data=encoded, mime_type=mime))
            else:
                blocks.append(types.EmbeddedResource(type="resource", resource=types.BlobResourceContents(
                    uri=uri, mime_type=mime, blob=encoded)))
        blocks.append(types.ResourceLink(type="resource_link", uri=uri, name=path.name, mime_type=mime, size=size))
    return blocks
