"""Results a person can use: each output downloaded into the output dir, linked, and previewed when small.

Files are named `<model-slug>_<task_id>[_<n>].<ext>`, the extension taken from the bytes (magic numbers) or the
content type, never guessed from the model. Writes are atomic (temporary file, then rename), capped in size,
and never overwrite a different file. Downloads carry no API key: output URLs live on a CDN.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

import anyio
import httpx2

from mcp_server.media import HEAD_BYTES, extension_for, sniff_mime
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

    @property
    def directory(self) -> Path:
        return self.settings.outputs_dir

    async def download_all(self, model: str, task_id: str, urls: list[str]) -> list[Path]:
        """Download each output URL; a failed download is logged and skipped (the URL is still returned)."""
        paths: list[Path] = []
        for index, url in enumerate(urls, start=1):
            suffix = f"_{index}" if len(urls) > 1 else ""
            try:
                paths.append(await self.download(url, f"{model_slug(model)}_{safe_name(task_id)}{suffix}"))
            except (httpx2.HTTPError, OSError, ValueError) as exc:
                log.warning("could not download output %d of task %s: %s", index, task_id, exc)
        return paths

    async def download(self, url: str, stem: str) -> Path:
        directory = self.directory
        await anyio.Path(directory).mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{stem}.{os.getpid()}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            async with self.http.stream("GET", url) as response:
                response.raise_for_status()
                head = b""
                async with await anyio.open_file(tmp, "wb") as out:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.settings.max_download_bytes:
                            raise ValueError(f"output larger than {self.settings.max_download_bytes} bytes")
                        if len(head) < HEAD_BYTES:
                            head += chunk[:HEAD_BYTES]
                        digest.update(chunk)
                        await out.write(chunk)
                mime = sniff_mime(head, response.headers.get("content-type"))
            target = await anyio.to_thread.run_sync(_place, tmp, directory, stem, extension_for(mime),
                                                    digest.hexdigest())
        finally:
            await anyio.Path(tmp).unlink(missing_ok=True)
        return target


def _place(tmp: Path, directory: Path, stem: str, ext: str, digest: str) -> Path:
    """Rename the finished download into place; never overwrite a different file."""
    for n in range(1, 1000):
        target = directory / (f"{stem}{ext}" if n == 1 else f"{stem}-{n}{ext}")
        if target.exists():
            if _sha256(target) == digest:
                return target  # the same file, already saved
            continue
        os.replace(tmp, target)
        return target
    raise OSError(f"too many files named {stem}{ext} in {directory}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
