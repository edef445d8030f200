"""Serve MCP over stdin/stdout where every line gets an answer: our replacement for `mcp.server.stdio.stdio_server`.

The SDK's transport reads stdin as text with `errors="replace"` and hands what does not parse to the server as
an exception, which logs it: the client never hears about a malformed line, and a line of any length is
buffered whole. This one yields the same pair of streams (`SessionMessage`s in and out, so `Server.run` is
unchanged) and answers what the server never sees (`wire`, `exchange`): parse errors, invalid requests,
over-long lines, and batches where the protocol has them.

Like the SDK it claims the process's descriptors 0 and 1 (its `_claim_fd`, so the two can never run at once):
while serving, fd 0 reads from the null device and fd 1 points at stderr, so a stray `print` or a child process
cannot corrupt the protocol; only protocol messages reach the real stdout. Blocking reads and writes run in
worker threads (a read is abandoned, never waited for, when the transport closes), so the event loop never
blocks on stdin.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import BinaryIO

import anyio
import anyio.lowlevel
from mcp.server.stdio import _claim_fd, _open_stdin_diversion, _open_stdout_diversion
from mcp.shared._context_streams import ContextReceiveStream, ContextSendStream, create_context_streams
from mcp.shared.message import SessionMessage

from mcp_server.transports.exchange import Exchange
from mcp_server.transports.wire import next_frame

Streams = tuple[ContextReceiveStream[SessionMessage | Exception], ContextSendStream[SessionMessage]]


@asynccontextmanager
async def stdio_transport(limit: int, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None
                          ) -> AsyncIterator[Streams]:
    """(read_stream, write_stream) over stdin/stdout (or the given binary streams); lines longer than `limit`
    bytes are answered with an error and skipped."""
    restore_stdin = restore_stdout = None
    try:
        if stdin is None:
            stdin, restore_stdin = _claim_fd(0, sys.stdin, "rb", _open_stdin_diversion)
        if stdout is None:
            stdout, restore_stdout = _claim_fd(1, sys.stdout, "wb", _open_stdout_diversion)
        async with _serve(stdin, stdout, limit) as streams:
            yield streams
    finally:
        if restore_stdout is not None:
            restore_stdout()
        if restore_stdin is not None:
            restore_stdin()


@asynccontextmanager
async def _serve(stdin: BinaryIO, stdout: BinaryIO, limit: int) -> AsyncIterator[Streams]:
    read_writer, read_stream = create_context_streams[SessionMessage | Exception](0)
    write_stream, write_reader = create_context_streams[SessionMessage](0)
    exchange = Exchange()
    writing = anyio.Lock()

    def write_line(data: bytes) -> None:
        stdout.write(data)
        stdout.flush()

    async def emit(line: str) -> None:
        async with writing:  # one writer at a time: lines never interleave
            await anyio.to_thread.run_sync(write_line, (line + "\n").encode())

    async def reader() -> None:
        try:
            async with read_writer:
                while frame := await anyio.to_thread.run_sync(next_frame, stdin, limit, abandon_on_cancel=True):
                    messages, lines = exchange.incoming(frame)
                    for line in lines:
                        await emit(line)
                    for message in messages:
                        await read_writer.send(SessionMessage(message))
        except anyio.ClosedResourceError:
            await anyio.lowlevel.checkpoint()

    async def writer() -> None:
        try:
            async with write_reader:
                async for session_message in write_reader:
                    if (line := exchange.outgoing(session_message.message)) is not None:
                        await emit(line)
        except anyio.ClosedResourceError:
            await anyio.lowlevel.checkpoint()
        finally:
            written.set()

    written = anyio.Event()
    async with anyio.create_task_group() as group:
        group.start_soon(reader)
        group.start_soon(writer)
        yield read_stream, write_stream
        await write_stream.aclose()  # the server is done (it closes this too): let the last answers out,
        await written.wait()
        group.cancel_scope.cancel()  # then stop waiting for stdin
