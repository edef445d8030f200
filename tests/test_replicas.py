"""Two replicas sharing one PostgreSQL journal, as hosted mode runs them: a task created on one is waited for on
the other, its polling is shared (the simulator's status reads are counted), and a replica killed mid-wait
leaves the task to the other, which finishes it."""

from __future__ import annotations

import anyio
import pytest
from mcp.client import Client
from pydantic import SecretStr

from mcp_server.server import build_server
from mcp_server.simulator import LoopbackSimulator
from tests.conftest import make_settings, make_sim, posts
from tests.raw_session import RawSession
from tests.test_shared_polling import VEO, status_reads
from tests.test_stdio import server_env

pytestmark = pytest.mark.anyio


async def test_a_task_created_on_one_replica_is_listed_and_waited_for_on_the_other(dirs, pg_url):
    sim = make_sim(task_seconds=30)
    settings = make_settings(dirs, database_url=SecretStr(pg_url))
    async with Client(build_server(settings, sim.transport())) as a, \
            Client(build_server(settings, sim.transport())) as b:
        task_id = (await a.call_tool("create_task", VEO)).structured_content["task_id"]
        listed = await b.call_tool("list_tasks", {})
        assert [row["task_id"] for row in listed.structured_content["tasks"]] == [task_id]
        done = await b.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 45})
        assert done.structured_content["status"] == "completed" and done.structured_content["files"]
        again = await a.call_tool("list_tasks", {"status": "completed"})
        assert [row["task_id"] for row in again.structured_content["tasks"]] == [task_id]
    assert len(posts(sim)) == 1


async def test_waiters_on_both_replicas_share_one_poller(dirs, pg_url):
    sim = make_sim(task_seconds=30)
    settings = make_settings(dirs, database_url=SecretStr(pg_url))
    results: list = []
    async with Client(build_server(settings, sim.transport())) as a, \
            Client(build_server(settings, sim.transport())) as b:
        alone = (await a.call_tool("create_task", VEO)).structured_content["task_id"]
        shared = (await a.call_tool("create_task", VEO)).structured_content["task_id"]

        async def wait(client: Client, task_id: str) -> None:
            results.append(await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 45}))

        async with anyio.create_task_group() as group:
            group.start_soon(wait, a, alone)
            for client in (a, b, a, b, a, b):
                group.start_soon(wait, client, shared)
    assert [r.structured_content["status"] for r in results] == ["completed"] * 7
    assert status_reads(sim, shared) <= status_reads(sim, alone) + 2, (status_reads(sim, shared),
                                                                        status_reads(sim, alone))


async def test_a_replica_killed_mid_wait_leaves_the_task_to_the_other(dirs, pg_url):
    sim = make_sim(task_seconds=40)
    async with LoopbackSimulator(sim) as loop:
        env = server_env(loop.url, dirs, UNIFICALLY_WAIT_SECONDS="50", UNIFICALLY_DATABASE_URL=pg_url)
        a = await RawSession.start(env)
        await a.initialize("2025-06-18")
        await a.send({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
            "name": "create_task", "arguments": {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}},
            "_meta": {"progressToken": "a"}}})
        await a.until(lambda line: line.get("method") == "notifications/progress")  # a polls the task
        settings = make_settings(dirs, base_url=loop.url, upload_url=f"{loop.url}/upload", allow_private_urls=True,
                                 database_url=SecretStr(pg_url))
        async with Client(build_server(settings)) as b:
            [row] = (await b.call_tool("list_tasks", {})).structured_content["tasks"]
            results: list = []

            async def wait_on_b() -> None:
                for _ in range(3):  # as a client would: wait again while it still runs
                    result = await b.call_tool("wait_for_task", {"task_id": row["task_id"], "wait_seconds": 50})
                    results.append(result.structured_content["status"])
                    if results[-1] == "completed":
                        return

            async with anyio.create_task_group() as group:
                group.start_soon(wait_on_b)
                await anyio.sleep(0.3)
                reads_before = status_reads(sim, row["task_id"])
                await a.close()  # killed mid-wait: it never releases its lease
        assert results[-1] == "completed"
        assert status_reads(sim, row["task_id"]) > reads_before  # b took the polling over
    assert len(sim.created_tasks()) == 1
