"""Inputs from anywhere: local files, data URIs and earlier tasks' outputs, turned into hosted URLs.

Local paths must lie inside the allowed directories after resolving symlinks, must exist, and are capped in
size; every check happens before anything is sent. Filesystem work runs in a worker thread.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from mcp_server.errors import FileRejected
from mcp_server.media import HEAD_BYTES, extension_for, sniff_mime

if TYPE_CHECKING:
    from mcp_server.client import UnificallyClient
    from mcp_server.settings import Settings

_DATA_URI = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*)(;base64)?,", re.IGNORECASE)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class Uploads:
    def __init__(self, settings: Settings, client: UnificallyClient) -> None:
        self.settings = settings
        self.client = client

    # ----- checks ----------------------------------------------------------------------------------------
    def check_path(self, raw: str, param: str = "path") -> Path:
        """Resolve `raw` (symlinks included) and check it is an allowed, existing, not too large file."""
        if not self.settings.local_files:
            raise FileRejected(f"{param}: this server is hosted and reads no files from its own disk; give a public "
                               "http(s) URL, a data: URI or task:<id>[#n] instead.")
        roots = self.settings.roots
        try:
            path = Path(raw).expanduser()
            resolved = path.resolve(strict=True)
        except FileNotFoundError:
            raise FileRejected(f"{param}: file {raw!r} does not exist (relative paths start at {Path.cwd()}).") \
                from None
        except (OSError, RuntimeError) as exc:
            raise FileRejected(f"{param}: cannot read {raw!r}: {exc.strerror or exc}.") from None
        if not any(resolved.is_relative_to(root) for root in roots):
            allowed = ", ".join(str(root) for root in roots)
            raise FileRejected(f"{param}: {raw!r} is outside the allowed directories ({allowed}); symlinks are "
                               "resolved first. Move the file there or add its folder to UNIFICALLY_ALLOWED_DIRS.")
        if not resolved.is_file():
            raise FileRejected(f"{param}: {raw!r} is not a regular file.")
        size = resolved.stat().st_size
        if size > self.settings.max_upload_bytes:
            raise FileRejected(f"{param}: {raw!r} is {_mb(size)}; the upload limit is "
                               f"{_mb(self.settings.max_upload_bytes)} (UNIFICALLY_MAX_UPLOAD_MB).")
        if size == 0:
            raise FileRejected(f"{param}: {raw!r} is empty.")
        return resolved

    def check_base64(self, value: str, param: str = "base64") -> bytes:
        """Decode raw base64 or a `data:` URI, refusing bad encodings and oversized payloads."""
        payload = value.strip()
        match = _DATA_URI.match(payload)
        if match:
            if not match.group(3):
                raise FileRejected(f"{param}: only base64 data URIs are supported (data:<type>;base64,...).")
            payload = payload[match.end():]
        if len(payload) * 3 // 4 > self.settings.max_upload_bytes:
            raise FileRejected(f"{param}: the data is about {_mb(len(payload) * 3 // 4)}; the upload limit is "
                               f"{_mb(self.settings.max_upload_bytes)}.")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise FileRejected(f"{param}: not valid base64 (expected raw base64 or data:<type>;base64,...).") \
                from None
        if not data:
            raise FileRejected(f"{param}: the data is empty.")
        return data

    # ----- uploads ---------------------------------------------------------------------------------------
    async def upload_path(self, raw: str, param: str = "path") -> str:
        path = await anyio.to_thread.run_sync(self.check_path, raw, param)
        content = await anyio.Path(path).read_bytes()
        mime = sniff_mime(content[:HEAD_BYTES])
        name = path.name if path.suffix else path.name + extension_for(mime)
        return await self.client.upload(content=content, filename=name, mime=mime)

    async def upload_base64(self, value: str, param: str = "base64") -> str:
        self.check_base64(value, param)
        return await self.client.upload(base64=value.strip())

    async def upload_url(self, url: str, param: str = "url") -> str:
        if not url.startswith(("http://", "https://")):
            raise FileRejected(f"{param}: {url!r} is not an http(s) URL.")
        return await self.client.upload(url=url)
