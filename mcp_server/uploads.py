"""Uploads: a local file, a data: URI, raw base64 or a public URL becomes a hosted file URL.

Every upload sends exactly what was checked. A local file is read once by `mcp_server.localfiles` (allowed
dirs, no hidden names, no symlinks, media by content, capped) and its bytes are sent; a data: URI or raw base64
must decode, stay under the cap and be an image, audio or video by content too. `prepare` runs the checks (phase 1
of `inputs.resolve_inputs`, before anything is sent) and `send` uploads what it returned (phase 2).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mcp_server.errors import FileRejected
from mcp_server.localfiles import LocalFile, LocalFiles, ReadOnce, mb
from mcp_server.media import HEAD_BYTES, sniff_media

if TYPE_CHECKING:
    from mcp_server.client import UnificallyClient
    from mcp_server.settings import Settings

_DATA_URI = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*)(;base64)?,", re.IGNORECASE)


@dataclass(frozen=True)
class Inline:
    """Checked base64, sent as text: raw, or a data: URI whose declared type is the one its content shows."""

    text: str
    mime: str


Prepared = LocalFile | Inline


class Uploads:
    def __init__(self, settings: Settings, client: UnificallyClient) -> None:
        self.settings = settings
        self.client = client
        self.files = LocalFiles(settings)  # the allowed directories are resolved here, once

    # ----- checks ----------------------------------------------------------------------------------------
    async def prepare(self, value: str, param: str, files: LocalFiles | ReadOnce | None = None) -> Prepared:
        """Check a data: URI or a local path and return what `send` will upload (`files`: a call's own view,
        when the call has read some of its files already)."""
        if value.startswith("data:"):
            return self.check_base64(value, param)
        return await (files or self.files).load(value, param)

    def check_base64(self, value: str, param: str = "base64") -> Inline:
        """Decode raw base64 or a `data:` URI, refusing bad encodings, oversized payloads and non-media."""
        payload = value.strip()
        match = _DATA_URI.match(payload)
        if match:
            if not match.group(3):
                raise FileRejected(f"{param}: only base64 data URIs are supported (data:<type>;base64,...).")
            payload = payload[match.end():]
        cap = self.settings.max_upload_bytes
        if len(payload) * 3 // 4 > cap:
            raise FileRejected(f"{param}: the data is about {mb(len(payload) * 3 // 4)}; the upload limit is "
                               f"{mb(cap)}.")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise FileRejected(f"{param}: not valid base64 (expected raw base64 or data:<type>;base64,...).") \
                from None
        if not data:
            raise FileRejected(f"{param}: the data is empty.")
        mime = sniff_media(data[:HEAD_BYTES])
        if mime is None:
            declared = f" (it declares {match.group(1)})" if match and match.group(1) else ""
            raise FileRejected(f"{param}: the data is not an image, audio or video by its content{declared}; only "
                               "media is uploaded.")
        if match and (match.group(1) or "").lower() != mime:  # send the type the bytes show, not the claimed one
            return Inline(f"data:{mime}{match.group(2)};base64,{payload}", mime)
        return Inline(value.strip(), mime)

    # ----- uploads ---------------------------------------------------------------------------------------
    async def send(self, item: Prepared) -> str:
        """Upload a checked item; returns the hosted file_url."""
        if isinstance(item, LocalFile):
            return await self.client.upload(content=item.content, filename=item.name, mime=item.mime)
        return await self.client.upload(base64=item.text)

    async def upload_path(self, raw: str, param: str = "path") -> str:
        return await self.send(await self.files.load(raw, param))

    async def upload_base64(self, value: str, param: str = "base64") -> str:
        return await self.send(self.check_base64(value, param))

    async def upload_url(self, url: str, param: str = "url") -> str:
        if not url.startswith(("http://", "https://")):
            raise FileRejected(f"{param}: {url!r} is not an http(s) URL.")
        return await self.client.upload(url=url)
