"""One poller per task, however many calls wait for it; each waiter keeps its own budget and progress."""

from __future__ import annotations

import anyio
import pytest
from mcp.client import Client

from mcp_server.server import build_server
from tests.conftest import SCALE, make_settings, make_sim

pytestmark = pytest.mark.anyio
VEO = {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}, "wait_seconds": 0}


def status_reads(sim, task_id: str) -> int:
    return len([r for r in sim.requests if r.method == "GET" and r.path == f"/v1/tasks/{task_id}"])


async def waits(client: Client, task_id: str, n: int, budget: float = 45) -> list:
    results: list = []

    async def one() -> None:
        results.append(await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": budget}))

    async with anyio.create_task_group() as group:
        for _ in range(n):
            group.start_soon(one)
    return results


async def test_many_waiters_share_one_poller(dirs):
    sim = make_sim(task_seconds=30)
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        alone = (await client.call_tool("create_task", VEO)).structured_content["task_id"]
        [single] = await waits(client, alone, 1)
        shared = (await client.call_tool("create_task", VEO)).structured_content["task_id"]
        many = await waits(client, shared, 20)
    assert single.structured_content["status"] == "completed"
    assert all(r.structured_content["status"] == "completed" for r in many)
    assert status_reads(sim, shared) <= status_reads(sim, alone) + 2, (status_reads(sim, shared),
                                                                        status_reads(sim, alone))


async def test_a_zero_budget_wait_reads_once_and_a_cancelled_waiter_leaves_the_others_waiting(dirs):
    sim = make_sim(task_seconds=20)
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        task_id = (await client.call_tool("create_task", VEO)).structured_content["task_id"]
        before = status_reads(sim, task_id)
        quick = await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 0})
        assert status_reads(sim, task_id) == before + 1
        assert quick.structured_content["status"] in ("pending", "processing")
        finished: list = []
        async with anyio.create_task_group() as group:
            async def patient() -> None:
                finished.append(await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 45}))

            group.start_soon(patient)
            with anyio.move_on_after(3 / SCALE):
                await client.call_tool("wait_for_task", {"task_id": task_id})
        assert finished[0].structured_content["status"] == "completed"
