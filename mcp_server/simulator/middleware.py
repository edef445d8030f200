"""The outermost ASGI layer: records API/upload requests, applies injected faults, then enforces auth.

Connection drops work on both ways of serving the app:
* Under uvicorn (loopback), the connection's transport is reachable as ``send.__self__.transport``; it is
  aborted before any byte of the answer is written, so an HTTP client sees the server disconnect without a
  response (httpx2: ``RemoteProtocolError("Server disconnected without sending a response.")``).
* Anywhere else (in-process ``httpx2.ASGITransport``) ``SimulatedDrop`` is raised; ``SimulatorTransport``
  turns it into ``httpx2.ConnectError`` (drop_before) or ``httpx2.RemoteProtocolError`` (drop_after).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import hostile
from .config import RecordedRequest
from .envelope import error_for_path
from .faults import Fault
from .state import SimState

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

logger = logging.getLogger(__name__)

UNRECORDED_PREFIXES = ("/files/", "/_sim")
TRUNCATED_JSON = b'{"success": true, "code": 200, "data": {"task_id": "'
NOT_ENVELOPE = {"status": "ok", "result": {"message": "This body is not the Unifically envelope"}}


class SimulatedDrop(Exception):
    """Raised in place of a dropped connection when no real socket is there to abort."""

    def __init__(self, after: bool) -> None:
        super().__init__("simulated connection drop " + ("after processing" if after else "before processing"))
        self.after = after


class FaultMiddleware:
    """Wraps the Starlette app; see the module docstring."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(UNRECORDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        replay = _replaying(body, receive)
        record = await _record(scope, body)
        self.state.requests.append(record)
        model = record.json.get("model") if isinstance(record.json, dict) else None
        fault = self.state.faults.take_request_fault(scope["method"], path, model if isinstance(model, str) else None)
        if fault is None:
            await self._serve(scope, replay, send)
            return
        logger.info("fault %s applied to %s %s", fault.kind, scope["method"], path)
        await self._apply(fault, scope, replay, send)

    async def _apply(self, fault: Fault, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if fault.kind in ("rate_limit", "server_error", "status"):
            await error_for_path(path, fault.effective_status, fault.effective_message)(scope, receive, send)
        elif fault.kind == "bad_json":
            await Response(TRUNCATED_JSON, media_type="application/json")(scope, receive, send)
        elif fault.kind == "not_envelope":
            await JSONResponse(NOT_ENVELOPE)(scope, receive, send)
        elif fault.kind in ("raw", "gzip_bomb", "endless"):
            if fault.processed:
                await self._serve(scope, receive, _discard)
            await hostile.answer(fault, send)
        elif fault.kind == "drop_before":
            await _drop(send, after=False)
        elif fault.kind == "drop_after":
            await self._serve(scope, receive, _discard)
            await _drop(send, after=True)
        elif fault.kind == "slow":
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self._serve(scope, receive, hold)
            await anyio.sleep(fault.delay)
            for message in held:
                await send(message)
        else:  # fail_task faults never reach here (they are looked up at task creation)
            await self._serve(scope, receive, send)

    async def _serve(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        """Refuse a missing or wrong bearer token with 401, else run the app."""
        if not self._authorized(scope):
            await error_for_path(scope["path"], 401, "Invalid API key provided")(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope: MutableMapping[str, Any]) -> bool:
        header = _headers(scope).get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        expected = self.state.config.api_key
        return expected is None or token == expected


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that yields the already-read body once, then defers to the real one (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _discard(message: Message) -> None:
    """A send that throws the answer away (drop_after)."""


def _headers(scope: MutableMapping[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_key, raw_value in scope.get("headers", []):
        key, value = raw_key.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


async def _record(scope: MutableMapping[str, Any], body: bytes) -> RecordedRequest:
    headers = _headers(scope)
    parsed: Any = None
    form: dict[str, Any] = {}
    if headers.get("content-type", "").startswith("multipart/form-data"):
        form = await _form_summary(scope, body)
    elif body:
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            parsed = None
    return RecordedRequest(
        method=scope["method"],
        path=scope["path"],
        query=dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)),
        headers=headers,
        json=parsed,
        form=form,
        time=time.time(),
    )


async def _form_summary(scope: MutableMapping[str, Any], body: bytes) -> dict[str, Any]:
    """Field name -> ``{"filename", "size"}`` for files or ``{"value"}`` for plain fields."""
    request = Request(scope, _replaying(body, _never))
    summary: dict[str, Any] = {}
    try:
        async with request.form(max_part_size=len(body) + 1) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    summary[name] = {"filename": value.filename, "size": value.size}
                else:
                    summary[name] = {"value": value}
    except (HTTPException, MultiPartException) as exc:  # malformed multipart: the route answers 400
        summary["_error"] = {"value": getattr(exc, "detail", None) or getattr(exc, "message", str(exc))}
    return summary


async def _never() -> Message:
    return {"type": "http.disconnect"}


async def _drop(send: Send, after: bool) -> None:
    """Abort the real connection if there is one (uvicorn), else raise ``SimulatedDrop``."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise SimulatedDrop(after)
    transport.abort()
    for _ in range(100):  # let the server notice the lost connection so it does not try to answer
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
