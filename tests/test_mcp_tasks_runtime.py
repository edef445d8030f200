"""The task runtime under both generations: tasks are owned, polling upstream is shared however many clients
ask, and clients that do not ask for tasks (the Python SDK's Client, in both eras) get plain results."""

from __future__ import annotations

import dataclasses
import json
import time

import anyio
import pytest
from mcp.client import Client

from mcp_server.mcp_tasks.runtime import TaskRuntime, TaskUnknown
from mcp_server.mcp_tasks.status import McpTask, poll_interval_ms
from mcp_server.server import build_server
from tests.conftest import make_settings, make_sim, posts
from tests.mcp_tasks_wire import Wire, envelope

pytestmark = pytest.mark.anyio
VEO = {"prompt": "a lighthouse at dusk", "model": "google/veo-3.1-fast"}
DRY_RUN = {"content": [{"type": "text", "text": "Dry run"}],
           "structuredContent": {"task_id": None, "model": "google/veo-3.1-fast", "status": "dry_run"}}


async def test_a_task_belongs_to_its_owner(dirs):
    server = build_server(make_settings(dirs), make_sim().transport())
    async with server.lifespan(server) as services:
        runtime = TaskRuntime()
        alice = dataclasses.replace(services, owner="alice", scoped=True)
        task = await runtime.open(alice, "generate_video_veo", DRY_RUN)
        assert task.status == "completed" and task.result["structuredContent"]["status"] == "dry_run"
        assert (await runtime.get(alice, task.id)).id == task.id
        for stranger in (dataclasses.replace(services, owner="bob", scoped=True), services):
            with pytest.raises(TaskUnknown):
                await runtime.get(stranger, task.id)
            with pytest.raises(TaskUnknown):
                await runtime.cancel(stranger, task.id)
            assert (await runtime.page(stranger, None))[0] == []
        assert [t.id for t in (await runtime.page(alice, None))[0]] == [task.id]


async def test_one_upstream_poller_however_many_clients_ask(dirs):
    sim = make_sim(task_seconds=30)
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        task = await wire.result("tools/call", {"name": "generate_video_veo", "arguments": VEO,
                                                "_meta": envelope()})
        upstream = task["statusMessage"].rsplit("Unifically task ", 1)[1]
        reads = [r for r in sim.requests if r.method == "GET" and r.path.endswith(upstream)]

        async def plain_waiter() -> None:
            await wire.result("tools/call", {"name": "wait_for_task", "arguments": {"task_id": upstream},
                                             "_meta": envelope(False)})

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(plain_waiter)
            done = await wire.until("tasks/get", {"taskId": task["taskId"], "_meta": envelope()},
                                    lambda t: t["status"] != "working", gap=0.01)
        reads = [r for r in sim.requests if r.method == "GET" and r.path.endswith(upstream)]
        asked = sum(1 for line in wire.lines if "result" in line and line["result"].get("taskId") == task["taskId"])
        assert done["result"]["structuredContent"]["status"] == "completed"
        assert asked > 20 and len(reads) < 15, (asked, len(reads))  # the schedule's reads, not one per question


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_python_sdk_client_gets_plain_results_in_both_eras(dirs, mode):
    sim = make_sim(task_seconds=2)
    async with Client(build_server(make_settings(dirs, dedup_seconds=0), sim.transport()), mode=mode) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert "generate_video_veo" in listed
        result = await client.call_tool("generate_video_veo", VEO)
        assert result.structured_content["status"] == "completed" and result.structured_content["files"]
        zero = await client.call_tool("generate_video_veo", {**VEO, "wait_seconds": 0})
        assert zero.structured_content["status"] == "pending"  # a handle the model can wait_for_task on
    assert len(posts(sim)) == 2


async def test_the_poll_interval_follows_the_models_typical_duration(dirs):
    """pollInterval(Ms) is the server's own next polling gap, in real milliseconds: a Veo task (~100 s) 30 s in
    is asked again when half its remaining time has passed; a model without a documented duration sooner."""
    server = build_server(make_settings(dirs, time_scale=1.0), make_sim().transport())
    async with server.lifespan(server) as services:
        started = time.time() - 30

        def task(model: str) -> McpTask:
            return McpTask(id="mt_x", owner="", tool="t", task_id="up", model=model, status="working", message=None,
                           result=None, ttl_ms=None, created_at=started, updated_at=started)

        veo = poll_interval_ms(services, task("google/veo-3.1-fast"))
        other = poll_interval_ms(services, task("kuaishou/kling-2.6-video"))
        assert 34_000 <= veo <= 36_000 and 7_000 <= other <= 8_000, (veo, other)
        assert poll_interval_ms(services, task("google/veo-3.1-quality")) > veo  # ~240 s: further to go


@pytest.mark.parametrize("generation", ["2025-11-25", "2026-07-28"])
async def test_a_tasks_result_is_the_plain_calls_with_its_price_and_notes(dirs, generation):
    """What the create's answer knew (the quoted price, the spending note) is in the task's final result, as in
    the result of the same call without a task; only the Unifically task id differs."""
    sim, settings = make_sim(task_seconds=4), make_settings(dirs, confirm_above=0.2, dedup_seconds=0)
    priced = {"name": "generate_video_veo", "arguments": {**VEO, "confirm_spend": True}}
    async with Wire.open(build_server(settings, sim.transport())) as wire:
        plain = await wire.result("tools/call", {**priced, "_meta": envelope(False)})
    async with Wire.open(build_server(settings, sim.transport())) as wire:  # a new session: the same spend so far
        if generation == "2025-11-25":
            await wire.initialize(generation)
            task = (await wire.result("tools/call", {**priced, "task": {}}))["task"]
            result = await wire.result("tasks/result", {"taskId": task["taskId"]})
            result.pop("_meta")
        else:
            task = await wire.result("tools/call", {**priced, "_meta": envelope()})
            done = await wire.until("tasks/get", {"taskId": task["taskId"], "_meta": envelope()},
                                    lambda t: t["status"] != "working")
            result = done["result"]
    assert plain["structuredContent"]["cost"] == 0.4 and "Note: Quoted price $0.40" in plain["content"][0]["text"]
    same = json.dumps({k: plain[k] for k in ("content", "structuredContent", "isError")}, sort_keys=True)
    ours = json.dumps(result, sort_keys=True).replace(result["structuredContent"]["task_id"],
                                                      plain["structuredContent"]["task_id"])
    assert ours == same
