"""MCP task ids survive a server restart, in both generations: a new server answers tasks/get (and 2025
tasks/result) for a task created before it, from the journal and upstream. First in process, then as the
acceptance runs: raw JSON-RPC to a stdio subprocess talking to the simulator over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest

from mcp_server.server import build_server
from mcp_server.simulator import LoopbackSimulator
from tests.conftest import make_settings, make_sim, posts
from tests.mcp_tasks_wire import Wire, envelope
from tests.raw_session import RawSession
from tests.test_stdio import server_env

pytestmark = pytest.mark.anyio
VEO = {"prompt": "a lighthouse at dusk", "model": "google/veo-3.1-fast"}


@asynccontextmanager
async def serving(env: dict[str, str]) -> AsyncIterator[RawSession]:
    """A stdio server process, killed on the way out (while its tasks may still run upstream)."""
    session = await RawSession.start(env)
    try:
        yield session
    finally:
        await session.close()


@pytest.fixture
async def stdio_env(dirs) -> AsyncIterator[tuple]:
    """The simulator on loopback (tasks of 40 simulated seconds, 2 real ones) and a server environment for it."""
    sim = make_sim(task_seconds=40)
    async with LoopbackSimulator(sim) as loop:
        yield sim, server_env(loop.url, dirs, UNIFICALLY_DEDUP_SECONDS="0")  # repeats: own tasks


async def two_tasks(session: RawSession, **params) -> list[dict]:
    return [(await session.request("tools/call", {"name": "generate_video_veo", "arguments": VEO, **params}))[
        "result"] for _ in range(2)]


def ended(task: dict) -> bool:
    return task["status"] != "working"


async def test_a_restarted_server_finishes_tasks_of_both_generations(dirs):
    sim, settings = make_sim(task_seconds=20), make_settings(dirs, dedup_seconds=0)  # repeats: own tasks
    async with Wire.open(build_server(settings, sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        old = (await wire.result("tools/call", {"name": "generate_video_veo", "arguments": VEO, "task": {}}))["task"]
    async with Wire.open(build_server(settings, sim.transport())) as wire:
        new = await wire.result("tools/call", {"name": "generate_video_veo", "arguments": VEO, "_meta": envelope()})
        assert new["resultType"] == "task"
    async with Wire.open(build_server(settings, sim.transport())) as wire:  # a 2026 request after a restart
        done = await wire.until("tasks/get", {"taskId": new["taskId"], "_meta": envelope()}, ended)
        assert done["result"]["structuredContent"]["status"] == "completed"
    async with Wire.open(build_server(settings, sim.transport())) as wire:  # a 2025 connection after another
        await wire.initialize("2025-11-25")
        assert (await wire.result("tasks/get", {"taskId": old["taskId"]}))["taskId"] == old["taskId"]
        result = await wire.result("tasks/result", {"taskId": old["taskId"]})
        assert result["structuredContent"]["status"] == "completed" and result["structuredContent"]["files"]
    assert len(posts(sim)) == 2


async def test_stdio_2025_11_25_create_get_list_cancel_result_and_restart(stdio_env):
    sim, env = stdio_env
    async with serving(env) as first:
        init = await first.initialize("2025-11-25")
        assert "tasks" in init["result"]["capabilities"]
        kept, dropped = (answer["task"]["taskId"] for answer in await two_tasks(first, task={"ttl": 600_000}))
        assert (await first.request("tasks/get", {"taskId": kept}))["result"]["status"] == "working"
        listed = (await first.request("tasks/list", {}))["result"]["tasks"]
        assert {task["taskId"] for task in listed} == {kept, dropped}
        cancelled = await first.request("tasks/cancel", {"taskId": dropped})
        assert cancelled["result"]["status"] == "cancelled"
    async with serving(env) as second:
        await second.initialize("2025-11-25")
        result = await second.request("tasks/result", {"taskId": kept}, timeout=60)
        assert result["result"]["structuredContent"]["status"] == "completed"
        assert result["result"]["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": kept}
        assert (await second.request("tasks/get", {"taskId": kept}))["result"]["status"] == "completed"
        assert (await second.request("tasks/get", {"taskId": dropped}))["result"]["status"] == "cancelled"
        assert (await second.request("tasks/get", {"taskId": "mt_nope"}))["error"]["code"] == -32602
    assert len(posts(sim)) == 2


async def test_stdio_2026_07_28_create_get_cancel_and_restart(stdio_env):
    sim, env = stdio_env
    async with serving(env) as first:
        answers = await two_tasks(first, _meta=envelope())
        assert all(answer["resultType"] == "task" for answer in answers)
        kept, dropped = (answer["taskId"] for answer in answers)
        working = await first.request("tasks/get", {"taskId": kept, "_meta": envelope()})
        assert working["result"]["status"] == "working" and "veo-3.1-fast" in working["result"]["statusMessage"]
        assert (await first.request("tasks/cancel", {"taskId": dropped, "_meta": envelope()}))["result"]
        refused = await first.request("tasks/get", {"taskId": kept, "_meta": envelope(False)})
        assert refused["error"]["code"] == -32021
    async with serving(env) as second:
        with_extension = {"taskId": kept, "_meta": envelope()}
        with anyio.fail_after(60):
            while (done := (await second.request("tasks/get", with_extension))["result"])["status"] == "working":
                await anyio.sleep(done["pollIntervalMs"] / 1000)  # as the server suggests
        assert done["status"] == "completed" and done["result"]["structuredContent"]["files"]
        gone = await second.request("tasks/get", {"taskId": dropped, "_meta": envelope()})
        assert gone["result"]["status"] == "cancelled"
    assert len(posts(sim)) == 2


async def test_after_a_restart_tasks_list_alone_sees_a_task_end(dirs):
    """A client that only lists (no tasks/get) still sees its tasks progress after a restart: listing a working
    task resumes its following, as a read does, and its result still carries the price the create quoted."""
    sim, settings = make_sim(task_seconds=20), make_settings(dirs, confirm_above=0.2)
    priced = {"name": "generate_video_veo", "arguments": {**VEO, "confirm_spend": True}, "task": {}}
    async with Wire.open(build_server(settings, sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        old = (await wire.result("tools/call", priced))["task"]
    async with Wire.open(build_server(settings, sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        listed = await wire.until("tasks/list", {}, lambda page: page["tasks"][0]["status"] != "working", gap=0.1)
        assert [(task["taskId"], task["status"]) for task in listed["tasks"]] == [(old["taskId"], "completed")]
        result = await wire.result("tasks/result", {"taskId": old["taskId"]})
        assert result["structuredContent"]["cost"] == 0.4 and "Quoted price $0.40" in result["content"][0]["text"]
