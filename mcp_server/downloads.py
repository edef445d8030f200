"""Saving output files from URLs the API chose, without letting them be turned against this machine.

Each URL, and each redirect hop, must be http(s) and reach a public address (`fetching.checked_get`). The
bytes go to a temporary file created exclusively under a random name (`O_CREAT|O_EXCL|O_NOFOLLOW`: a planted
file or symlink is never followed or reused), capped in size after decompression. The file is kept only when
its first bytes are media of the allow-list (`mcp_server.media`), and its extension comes from those bytes,
never from the URL or the Content-Type; anything else is refused with a logged reason (the URL is still
returned). Files are only ever written inside the output dir, and a different file already there is never
overwritten. Downloads carry no API key: output URLs live on a CDN.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import BinaryIO

import anyio
import httpx2

from mcp_server.fetching import checked_get
from mcp_server.media import HEAD_BYTES, extension_for, sniff_media
from mcp_server.settings import Settings

log = logging.getLogger(__name__)

_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class Refused(ValueError):
    """A download that was refused (not media, too large, unsafe URL); nothing was saved."""


class Downloads:
    def __init__(self, settings: Settings, http: httpx2.AsyncClient | None) -> None:
        self.settings = settings
        self.http = http

    async def download_all(self, task_id: str, named: list[tuple[str, str]]) -> list[Path]:
        """Download each (url, stem); a refused or failed download is logged and skipped."""
        paths: list[Path] = []
        for index, (url, stem) in enumerate(named, start=1):
            try:
                paths.append(await self.download(url, stem))
            except (httpx2.HTTPError, OSError, ValueError) as exc:
                log.warning("output %d of task %s not saved: %s", index, task_id, exc)
        return paths

    async def download(self, url: str, stem: str) -> Path:
        """Save one URL as `<stem><ext>` in the output dir; returns the path."""
        if self.http is None:
            raise Refused("no HTTP client to download with")
        if Path(stem).name != stem or stem.startswith("."):
            raise Refused(f"unsafe file name {stem!r}")
        directory = self.settings.outputs_dir
        await anyio.Path(directory).mkdir(parents=True, exist_ok=True)
        tmp = directory / f".{stem}.{secrets.token_hex(8)}.part"
        fd = await anyio.to_thread.run_sync(os.open, tmp, _OPEN_FLAGS, 0o666)  # as umask allows
        try:
            with os.fdopen(fd, "wb") as out:
                mime, digest = await self._fetch(url, out)
            return await anyio.to_thread.run_sync(_place, tmp, directory, stem, extension_for(mime), digest)
        finally:
            await anyio.Path(tmp).unlink(missing_ok=True)

    async def _fetch(self, url: str, out: BinaryIO) -> tuple[str, str]:
        """Stream `url` (following checked redirects) into `out`; returns the sniffed media type and sha256."""
        assert self.http is not None
        async with checked_get(self.http, url, allow_private=self.settings.allow_private_urls) as response:
            return await self._save(response, out)

    async def _save(self, response: httpx2.Response, out: BinaryIO) -> tuple[str, str]:
        limit = self.settings.max_download_bytes
        digest = hashlib.sha256()
        head = b""
        mime: str | None = None
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise Refused(f"larger than the {limit}-byte download limit")
            if mime is None:
                head += chunk[:HEAD_BYTES - len(head)]
                if len(head) >= HEAD_BYTES:
                    mime = _media(head)
            digest.update(chunk)
            await anyio.to_thread.run_sync(out.write, chunk)
        return mime or _media(head), digest.hexdigest()


def _media(head: bytes) -> str:
    mime = sniff_media(head)
    if mime is None:
        raise Refused("not an image, audio or video file by its content; not saved")
    return mime


def _place(tmp: Path, directory: Path, stem: str, ext: str, digest: str) -> Path:
    """Move the finished download into place; never overwrite or follow anything already there."""
    for n in range(1, 1000):
        target = directory / (f"{stem}{ext}" if n == 1 else f"{stem}-{n}{ext}")
        try:
            os.link(tmp, target, follow_symlinks=False)  # fails if anything, even a dangling symlink, is there
            return target
        except FileExistsError:
            if _same_file(target, digest):
                return target  # the same file, already saved
        except OSError:  # no hard links on this file system: check, then rename
            if os.path.lexists(target):
                if _same_file(target, digest):
                    return target
                continue
            os.replace(tmp, target)
            return target
    raise OSError(f"too many files named {stem}{ext} in {directory}")


def _same_file(path: Path, digest: str) -> bool:
    """Whether `path` is a regular file (not a symlink) with this sha256."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    sha = hashlib.sha256()
    no_wait = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in: read empty, no wait
    with open(path, "rb", opener=lambda p, flags: os.open(p, flags | no_wait)) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest() == digest
