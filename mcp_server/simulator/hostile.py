"""Answers of a hostile or broken upstream, for the ``raw``, ``gzip_bomb`` and ``endless`` faults.

Bodies are generated lazily, chunk by chunk: over loopback a client that stops reading costs the simulator
only what it read (an aborted connection ends the stream); in-process the transport buffers what is sent,
so keep ``size`` modest there.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import anyio

from .faults import Fault

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
CHUNK = 64 * 1024
PREFIX = b'{"success": true, "code": 200, "data": {"filler": "'


async def answer(fault: Fault, send: Send) -> None:
    """Send the whole answer of a hostile fault."""
    if fault.kind == "raw":
        body = (fault.body or "").encode("utf-8", "surrogatepass")
        headers = {"content-type": "application/json", **(fault.headers or {})}
        await _start(send, fault.effective_status, headers, len(body))
        await send({"type": "http.response.body", "body": body, "more_body": False})
        return
    headers = {"content-type": "application/json"}
    if fault.kind == "gzip_bomb":
        headers["content-encoding"] = "gzip"
    await _start(send, 200, headers, None)
    prefix = fault.body.encode("utf-8", "surrogatepass") if fault.body is not None else PREFIX
    chunks = _filler(prefix, fault.size)
    if fault.kind == "gzip_bomb":
        chunks = _gzip(chunks)
    async for chunk in chunks:
        if _gone(send):
            return
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await anyio.sleep(0)
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _start(send: Send, status: int, headers: dict[str, str], length: int | None) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    if length is not None:
        raw.append((b"content-length", str(length).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})


async def _filler(prefix: bytes, size: int) -> AsyncIterator[bytes]:
    """``prefix`` (by default the start of a JSON string), then ``a`` characters up to ``size`` bytes."""
    yield prefix
    sent = len(prefix)
    block = b"a" * CHUNK
    while sent < size:
        piece = block[:size - sent]
        sent += len(piece)
        yield piece


async def _gzip(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    async for chunk in chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


def _gone(send: Send) -> bool:
    """True once uvicorn noticed that the client closed the connection."""
    cycle = getattr(send, "__self__", None)
    return bool(getattr(cycle, "disconnected", False))
