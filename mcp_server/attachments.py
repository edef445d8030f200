"""Content blocks for a task's outputs: a `resource_link` for each, and inline previews where allowed.

Saved files are linked and previewed from disk (`attachments`). Outputs that were not saved (hosted mode saves
nothing by default) are linked all the same, `resources/read` then streaming the file from its URL, and a small
one of an allowed kind is fetched into memory for its preview only (`url_attachments`).

Previews are a setting (`UNIFICALLY_PREVIEWS`, default `image`): inline audio breaks some frameworks (LangChain
raises on audio blocks) and lands in others' context as hundreds of kilobytes of base64 text, so only the kinds
the user chose are inlined, each small enough (per file and per result). Everything else is reached through its
`resource_link`, its saved path and its URL, which the result's text lists too.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path, PurePosixPath
from typing import Any

import anyio
import httpx2
import mcp_types as types

from mcp_server.fetching import try_fetch
from mcp_server.media import HEAD_BYTES, kind_of, sniff_mime
from mcp_server.outputs import file_uri
from mcp_server.savedfiles import load_saved

PREVIEW_MAX_BYTES = 256 * 1024  # per file: inline previews stay far below the ~1 MB stdio clients tolerate
PREVIEW_TOTAL_BYTES = 384 * 1024  # per result, before base64
PREVIEW_FETCH_SECONDS = 5.0  # per result: fetching previews of unsaved outputs never holds a result longer


async def attachments(task_id: str, paths: list[Path], previews: frozenset[str]) -> list[Any]:
    """A resource link per saved file, preceded by an inline preview for small files of an allowed kind."""
    blocks: list[Any] = []
    budget = PREVIEW_TOTAL_BYTES
    for index, path in enumerate(paths, start=1):
        try:
            data, size = await load_saved(path, PREVIEW_MAX_BYTES + 1)
        except OSError:
            continue  # moved, deleted or replaced by a non-file since it was saved: the URL and the journal tell
        small = size <= min(PREVIEW_MAX_BYTES, budget)
        mime = sniff_mime(data[:HEAD_BYTES])
        uri = file_uri(task_id, index)
        if small and len(data) == size and kind_of(mime) in previews:
            budget -= size
            blocks.append(preview(uri, data, mime))
        blocks.append(types.ResourceLink(type="resource_link", uri=uri, name=path.name, mime_type=mime, size=size))
    return blocks


async def url_attachments(http: httpx2.AsyncClient, task_id: str, urls: list[str], previews: frozenset[str], *,
                          seconds: float = PREVIEW_FETCH_SECONDS, allow_private: bool = False) -> list[Any]:
    """A resource link per output URL (served by `resources/read`), preceded by an inline preview for a small
    output of an allowed kind, fetched into memory for the preview only, for at most `seconds` (real time)."""
    names = [url_name(url, index) for index, url in enumerate(urls, start=1)]
    guessed = [mimetypes.guess_type(name)[0] for name in names]
    fetched: dict[int, tuple[bytes, str]] = {}
    budget = PREVIEW_TOTAL_BYTES
    with anyio.move_on_after(seconds):  # previews are optional: the links never wait for them
        for index, url in enumerate(urls):
            if not previews or budget <= 0:
                break
            if guessed[index] is not None and kind_of(guessed[index]) not in previews:
                continue  # e.g. a video when only images are previewed: not even fetched
            got = await try_fetch(http, url, min(PREVIEW_MAX_BYTES, budget), allow_private=allow_private)
            if got is not None and kind_of(got[1]) in previews:
                fetched[index] = got
                budget -= len(got[0])
    blocks: list[Any] = []
    for index, name in enumerate(names):
        uri = file_uri(task_id, index + 1)
        if index in fetched:
            data, mime = fetched[index]
            blocks.append(preview(uri, data, mime))
            blocks.append(types.ResourceLink(type="resource_link", uri=uri, name=name, mime_type=mime, size=len(data)))
        else:
            blocks.append(types.ResourceLink(type="resource_link", uri=uri, name=name, mime_type=guessed[index]))
    return blocks


def preview(uri: str, data: bytes, mime: str) -> Any:
    """The inline block for a small output: image or audio content, else an embedded resource."""
    encoded = base64.b64encode(data).decode()
    kind = kind_of(mime)
    if kind == "image":
        return types.ImageContent(type="image", data=encoded, mime_type=mime)
    if kind == "audio":
        return types.AudioContent(type="audio", data=encoded, mime_type=mime)
    return types.EmbeddedResource(type="resource", resource=types.BlobResourceContents(uri=uri, mime_type=mime,
                                                                                       blob=encoded))


def url_name(url: str, index: int) -> str:
    """A display name for an output URL: the last segment of its path, else `output-<n>`."""
    try:
        name = PurePosixPath(httpx2.URL(url).path).name
    except (httpx2.InvalidURL, ValueError):
        name = ""
    return name or f"output-{index}"
