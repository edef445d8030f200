"""The task journal: records before sending, survives a killed server, and is shared safely between servers.
Every test that is not about one backend's files runs on both backends (the `backend` fixture)."""

from __future__ import annotations

import json
import sys

import anyio
import pytest
from mcp import StdioServerParameters
from mcp.client import Client

from mcp_server.journal import Journal
from mcp_server.server import build_server
from mcp_server.settings import Settings
from mcp_server.simulator import LoopbackSimulator
from tests.conftest import SCALE, make_sim
from tests.test_stdio import server_env

pytestmark = pytest.mark.anyio


async def test_lifecycle_of_a_record(backend):
    journal = await backend.opened()
    row = await journal.intent("m/x", {"prompt": "p"})
    assert (await journal.list())[0]["status"] == "sending"
    await journal.created(row, "t1", "pending")
    await journal.update("t1", status="completed", output={"image_url": "https://x/y.png"}, files=["/a.png"])
    [record] = await journal.list(status="completed")
    assert record["task_id"] == "t1" and record["input"] == {"prompt": "p"} and record["files"] == ["/a.png"]
    ghost = await journal.intent("m/x", {})
    await journal.discard(ghost)  # the API refused: nothing to remember
    lost = await journal.intent("m/y", {})
    await journal.unknown(lost, "timeout after sending")
    assert [r["status"] for r in await journal.list()] == ["unknown", "completed"]
    await journal.update("elsewhere", status="processing")  # a task created outside this server
    assert (await journal.get("elsewhere"))["model"] == "unknown"
    await journal.close()


async def test_concurrent_servers_share_one_journal(backend):
    journals = [backend.journal() for _ in range(4)]

    async def writer(journal: Journal, n: int) -> None:
        await journal.open()  # servers starting together: the schema is created once
        for i in range(25):
            row = await journal.intent("m/x", {"i": i})
            await journal.created(row, f"t{n}-{i}", "pending")
            await journal.update(f"t{n}-{i}", status="completed")

    async with anyio.create_task_group() as group:
        for n, journal in enumerate(journals):
            group.start_soon(writer, journal, n)
    reader = await backend.opened()
    rows = await reader.list(limit=1000)
    assert len(rows) == 100 and {r["status"] for r in rows} == {"completed"}
    for journal in (*journals, reader):
        await journal.close()


async def test_journal_survives_a_server_killed_mid_wait(dirs, backend):
    sim = make_sim(task_seconds=6)
    async with LoopbackSimulator(sim) as loop:
        env = server_env(loop.url, dirs, UNIFICALLY_WAIT_SECONDS="60",
                         **({"UNIFICALLY_DATABASE_URL": backend.url} if backend.url else {}))
        params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server", "serve"], env=env)
        process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve"], env=env)
        for message in (
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
                "name": "create_task", "arguments": {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}},
                "_meta": {"progressToken": 7}}},
        ):
            await process.stdin.send((json.dumps(message) + "\n").encode())
        raw = b""
        with anyio.fail_after(20):
            async for chunk in process.stdout:
                raw += chunk
                if b"notifications/progress" in raw:
                    break
        process.kill()  # the client gave up, the machine rebooted...
        await process.wait()
        assert len(sim.created_tasks()) == 1
        async with Client(params) as client:
            listed = await client.call_tool("list_tasks", {})
            [row] = listed.structured_content["tasks"]
            assert row["status"] in ("pending", "processing") and row["model"] == "google/veo-3.1-fast"
            done = await client.call_tool("wait_for_task", {"task_id": row["task_id"]})
            assert done.structured_content["status"] == "completed" and done.structured_content["files"]
    assert len(sim.created_tasks()) == 1


async def test_simulate_mode_keeps_its_tasks_across_restarts(dirs):
    settings = Settings(simulate=True, time_scale=SCALE, simulator_task_seconds=1.0, data_dir=dirs["data"],
                        output_dir=dirs["out"])
    async with Client(build_server(settings)) as first:
        created = await first.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"},
                                                        "wait_seconds": 0})
    task_id = created.structured_content["task_id"]
    async with Client(build_server(settings)) as second:  # a new server process would do the same
        done = await second.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 10})
    assert done.structured_content["status"] == "completed", done
    assert settings.key() == "simulator-key" and settings.base_url.startswith("http://unifically-simulator")


async def test_simulated_tasks_created_concurrently_all_survive_a_restart(dirs):
    settings = Settings(simulate=True, time_scale=SCALE, simulator_task_seconds=0.5, data_dir=dirs["data"],
                        output_dir=dirs["out"], dedup_seconds=0)  # ten identical requests: ten tasks
    ids: list[str] = []
    async with Client(build_server(settings)) as first:
        async def create() -> None:
            result = await first.call_tool("create_task", {"model": "google/veo-3.1-fast",
                                                           "input": {"prompt": "x"}, "wait_seconds": 0})
            ids.append(result.structured_content["task_id"])

        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(create)
    async with Client(build_server(settings)) as second:
        for task_id in ids:
            result = await second.call_tool("get_task", {"task_id": task_id})
            assert not result.is_error, result
