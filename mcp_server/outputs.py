"""Results a person can use: each output downloaded into the output dir, linked, and previewed when small.

Files are named `<model-slug>_<task_id>[_<n>].<ext>`; saving them (safely: the extension from the bytes, only
media, only public addresses) is `mcp_server.downloads`' job.
"""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp_types as types

from mcp_server.downloads import Downloads
from mcp_server.media import HEAD_BYTES, sniff_mime
from mcp_server.settings import Settings

log = logging.getLogger(__name__)

PREVIEW_MAX_BYTES = 256 * 1024  # per file: inline previews stay far below the ~1 MB stdio clients tolerate
PREVIEW_TOTAL_BYTES = 384 * 1024  # per result, before base64


def model_slug(model: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", model).strip("-").lower() or "task"


def safe_name(text: str) -> str:
    """A file-name-safe version of an id from the API (no separators, no leading dots)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-.") or "task"


def file_uri(task_id: str, index: int) -> str:
    return f"unifically://tasks/{task_id}/files/{index}"


class Outputs:
    def __init__(self, settings: Settings, http: httpx2.AsyncClient) -> None:
        self.settings = settings
        self.http = http
        self.downloads = Downloads(settings, http)

    @property
    def directory(self) -> Path:
        return self.settings.outputs_dir

    async def download_all(self, model: str, task_id: str, urls: list[str]) -> list[Path]:
        """Download each output URL; a refused or failed download is logged and skipped (the URL is still
        returned)."""
        stems = [f"{model_slug(model)}_{safe_name(task_id)}" + (f"_{n}" if len(urls) > 1 else "")
                 for n in range(1, len(urls) + 1)]
        return await self.downloads.download_all(task_id, list(zip(urls, stems, strict=True)))

    async def download(self, url: str, stem: str) -> Path:
        return await self.downloads.download(url, stem)

    async def attachments(self, task_id: str, paths: list[Path]) -> list[Any]:
        """Content blocks for saved files: a resource link for each (with its mime type) and an inline
        ImageContent / AudioContent preview for small ones, within a total budget per result."""
        blocks: list[Any] = []
        budget = PREVIEW_TOTAL_BYTES
        for index, path in enumerate(paths, start=1):
            size = (await anyio.Path(path).stat()).st_size
            small = size <= min(PREVIEW_MAX_BYTES, budget)
            async with await anyio.open_file(path, "rb") as handle:
                data = await handle.read() if small else await handle.read(HEAD_BYTES)
            mime = sniff_mime(data[:HEAD_BYTES])
            kind = mime.split("/")[0]
            if small and kind in ("image", "audio"):
                budget -= size
                encoded = base64.b64encode(data).decode()
                blocks.append(types.ImageContent(type="image", data=encoded, mime_type=mime) if kind == "image"
                              else types.AudioContent(type="audio", data=encoded, mime_type=mime))
            blocks.append(types.ResourceLink(type="resource_link", uri=file_uri(task_id, index), name=path.name,
                                             mime_type=mime, size=size))
        return blocks

