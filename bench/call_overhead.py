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
Step = Callable[[], Awaitable[tuple[float, float]]]  # one create + one status read: (create s, read s)


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
    async def step() -> tuple[float, float]:
        created, response = await timed(http.post(f"{url}/v1/tasks", json={"model": MODEL, "input": INPUT}))
        task_id = response.json()["data"]["task_id"]
        read, _ = await timed(http.get(f"{url}/v1/tasks/{task_id}"))
        return created, read
    return step


def through(client: Client) -> Step:
    async def step() -> tuple[float, float]:
        created, result = await timed(client.call_tool("create_task", {"model": MODEL, "input": INPUT,
                                                                       "wait_seconds": 0}))
        if result.is_error:
            raise RuntimeError(str(result.content))
        read, status = await timed(client.call_tool("get_task", {"task_id": result.structured_content["task_id"]}))
        if status.is_error:
            raise RuntimeError(str(status.content))
        return created, read
    return step


async def http_server(stack: AsyncExitStack, env: dict[str, str]) -> str:
    port = free_port()
    process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve", "--transport", "http",
                                        "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    stack.push_async_callback(process.wait)
    stack.callback(process.terminate)
    async with httpx2.AsyncClient() as http:
        with anyio.fail_after(30):
            while True:
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        return f"http://127.0.0.1:{port}/mcp"
                except httpx2.TransportError:
                    pass
                await anyio.sleep(0.05)


async def main(calls: int, warmup: int) -> None:
    async with simulator() as url, AsyncExitStack() as stack:
        data = stack.enter_context(tempfile.TemporaryDirectory())
        env = server_env(url, data)
        http = await stack.enter_async_context(httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}))
        endpoint = await http_server(stack, env)
        mcp_http = await stack.enter_async_context(httpx2.AsyncClient(timeout=httpx2.Timeout(30, read=300)))
        stdio = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server", "serve"], env=env)
        paths: dict[str, Step] = {
            "direct httpx2": direct(http, url),
            "stdio": through(await stack.enter_async_context(Client(stdio, mode="legacy"))),
            "http, 2025 session": through(await stack.enter_async_context(
                Client(streamable_http_client(endpoint, http_client=mcp_http), mode="legacy"))),
            "http, 2026-07-28": through(await stack.enter_async_context(
                Client(streamable_http_client(endpoint, http_client=mcp_http), mode="2026-07-28"))),
        }
        samples: dict[str, dict[str, list[float]]] = {name: {"create": [], "get_task": []} for name in paths}
        for index in range(warmup + calls):
            for name, step in paths.items():
                created, read = await step()
                if index >= warmup:
                    samples[name]["create"].append(created * 1000)
                    samples[name]["get_task"].append(read * 1000)
    report(samples, calls)


def report(samples: dict[str, dict[str, list[float]]], calls: int) -> None:
    base = samples["direct httpx2"]
    rows, summary = [], {}
    for name, sample in samples.items():
        for op, values in sample.items():
            p50, p95 = percentile(values, 50), percentile(values, 95)
            over50, over95 = p50 - percentile(base[op], 50), p95 - percentile(base[op], 95)
            summary[f"{name} / {op}"] = {"p50_ms": p50, "p95_ms": p95, "overhead_p50_ms": over50,
                                         "overhead_p95_ms": over95, "min_ms": min(values), "max_ms": max(values)}
            extra = "" if name == "direct httpx2" else f"+{over50:.1f}"
            rows.append([name, op, f"{p50:.1f}", f"{p95:.1f}", extra,
                         "" if name == "direct httpx2" else f"+{over95:.1f}"])
    print(f"Call overhead: {calls} calls per path, interleaved; simulator in its own process on loopback (ms)")
    print(table(["path", "call", "p50", "p95", "p50 overhead", "p95 overhead"], rows))
    for name in samples:
        if name != "direct httpx2":
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
