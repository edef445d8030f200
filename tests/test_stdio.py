"""The server as Claude Desktop runs it: a stdio subprocess, talking to the simulator over loopback HTTP."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import pytest
from mcp import StdioServerParameters
from mcp.client import Client

from mcp_server.simulator import Fault, LoopbackSimulator
from tests.conftest import API_KEY, SCALE, dump, make_sim, text_of

pytestmark = pytest.mark.anyio


def server_env(url: str, dirs: dict[str, Path], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFICALLY_")}
    env.update(UNIFICALLY_API_KEY=API_KEY, UNIFICALLY_BASE_URL=url, UNIFICALLY_UPLOAD_URL=f"{url}/upload",
               UNIFICALLY_DATA_DIR=str(dirs["data"]), UNIFICALLY_OUTPUT_DIR=str(dirs["out"]),
               UNIFICALLY_ALLOWED_DIRS=str(dirs["in"]), UNIFICALLY_WAIT_SECONDS="20", UNIFICALLY_LOG_LEVEL="DEBUG",
               UNIFICALLY_SIMULATOR_TIME_SCALE=str(SCALE), UNIFICALLY_ALLOW_PRIVATE_URLS="1")
    env.update(extra)
    return env


async def test_stdio_subprocess_runs_every_platform_tool(dirs):
    sim = make_sim(task_seconds=1.0)
    async with LoopbackSimulator(sim) as loop:
        params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server", "serve"],
                                       env=server_env(loop.url, dirs))
        async with Client(params) as client:
            client_results = []
            seen: list[float] = []

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                seen.append(progress)

            created = await client.call_tool("create_task", {"model": "google/veo-3.1-fast",
                                                             "input": {"prompt": "x"}},
                                             progress_callback=on_progress)
            client_results.append(created)
            assert created.structured_content["status"] == "completed", text_of(created)
            assert seen and seen == sorted(seen)
            task_id = created.structured_content["task_id"]
            assert Path(created.structured_content["files"][0]).is_file()
            (dirs["in"] / "a.png").write_bytes(sim_png())
            for tool, arguments in [("get_task", {"task_id": task_id}),
                                    ("wait_for_task", {"task_id": task_id}),
                                    ("upload_file", {"path": str(dirs["in"] / "a.png")}),
                                    ("get_resources", {"resource": "veo_voices"}),
                                    ("get_account", {}),
                                    ("list_tasks", {})]:
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, (tool, text_of(result))
                client_results.append(result)
            sim.add_fault(Fault(kind="status", status=401, message="Invalid API key provided", times=1))
            refused = await client.call_tool("get_account", {})
            assert refused.is_error and "UNIFICALLY_API_KEY" in text_of(refused)
            client_results.append(refused)
    assert all(API_KEY not in dump(result) for result in client_results)
    assert len([r for r in sim.requests if r.method == "POST"]) == 1


def sim_png() -> bytes:
    return next((Path(__file__).parent.parent / "mcp_server/simulator/media").glob("*.png")).read_bytes()


async def test_stdout_carries_only_json_rpc_and_the_key_stays_out_of_stderr(dirs):
    sim = make_sim(task_seconds=0.5)
    async with LoopbackSimulator(sim) as loop:
        process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve"],
                                           env=server_env(loop.url, dirs))
        messages = [
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "raw-test", "version": "0"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
                "name": "create_task",
                "arguments": {"model": "google/nano-banana", "input": {"prompt": "x", "aspect_ratio": "1:1"}},
                "_meta": {"progressToken": "p1"}}},
            {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "get_account", "arguments": {}}},
        ]
        for message in messages:
            await process.stdin.send((json.dumps(message) + "\n").encode())
        raw = b""
        with anyio.fail_after(30):
            async for chunk in process.stdout:
                raw += chunk
                complete = raw.split(b"\n")[:-1]  # the last piece may be a line still arriving
                answered = {json.loads(line).get("id") for line in complete if line.strip()}
                if {3, 4} <= answered:
                    break
        await process.stdin.aclose()
        with anyio.fail_after(10):
            await process.wait()
        stderr = b""
        async for chunk in process.stderr:
            stderr += chunk
    lines = [line for line in raw.decode().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every stdout line is one JSON-RPC message
    assert all(message.get("jsonrpc") == "2.0" for message in parsed)
    assert any(m.get("method") == "notifications/progress" for m in parsed)
    assert {m.get("id") for m in parsed} >= {1, 2, 3, 4}
    assert API_KEY not in raw.decode()
    assert API_KEY not in stderr.decode(errors="replace")
