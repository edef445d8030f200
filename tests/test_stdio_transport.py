"""Every line on stdin gets its answer, and the server survives it: the stdio subprocess fed hostile input."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from anyio.abc import Process
from mcp_types import JSONRPCResponse

from mcp_server.simulator import LoopbackSimulator
from mcp_server.transports.exchange import Exchange
from mcp_server.transports.wire import DISCARD_PIECE, MAX_DEPTH, Frame, decode, next_frame
from tests.conftest import make_sim
from tests.test_stdio import server_env

pytestmark = pytest.mark.anyio

PARSE_ERROR, INVALID_REQUEST = -32700, -32600
LIMIT = 64 * 1024


class Wire:
    """Raw lines to and from the server process; every stdout line is kept for the final check."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.pending = b""
        self.seen: list[Any] = []
        self.next_id = 1000

    async def send(self, data: bytes) -> None:
        await self.process.stdin.send(data)

    async def request(self, method: str, params: dict | None = None) -> list[Any]:
        """Send a request; return what came out up to and including its answer."""
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method, **({"params": params} if params else {})}
        await self.send(json.dumps(message).encode() + b"\n")
        return await self.until(lambda out: isinstance(out, dict) and out.get("id") == self.next_id)

    async def until(self, done) -> list[Any]:
        got: list[Any] = []
        with anyio.fail_after(20):
            while True:
                while b"\n" not in self.pending:
                    self.pending += await self.process.stdout.receive()
                line, self.pending = self.pending.split(b"\n", 1)
                got.append(json.loads(line))  # every stdout line is one JSON text...
                self.seen.append(got[-1])
                if done(got[-1]):
                    return got

    async def after(self, data: bytes) -> list[Any]:
        """What `data` is answered with: everything written before the answer to a ping sent after it."""
        await self.send(data)
        out = await self.request("ping")
        assert out[-1]["result"] == {}  # ...and the server survived
        return out[:-1]


def error(out: list[Any], code: int, request_id: Any = None) -> None:
    assert len(out) == 1 and out[0]["error"]["code"] == code and out[0]["id"] == request_id, out
    assert out[0]["jsonrpc"] == "2.0" and out[0]["error"]["message"]


@asynccontextmanager
async def server(dirs, version: str) -> AsyncIterator[Wire]:
    async with LoopbackSimulator(make_sim(task_seconds=0.5)) as loop:
        env = server_env(loop.url, dirs, UNIFICALLY_MAX_MESSAGE_MB=str(LIMIT / 1024 / 1024))
        process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve"], env=env)
        wire = Wire(process)
        try:
            hello = await wire.request("initialize", {"protocolVersion": version, "capabilities": {},
                                                      "clientInfo": {"name": "raw", "version": "0"}})
            assert hello[-1]["result"]["protocolVersion"] == version
            await wire.send(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
            yield wire
        finally:
            await process.stdin.aclose()
            with anyio.fail_after(10):
                await process.wait()
    for out in wire.seen:  # nothing but JSON-RPC messages (or, in a batch, arrays of them) ever reached stdout
        for message in out if isinstance(out, list) else [out]:
            assert message["jsonrpc"] == "2.0" and ("method" in message or "id" in message), out


def nested(depth: int) -> Any:
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


async def test_bad_lines_are_answered_and_the_server_survives(dirs):
    async with server(dirs, "2025-06-18") as wire:
        error(await wire.after(b'{"jsonrpc": "2.0", "id": 1, "method": \n'), PARSE_ERROR)
        error(await wire.after(b'{"jsonrpc": "2.0", "id": 2, "method": "ping"}\xff\xfe\n'), PARSE_ERROR)
        error(await wire.after(b"[" * 100 + b"]" * 100 + b"\n"), PARSE_ERROR)
        deep = {"jsonrpc": "2.0", "id": 3, "method": "ping", "params": {"x": nested(100)}}
        error(await wire.after(json.dumps(deep).encode() + b"\n"), PARSE_ERROR)
        error(await wire.after(b'{"jsonrpc": "2.0", "id": 4, "result": NaN}\n'), PARSE_ERROR)
        long = {"jsonrpc": "2.0", "id": 5, "method": "ping", "params": {"x": "A" * (16 * LIMIT)}}
        error(await wire.after(json.dumps(long).encode() + b"\n"), INVALID_REQUEST)
        assert await wire.after(b"\n") == [] and await wire.after(b"  \r\n") == []
        error(await wire.after(b'{"foo": 1}\n'), INVALID_REQUEST)
        error(await wire.after(b'"ping"\n'), INVALID_REQUEST)
        error(await wire.after(b'{"jsonrpc": "2.0", "id": 7, "method": 5}\n'), INVALID_REQUEST, 7)
        error(await wire.after(b'{"jsonrpc": "1.0", "id": "a", "method": "ping"}\n'), INVALID_REQUEST, "a")
        assert await wire.after(b'{"jsonrpc": "2.0", "id": 8, "result": "not an object"}\n') == []  # no reply
        batch = [{"jsonrpc": "2.0", "id": 20, "method": "ping"}]
        error(await wire.after(json.dumps(batch).encode() + b"\n"), INVALID_REQUEST)  # no batches in 2025-06-18
        fine = {"jsonrpc": "2.0", "id": 9, "method": "tools/list", "params": {"x": nested(40)}}
        await wire.send(json.dumps(fine).encode() + b"\n")  # deep, but within the limit: served
        listed = await wire.until(lambda out: out.get("id") == 9)
        assert "tools" in listed[-1]["result"]
        account = await wire.request("tools/call", {"name": "get_account", "arguments": {}})
        assert not account[-1]["result"]["isError"]
    assert all(not (isinstance(out, dict) and out.get("id") == 20) for out in wire.seen)  # the array ran nothing


async def test_batches_in_2025_03_26(dirs):
    async with server(dirs, "2025-03-26") as wire:
        batch = [{"jsonrpc": "2.0", "id": 10, "method": "ping"},
                 {"jsonrpc": "2.0", "method": "notifications/roots/list_changed"},
                 {"foo": "bar"},
                 {"jsonrpc": "2.0", "id": "b", "method": "tools/call",
                  "params": {"name": "get_account", "arguments": {}}},
                 {"jsonrpc": "2.0", "id": 12, "method": "no/such/method"}]
        await wire.send(json.dumps(batch).encode() + b"\n")
        out = await wire.until(lambda out: isinstance(out, list))  # the array comes once all four answers are in
        assert not any("id" in message for message in out[:-1])  # no answer of the batch went out alone
        answers = out[-1]
        assert len(answers) == 4
        assert [a.get("id") for a in answers] == [10, None, "b", 12]
        assert answers[0]["result"] == {} and answers[1]["error"]["code"] == INVALID_REQUEST
        assert "balance_usd" in answers[2]["result"]["content"][0]["text"]  # 2025-03-26: no structuredContent
        assert answers[3]["error"]["code"] == -32601
        error(await wire.after(b"[]\n"), INVALID_REQUEST)
        assert await wire.after(b'[{"jsonrpc": "2.0", "method": "notifications/roots/list_changed"}]\n') == []
        [only_errors] = await wire.after(b'[1, {"jsonrpc": "2.0", "id": 13}]\n')
        assert [(a["id"], a["error"]["code"]) for a in only_errors] == [(None, INVALID_REQUEST), (13, INVALID_REQUEST)]
        twice = [{"jsonrpc": "2.0", "id": 14, "method": "ping"}, {"jsonrpc": "2.0", "id": 14, "method": "ping"}]
        await wire.send(json.dumps(twice).encode() + b"\n")
        pair = (await wire.until(lambda out: isinstance(out, list)))[-1]
        assert sorted(("result" in a, a["id"]) for a in pair) == [(False, 14), (True, 14)]


def test_an_over_long_line_is_skipped_in_bounded_pieces():
    class Pieces:
        def __init__(self, data: bytes) -> None:
            self.inner, self.sizes = io.BytesIO(data), []

        def readline(self, size: int = -1) -> bytes:
            piece = self.inner.readline(size)
            self.sizes.append(len(piece))
            return piece

    stream = Pieces(b"x" * 1_000_000 + b"\n" + b'{"jsonrpc": "2.0", "id": 1, "method": "ping"}\n' + b"y" * 1001)
    assert next_frame(stream, 1000).code == INVALID_REQUEST  # type: ignore[arg-type]
    assert max(stream.sizes) <= max(1001, DISCARD_PIECE)  # never the whole line at once
    assert next_frame(stream, 1000).value["method"] == "ping"  # type: ignore[arg-type]
    assert next_frame(stream, 1000).code == INVALID_REQUEST  # type: ignore[arg-type]  # the last, unterminated
    assert next_frame(stream, 1000) is None


def test_the_depth_limit_counts_brackets_outside_strings_only():
    assert decode(json.dumps(nested(MAX_DEPTH)).encode()).code is None
    assert decode(json.dumps(nested(MAX_DEPTH + 1)).encode()).code == PARSE_ERROR
    assert decode(json.dumps({"text": "[{" * 1000, "list": [1] * 1000}).encode()).code is None


def test_a_batch_stops_waiting_for_a_request_the_client_cancelled():
    exchange = Exchange()
    exchange.version = "2025-03-26"
    requests = [{"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {"name": "x"}} for n in (1, 2)]
    messages, lines = exchange.incoming(Frame(value=requests))
    assert len(messages) == 2 and lines == []
    assert exchange.outgoing(JSONRPCResponse(jsonrpc="2.0", id=1, result={})) is None  # held for the batch
    cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2}}
    _, lines = exchange.incoming(Frame(value=cancel))
    assert [json.loads(line) for line in lines] == [[{"jsonrpc": "2.0", "id": 1, "result": {}}]]
    late = exchange.outgoing(JSONRPCResponse(jsonrpc="2.0", id=2, result={}))
    assert late is not None and json.loads(late)["id"] == 2  # not swallowed by a finished batch


async def test_lone_surrogate_escapes_are_parse_errors_and_never_kill_the_server(dirs):
    """`"\\ud800"` is valid JSON text for Python's parser but no UTF-8 can carry it back: the SDK's own parser
    (and the HTTP transport) refuse it as invalid JSON, and so do we, wherever it sits; a paired escape (an
    emoji) is fine."""
    async with server(dirs, "2025-06-18") as wire:
        for line in (b'{"jsonrpc": "2.0", "id": "\\ud800", "method": "ping"}\n',
                     b'{"jsonrpc": "2.0", "id": 31, "method": "\\udfff"}\n',
                     b'{"jsonrpc": "2.0", "id": 32, "method": "resources/read", "params": {"uri": "x\\ud800"}}\n',
                     b'{"jsonrpc": "2.0", "id": 33, "method": "ping", "params": {"\\udc80": 1}}\n'):
            error(await wire.after(line), PARSE_ERROR)
        emoji = await wire.after(b'{"jsonrpc": "2.0", "id": "\\ud83d\\ude00", "method": "ping"}\n')
        assert emoji == [{"jsonrpc": "2.0", "id": "\U0001F600", "result": {}}]


def test_a_message_that_cannot_be_written_is_answered_with_an_error_not_a_crash():
    exchange = Exchange()
    line = exchange.outgoing(JSONRPCResponse(jsonrpc="2.0", id=5, result={"text": "a\ud800b"}))
    assert line is not None and json.loads(line)["id"] == 5 and json.loads(line)["error"]["code"] == -32603
    assert exchange.outgoing(JSONRPCResponse(jsonrpc="2.0", id="\udc80", result={})) is None  # dropped, logged
    assert decode(b'["\\ud800"]').code == PARSE_ERROR and decode(b'"\\\\ud800"').code is None
