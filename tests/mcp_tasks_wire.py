"""Raw JSON-RPC with a server in this process: exact dicts in, every message out, no SDK client in between.

The MCP task tests drive both generations with it (the stdio tests do the same through a subprocess).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server.lowlevel import Server
from mcp.shared.message import SessionMessage
from mcp_types import jsonrpc_message_adapter

from tests.raw_session import RawSession

MODERN = "2026-07-28"
EXTENSION = "io.modelcontextprotocol/tasks"


def envelope(extension: bool = True) -> dict[str, Any]:
    """The 2026-07-28 per-request `_meta`, with or without the tasks extension."""
    capabilities: dict[str, Any] = {"extensions": {EXTENSION: {}}} if extension else {}
    return {"io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": capabilities,
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}}


class Wire(RawSession):
    """A `RawSession` whose server runs in this process, on memory streams instead of a pipe."""

    def __init__(self, send: Callable[[SessionMessage], Any]) -> None:
        self._send = send
        self.lines: list[dict[str, Any]] = []
        self._arrived = anyio.Event()
        self._next_id = 0

    @classmethod
    @asynccontextmanager
    async def open(cls, server: Server[Any]) -> AsyncIterator[Wire]:
        to_server, server_in = anyio.create_memory_object_stream[SessionMessage | Exception](100)
        server_out, from_server = anyio.create_memory_object_stream[SessionMessage](100)
        wire = cls(to_server.send)
        async with anyio.create_task_group() as group:
            group.start_soon(server.run, server_in, server_out, server.create_initialization_options())
            group.start_soon(wire._collect, from_server)
            try:
                yield wire
            finally:
                await to_server.aclose()
                group.cancel_scope.cancel()

    async def _collect(self, stream: Any) -> None:
        async for message in stream:
            self.lines.append(message.message.model_dump(by_alias=True, mode="json", exclude_none=True))
            self._arrived.set()
            self._arrived = anyio.Event()

    async def _read_line(self) -> None:
        await self._arrived.wait()

    async def send(self, message: dict[str, Any] | bytes) -> None:
        assert isinstance(message, dict)
        await self._send(SessionMessage(jsonrpc_message_adapter.validate_python(message)))

    async def result(self, method: str, params: dict[str, Any] | None = None, timeout: float = 20) -> dict:
        answer = await self.request(method, params, timeout)
        assert "result" in answer, answer
        return answer["result"]

    def notifications(self, method: str) -> list[dict[str, Any]]:
        return [line["params"] for line in self.lines if line.get("method") == method]

    async def until(self, method: str, params: dict[str, Any], done: Callable[[dict], bool],
                    timeout: float = 20, gap: float = 0.05) -> dict:
        """Poll `method` until `done(result)`; the last result."""
        with anyio.fail_after(timeout):
            while True:
                result = await self.result(method, params)
                if done(result):
                    return result
                await anyio.sleep(gap)
