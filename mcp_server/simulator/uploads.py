"""``PUT /upload``: the upload host (files.storagecdn.online in production) in its three documented forms.

Multipart field ``file``; JSON ``{"base64": raw or data URL}``; JSON ``{"file_url": ...}``. There is no
internet: a ``file_url`` pointing at this simulator's own ``/files/<name>`` is copied, any other URL is
"fetched" as the sample PNG. Stored bytes are served back byte-identical at the returned ``file_url`` with a
content type sniffed from their magic bytes. Answers use the upload host's flat format, not the envelope.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from .api import base_url, lookup_file
from .envelope import UPLOAD_PATH, upload_error, upload_ok
from .media import content_type_for, sample_bytes, sniff_extension
from .state import SimState


class UploadError(Exception):
    """A refused upload: ``status`` and a message for the flat error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class UploadRoutes:
    """The upload handler bound to one ``SimState``."""

    def __init__(self, state: SimState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """The single upload route (auth is enforced by the middleware)."""
        return [Route(UPLOAD_PATH, self.upload, methods=["PUT"])]

    async def upload(self, request: Request) -> JSONResponse:
        """Store the file and answer ``{"success": true, "file_url": ...}`` or a flat error."""
        try:
            if request.headers.get("content-type", "").startswith("multipart/form-data"):
                content = await self._from_form(request)
            else:
                content = self._from_json(await request.body())
        except UploadError as exc:
            return upload_error(exc.status, exc.message)
        limit = self.state.config.max_upload_bytes
        if len(content) > limit:
            return upload_error(413, f"File too large: {len(content)} bytes (maximum {limit} bytes)")
        ext = sniff_extension(content)
        stored = self.state.store_upload(content, content_type_for(ext), ext)
        return upload_ok(f"{base_url(request)}/files/{stored.name}")

    async def _from_form(self, request: Request) -> bytes:
        try:
            form = await request.form(max_part_size=self.state.config.max_upload_bytes + 1)
        except HTTPException as exc:
            raise UploadError(400, f"Invalid multipart body: {exc.detail}") from exc
        try:
            part = form.get("file")
            if not isinstance(part, UploadFile):
                raise UploadError(400, "Missing required field: file")
            content = await part.read()
        finally:
            await form.close()
        if not content:
            raise UploadError(400, "Uploaded file is empty")
        return content

    def _from_json(self, raw: bytes) -> bytes:
        try:
            body: Any = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise UploadError(400, "Expected multipart field 'file' or a JSON body") from exc
        if not isinstance(body, dict):
            raise UploadError(400, "JSON body must be an object")
        if body.get("base64") is not None:
            return _decode_base64(body["base64"])
        if body.get("file_url") is not None:
            return self._fetch(body["file_url"])
        raise UploadError(400, "Missing required field: file, base64 or file_url")

    def _fetch(self, url: Any) -> bytes:
        if not isinstance(url, str):
            raise UploadError(400, "file_url must be a string")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UploadError(400, f"Invalid file_url: {url}")
        if parts.path.startswith("/files/"):
            found = lookup_file(self.state, parts.path.removeprefix("/files/"))
            if found is not None:
                return found[0]
        return sample_bytes("png")


def _decode_base64(value: Any) -> bytes:
    """Decode raw base64 or a ``data:<mime>;base64,`` URL; refuse anything else."""
    if not isinstance(value, str):
        raise UploadError(400, "base64 must be a string")
    text = value.strip()
    if text.startswith("data:"):
        header, sep, text = text.partition(",")
        if not sep or not header.endswith(";base64"):
            raise UploadError(400, "Invalid data URL: expected data:<mime>;base64,<data>")
    try:
        content = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UploadError(400, "Invalid base64 data") from exc
    if not content:
        raise UploadError(400, "Uploaded file is empty")
    return content
