"""Response bodies in the API's two formats: the ``{success, code, data}`` envelope of api.unifically.com
and the flat ``{success, file_url | message}`` format of the upload host."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.responses import JSONResponse

UPLOAD_PATH = "/upload"


def request_id() -> str:
    """A fresh id for an error response."""
    return uuid.uuid4().hex[:12]


def ok(data: Any) -> JSONResponse:
    """200 success envelope."""
    return JSONResponse({"success": True, "code": 200, "data": data})


def error(code: int, message: str, **extra: Any) -> JSONResponse:
    """Error envelope: ``{"success": false, "code": code, "data": {"message", "request_id", **extra}}``."""
    data = {"message": message, "request_id": request_id(), **extra}
    return JSONResponse({"success": False, "code": code, "data": data}, status_code=code)


def upload_ok(file_url: str) -> JSONResponse:
    """200 success of the upload host."""
    return JSONResponse({"success": True, "file_url": file_url})


def upload_error(status: int, message: str) -> JSONResponse:
    """Error of the upload host (documented as 400; also used with 401 and 413)."""
    return JSONResponse({"success": False, "message": message}, status_code=status)


def error_for_path(path: str, status: int, message: str) -> JSONResponse:
    """The error format the host serving ``path`` uses."""
    if path.startswith(UPLOAD_PATH):
        return upload_error(status, message)
    return error(status, message)
