"""MCP Tasks, 2025-11-25 generation, over raw JSON-RPC against the simulator: capability and tool-level
negotiation, task-augmented calls, tasks/get, blocking tasks/result, tasks/list, tasks/cancel, status
notifications, and the spec's error codes."""

from __future__ import annotations

import sqlite3

import pytest

from mcp_server.journal.sqlite import SqliteJournal
from mcp_server.mcp_tasks import runtime
from mcp_server.server import build_server
from mcp_server.simulator import Fault
from tests.conftest import make_settings, make_sim, posts
from tests.mcp_tasks_wire import Wire

pytestmark = pytest.mark.anyio
VEO = {"prompt": "a lighthouse at dusk", "model": "google/veo-3.1-fast"}
TASK_TOOLS = {"create_task", "wait_for_task", "generate_video_veo", "generate_image_nano_banana"}


def ended(task: dict) -> bool:
    return task["status"] != "working"


async def veo_task(wire: Wire, ttl: int | None = 60_000, **arguments) -> dict:
    answer = await wire.result("tools/call", {"name": "generate_video_veo", "arguments": {**VEO, **arguments},
                                              "task": {} if ttl is None else {"ttl": ttl}})
    return answer["task"]


async def test_2025_11_25_declares_tasks_and_older_versions_never_see_them(dirs):
    server = build_server(make_settings(dirs), make_sim().transport())
    async with Wire.open(server) as wire:
        init = (await wire.initialize("2025-11-25"))["result"]
        assert init["capabilities"]["tasks"] == {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
        assert "extensions" not in init["capabilities"]
        tools = {tool["name"]: tool for tool in (await wire.result("tools/list"))["tools"]}
        supported = {name for name, tool in tools.items() if tool.get("execution") == {"taskSupport": "optional"}}
        assert TASK_TOOLS <= supported and not {"get_task", "list_tasks", "get_account"} & supported
    async with Wire.open(build_server(make_settings(dirs), make_sim().transport())) as wire:
        init = (await wire.initialize("2025-06-18"))["result"]
        assert "tasks" not in init["capabilities"]
        assert not any("execution" in tool for tool in (await wire.result("tools/list"))["tools"])
        refused = await wire.request("tasks/get", {"taskId": "mt_x"})
        assert refused["error"]["code"] == -32601


async def test_a_task_augmented_call_answers_at_once_and_ends_with_the_plain_calls_result(dirs):
    sim = make_sim(task_seconds=4)
    settings = make_settings(dirs, dedup_seconds=0)  # repeats: own tasks
    async with Wire.open(build_server(settings, sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        plain = await wire.result("tools/call", {"name": "generate_video_veo", "arguments": VEO})
        task = await veo_task(wire)
        upstream = posts(sim)[-1]
        assert task["status"] == "working" and task["taskId"].startswith("mt_") and len(task["taskId"]) > 30
        assert task["ttl"] >= 60_000 and task["pollInterval"] > 0 and task["createdAt"].endswith("Z")
        assert "veo-3.1-fast" in task["statusMessage"] and "typically ~100 s" in task["statusMessage"]
        last = wire.lines[-1]["result"]
        assert "io.modelcontextprotocol/model-immediate-response" in last["_meta"]
        done = await wire.until("tasks/get", {"taskId": task["taskId"]}, ended)
        assert done["status"] == "completed" and "completed after" in done["statusMessage"]
        result = await wire.result("tasks/result", {"taskId": task["taskId"]})
        assert result["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": task["taskId"]}
        assert result["structuredContent"]["status"] == "completed" and not result["isError"]
        assert result["structuredContent"]["files"] and upstream is not None
        assert result["structuredContent"]["task_id"] != task["taskId"]
        assert [block["type"] for block in result["content"]] == [block["type"] for block in plain["content"]]
        assert set(result["structuredContent"]) == set(plain["structuredContent"])
        statuses = [n["status"] for n in wire.notifications("notifications/tasks/status")
                    if n["taskId"] == task["taskId"]]
        assert statuses[0] == "working" and statuses[-1] == "completed"
    assert len(posts(sim)) == 2  # one create per call, the task's included


async def test_tasks_result_blocks_until_the_task_ends(dirs):
    sim = make_sim(task_seconds=6)
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        task = await veo_task(wire, ttl=None)
        result = await wire.result("tasks/result", {"taskId": task["taskId"]})
        assert result["structuredContent"]["status"] == "completed"
        assert (await wire.result("tasks/get", {"taskId": task["taskId"]}))["status"] == "completed"


async def test_a_failed_generation_is_a_failed_task_whose_result_is_the_tool_error(dirs):
    sim = make_sim(task_seconds=2)
    sim.add_fault(Fault(kind="fail_task", message="Content policy violation"))
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        task = await veo_task(wire)
        done = await wire.until("tasks/get", {"taskId": task["taskId"]}, ended)
        assert done["status"] == "failed" and "Content policy violation" in done["statusMessage"]
        result = await wire.result("tasks/result", {"taskId": task["taskId"]})
        assert result["isError"] and "Content policy violation" in result["content"][0]["text"]


async def test_refusals_come_before_any_task_and_errors_follow_the_spec(dirs):
    sim = make_sim()
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        bad = (await wire.result("tools/call", {"name": "generate_video_veo", "task": {},
                                                "arguments": {**VEO, "model": "google/veo-9"}}))["task"]
        assert bad["status"] == "working" and not posts(sim)  # the spec: every task begins working
        got = await wire.result("tasks/get", {"taskId": bad["taskId"]})
        assert got["status"] == "failed" and "Invalid arguments" in got["statusMessage"]
        refusal = await wire.result("tasks/result", {"taskId": bad["taskId"]})  # the plain call's own isError
        assert refusal["isError"] and "Invalid arguments" in refusal["content"][0]["text"]
        not_task_tool = await wire.request("tools/call", {"name": "get_task", "arguments": {"task_id": "x"},
                                                       "task": {}})
        assert not_task_tool["error"]["code"] == -32601
        unknown_tool = await wire.request("tools/call", {"name": "no_such_tool", "arguments": {}, "task": {}})
        assert unknown_tool["error"]["code"] == -32602
        for method, params in [("tasks/get", {"taskId": "mt_unknown"}), ("tasks/result", {"taskId": "mt_nope"}),
                               ("tasks/cancel", {"taskId": "mt_nope"}), ("tasks/get", {}),
                               ("tasks/list", {"cursor": "not-ours"})]:
            assert (await wire.request(method, params))["error"]["code"] == -32602, method
        assert (await wire.request("tasks/update", {"taskId": "x", "inputResponses": {}}))["error"]["code"] == -32601
        priced = await veo_task(wire, dry_run=True)
        assert priced["status"] == "working" and [p.json["dry_run"] for p in posts(sim)] == [True]
        assert (await wire.result("tasks/get", {"taskId": priced["taskId"]}))["status"] == "completed"
        dry = await wire.result("tasks/result", {"taskId": priced["taskId"]})
        assert dry["structuredContent"]["status"] == "dry_run"


async def test_cancel_stops_following_and_a_cancelled_task_stays_cancelled(dirs):
    sim = make_sim(task_seconds=8)
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        task = await veo_task(wire)
        upstream = posts(sim)[-1]
        cancelled = await wire.result("tasks/cancel", {"taskId": task["taskId"]})
        assert cancelled["status"] == "cancelled" and "cannot be cancelled" in cancelled["statusMessage"]
        again = await wire.request("tasks/cancel", {"taskId": task["taskId"]})
        assert again["error"]["code"] == -32602 and "terminal status 'cancelled'" in again["error"]["message"]
        journaled = await wire.result("tools/call", {"name": "list_tasks", "arguments": {}})
        upstream_id = journaled["structuredContent"]["tasks"][0]["task_id"]
        finished = await wire.result("tools/call", {"name": "wait_for_task", "arguments": {"task_id": upstream_id}})
        assert finished["structuredContent"]["status"] == "completed" and upstream is not None
        assert (await wire.result("tasks/get", {"taskId": task["taskId"]}))["status"] == "cancelled"
        result = await wire.result("tasks/result", {"taskId": task["taskId"]})
        assert result["isError"] and upstream_id in result["content"][0]["text"]


async def test_tasks_list_pages_through_the_callers_tasks(dirs, monkeypatch):
    monkeypatch.setattr(runtime, "PAGE", 2)
    async with Wire.open(build_server(make_settings(dirs), make_sim().transport())) as wire:
        await wire.initialize("2025-11-25")
        made = [(await veo_task(wire, dry_run=True))["taskId"] for _ in range(3)]
        first = await wire.result("tasks/list", {})
        second = await wire.result("tasks/list", {"cursor": first["nextCursor"]})
        assert [t["taskId"] for t in first["tasks"] + second["tasks"]] == made[::-1]
        assert "nextCursor" not in second


async def test_an_expired_task_is_gone(dirs):
    settings = make_settings(dirs)
    async with Wire.open(build_server(settings, make_sim().transport())) as wire:
        await wire.initialize("2025-11-25")
        task = await veo_task(wire, dry_run=True)
        with sqlite3.connect(settings.journal_path) as conn:
            conn.execute("UPDATE mcp_tasks SET created_at = created_at - ttl_ms / 1000.0 - 1")
        gone = await wire.request("tasks/get", {"taskId": task["taskId"]})
        assert gone["error"]["code"] == -32602 and "expired" in gone["error"]["message"]


async def test_cancelling_a_blocked_tasks_result_leaves_the_task_alone(dirs):
    sim = make_sim(task_seconds=6)
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        task = await veo_task(wire)
        await wire.send({"jsonrpc": "2.0", "id": "blocked", "method": "tasks/result",
                         "params": {"taskId": task["taskId"]}})
        await wire.until("tasks/get", {"taskId": task["taskId"]}, lambda t: "processing" in t["statusMessage"])
        await wire.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": "blocked"}})
        done = await wire.until("tasks/get", {"taskId": task["taskId"]}, ended)
        assert done["status"] == "completed"  # the task kept going, its follower untouched
        assert not [line for line in wire.lines if line.get("id") == "blocked"]  # a cancelled request: no answer
        result = await wire.result("tasks/result", {"taskId": task["taskId"]})
        assert result["structuredContent"]["files"]


async def test_a_handle_the_journal_cannot_record_is_an_error_naming_the_paid_task(dirs, monkeypatch):
    async def broken(self, record):
        raise OSError("disk full")

    monkeypatch.setattr(SqliteJournal, "create_mcp_task", broken)
    sim = make_sim(task_seconds=6)
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        answer = await wire.request("tools/call", {"name": "generate_video_veo", "arguments": VEO, "task": {}})
        assert answer["error"]["code"] == -32603 and "disk full" in answer["error"]["message"]
        upstream = answer["error"]["message"].split('task_id="')[1].split('"')[0]
        finished = await wire.result("tools/call", {"name": "wait_for_task", "arguments": {"task_id": upstream}})
        assert finished["structuredContent"]["status"] == "completed" and len(posts(sim)) == 1
