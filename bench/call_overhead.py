"""Call overhead benchmark: what the server adds to a generation call and a status read.

The simulator runs in its own process on loopback (tasks that stay pending, so a status read is one request).
Side by side, interleaved, in one run: the API requests sent directly with httpx2 (`POST /v1/tasks`, then
`GET /v1/tasks/{id}`), and the same work as MCP tool calls (`create_task` with `wait_seconds: 0`, then `get_task`)
through the server over stdio and over Streamable HTTP (a 2025-era session and 2026-07-28 requests), each server in
its own process. Overhead = a path's latency percentile minus the direct one's. Target: p50 <= 5 ms over direct.

    python bench/call_overhead.py                # writes bench/results/call_overhead.json
    python bench/call_overhead.py --calls 200
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import StdioServerParameters
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import percentile, table, write  # noqa: E402

KEY = "bench-key-0123456789"
MODEL = "google/nano-banana"
INPUT = {"prompt": "a lighthouse at dusk", "aspect_ratio": "1:1"}
TARGET_MS = 5.0
Step = Callable[[], Awaitable[dict[str, float]]]  # one round of a path: seconds per call
FLOOR = str(Path(__file__).resolve().parent / "floor.py")


@asynccontextmanager
async def simulator() -> AsyncIterator[str]:
    process = await anyio.open_process([sys.executable, "-m", "mcp_server.simulator", "--port", "0",
                                        "--task-seconds", "86400", "--balance", "1000000", "--log-level", "WARNING"])
    try:
        assert process.stdout is not None
        line = b""
        async for chunk in process.stdout:
            line += chunk
            if b"\n" in line:
                break
        yield line.decode().strip().split("=", 1)[1]
    finally:
        process.terminate()
        await process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(url: str, data: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFICALLY_")}
    env.update(UNIFICALLY_API_KEY=KEY, UNIFICALLY_BASE_URL=url, UNIFICALLY_UPLOAD_URL=url + "/upload",
               UNIFICALLY_DATA_DIR=data, UNIFICALLY_LOG_LEVEL="WARNING")
    return env


async def timed(call: Awaitable[Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await call
    return time.perf_counter() - started, result


def direct(http: httpx2.AsyncClient, url: str) -> Step:
    async def step() -> dict[str, float]:
        created, response = await timed(http.post(f"{url}/v1/tasks", json={"model": MODEL, "input": INPUT}))
        task_id = response.json()["data"]["task_id"]
        read, _ = await timed(http.get(f"{url}/v1/tasks/{task_id}"))
        return {"create": created, "get_task": read}
    return step


def through(client: Client) -> Step:
    async def step() -> dict[str, float]:
        created, result = await timed(client.call_tool("create_task", {"model": MODEL, "input": INPUT,
                                                                       "wait_seconds": 0}))
        if result.is_error:
            raise RuntimeError(str(result.content))
        read, status = await timed(client.call_tool("get_task", {"task_id": result.structured_content["task_id"]}))
        if status.is_error:
            raise RuntimeError(str(status.content))
        return {"create": created, "get_task": read}
    return step


def floor(client: Client) -> Step:
    async def step() -> dict[str, float]:
        seconds, _ = await timed(client.call_tool("ping", {}))
        return {"ping": seconds}
    return step


async def http_server(stack: AsyncExitStack, command: list[str], env: dict[str, str]) -> str:
    """Start an HTTP MCP server process on a free loopback port; its endpoint once it accepts connections."""
    port = free_port()
    process = await anyio.open_process([*command, "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    stack.push_async_callback(process.wait)
    stack.callback(process.terminate)
    with anyio.fail_after(30):
        while True:
            try:
                await (await anyio.connect_tcp("127.0.0.1", port)).aclose()
                return f"http://127.0.0.1:{port}/mcp"
            except OSError:
                await anyio.sleep(0.05)


async def mcp_paths(stack: AsyncExitStack, make: Callable[[Client], Step], command: list[str], http_flags: list[str],
                    env: dict[str, str], http: httpx2.AsyncClient, label: str) -> dict[str, Step]:
    """The same server over stdio, a 2025-era HTTP session and 2026-07-28 HTTP requests (`command` + `http_flags`
    + `--port N` serves HTTP)."""
    endpoint = await http_server(stack, command + http_flags, env)

    async def connect(server: Any, mode: str) -> Client:
        return await stack.enter_async_context(Client(server, mode=mode))

    return {
        f"{label}stdio": make(await connect(StdioServerParameters(command=command[0], args=command[1:], env=env),
                                            "legacy")),
        f"{label}http, 2025 session": make(await connect(streamable_http_client(endpoint, http_client=http),
                                                         "legacy")),
        f"{label}http, 2026-07-28": make(await connect(streamable_http_client(endpoint, http_client=http),
                                                       "2026-07-28")),
    }


async def main(calls: int, warmup: int) -> None:
    async with simulator() as url, AsyncExitStack() as stack:
        env = server_env(url, stack.enter_context(tempfile.TemporaryDirectory()))
        api = await stack.enter_async_context(httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}))
        http = await stack.enter_async_context(httpx2.AsyncClient(timeout=httpx2.Timeout(30, read=300)))
        ours = [sys.executable, "-m", "mcp_server", "serve"]
        paths = {"direct httpx2": direct(api, url),
                 **await mcp_paths(stack, through, ours, ["--transport", "http"], env, http, ""),
                 **await mcp_paths(stack, floor, [sys.executable, FLOOR], [], env, http, "floor ")}
        samples: dict[str, dict[str, list[float]]] = {}
        for index in range(warmup + calls):
            for name, step in paths.items():
                for op, seconds in (await step()).items():
                    if index >= warmup:
                        samples.setdefault(name, {}).setdefault(op, []).append(seconds * 1000)
    report(samples, calls)


def report(samples: dict[str, dict[str, list[float]]], calls: int) -> None:
    """Per path and call: latency, overhead over direct, the SDK transport's own round trip (the floor's ping) and
    what is left for our server."""
    base = samples["direct httpx2"]
    rows, summary = [], {}
    for name in ("stdio", "http, 2025 session", "http, 2026-07-28"):
        transport = percentile(samples[f"floor {name}"]["ping"], 50)
        for op, values in samples[name].items():
            p50, p95 = percentile(values, 50), percentile(values, 95)
            over50, over95 = p50 - percentile(base[op], 50), p95 - percentile(base[op], 95)
            summary[f"{name} / {op}"] = {"p50_ms": p50, "p95_ms": p95, "overhead_p50_ms": over50,
                                         "overhead_p95_ms": over95, "sdk_floor_ping_p50_ms": transport,
                                         "direct_p50_ms": percentile(base[op], 50)}
            rows.append([name, op, f"{percentile(base[op], 50):.1f}", f"{p50:.1f}", f"{p95:.1f}", f"+{over50:.1f}",
                         f"+{over95:.1f}", f"{transport:.1f}", f"{over50 - transport:+.1f}"])
    print(f"Call overhead: {calls} calls per path, interleaved; simulator in its own process on loopback (ms)")
    print(table(["path", "call", "direct p50", "p50", "p95", "p50 overhead", "p95 overhead", "SDK floor ping p50",
                 "ours beyond floor"], rows))
    for name in ("stdio", "http, 2025 session", "http, 2026-07-28"):
        worst = max(summary[f"{name} / {op}"]["overhead_p50_ms"] for op in samples[name])
        verdict = "met" if worst <= TARGET_MS else "MISSED"
        print(f"{name}: p50 overhead up to {worst:.1f} ms (target <= {TARGET_MS:g} ms: {verdict})")
    print(f"results: {write('call_overhead', {'calls': calls, 'paths': summary, 'target_ms': TARGET_MS})}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100, help="measured create + get_task pairs per path")
    parser.add_argument("--warmup", type=int, default=10, help="discarded pairs per path first")
    args = parser.parse_args()
    anyio.run(main, args.calls, args.warmup)
