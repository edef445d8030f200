"""A raw JSON-RPC session with a stdio server subprocess: exact bytes in, every line out, no SDK in between."""

from __future__ import annotations

import json
import sys
from typing import Any

import anyio
from anyio.abc import Process


class RawSession:
    def __init__(self, process: Process) -> None:
        self.process = process
        self.lines: list[dict[str, Any]] = []  # every message the server wrote, in order
        self._buffer = b""
        self._next_id = 0

    @classmethod
    async def start(cls, env: dict[str, str], *args: str) -> RawSession:
        process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve", *args], env=env)
        return cls(process)

    async def send(self, message: dict[str, Any] | bytes) -> None:
        raw = message if isinstance(message, bytes) else json.dumps(message).encode() + b"\n"
        assert self.process.stdin is not None
        await self.process.stdin.send(raw)

    async def request(self, method: str, params: dict[str, Any] | None = None, timeout: float = 20) -> dict:
        self._next_id += 1
        request_id = self._next_id  # concurrent requests each wait for their own answer
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        await self.send(message)
        return await self.answer(request_id, timeout)

    async def answer(self, request_id: Any, timeout: float = 20) -> dict:
        with anyio.fail_after(timeout):
            while True:
                for line in self.lines:
                    if line.get("id") == request_id and ("result" in line or "error" in line):
                        return line
                await self._read_line()

    async def until(self, predicate: Any, timeout: float = 20) -> dict:
        """The first message (already read or still to come) for which `predicate(message)` is true."""
        with anyio.fail_after(timeout):
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                await self._read_line()

    async def _read_line(self) -> None:
        assert self.process.stdout is not None
        while b"\n" not in self._buffer:
            self._buffer += await self.process.stdout.receive()
        line, self._buffer = self._buffer.split(b"\n", 1)
        self.lines.append(json.loads(line))  # stdout carries nothing but JSON-RPC

    async def initialize(self, version: str) -> dict:
        answer = await self.request("initialize", {"protocolVersion": version, "capabilities": {},
                                                   "clientInfo": {"name": "raw", "version": "0"}})
        await self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return answer

    async def close(self) -> None:
        self.process.kill()
        await self.process.wait()
