"""Results a person can use: each output downloaded into the output dir, linked, and previewed when small.

Files are named `<model-slug>_<task_id>[_<n>].<ext>`; saving them (safely: the extension from the bytes, only
media, only public addresses) is `mcp_server.downloads`' job.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx2

from mcp_server.downloads import Downloads
from mcp_server.settings import Settings

log = logging.getLogger(__name__)

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

