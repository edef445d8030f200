"""MCP Tasks, 2026-07-28 generation (the `io.modelcontextprotocol/tasks` extension), over raw JSON-RPC against
the simulator: the server's per-call decision, tasks/get with the inlined result, tasks/update, tasks/cancel,
-32021 without the extension, and no task for a client that did not ask."""

from __future__ import annotations

import pytest

from mcp_server.errors import InvalidInput
from mcp_server.server import build_server
from mcp_server.settings import Settings
from mcp_server.simulator import Fault
from tests.conftest import make_settings, make_sim, posts
from tests.mcp_tasks_wire import EXTENSION, Wire, envelope

pytestmark = pytest.mark.anyio
VEO = {"prompt": "a lighthouse at dusk", "model": "google/veo-3.1-fast"}  # typically ~100 s
BANANA = {"prompt": "a red apple", "model": "google/nano-banana", "aspect_ratio": "1:1"}  # no documented duration


def call(tool: str, arguments: dict, extension: bool = True) -> dict:
    return {"name": tool, "arguments": arguments, "_meta": envelope(extension)}


def get(task_id: str, extension: bool = True) -> dict:
    return {"taskId": task_id, "_meta": envelope(extension)}


def ended(task: dict) -> bool:
    return task["status"] != "working"


async def test_the_extension_is_advertised_and_a_slow_model_answers_with_a_task(dirs):
    sim = make_sim(task_seconds=4)
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        discovered = await wire.result("server/discover", {"_meta": envelope()})
        assert EXTENSION in discovered["capabilities"]["extensions"]
        assert "tasks" not in discovered["capabilities"]  # the 2025 capability is never declared in this generation
        tools = (await wire.result("tools/list", {"_meta": envelope()}))["tools"]
        assert not any("execution" in tool for tool in tools)  # no such field in this generation
        task = await wire.result("tools/call", call("generate_video_veo", VEO))
        assert task["resultType"] == "task" and task["status"] == "working" and task["taskId"].startswith("mt_")
        assert task["ttlMs"] > 0 and task["pollIntervalMs"] > 0
        assert task["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "unifically-mcp"
        message = task["statusMessage"]
        assert "veo-3.1-fast" in message and "pending" in message and "waited" in message and "~100 s" in message
        assert len(posts(sim)) == 1
        done = await wire.until("tasks/get", get(task["taskId"]), ended)
        assert done["resultType"] == "complete" and done["status"] == "completed"
        result = done["result"]
        assert result["structuredContent"]["status"] == "completed" and result["structuredContent"]["files"]
        assert not result["isError"] and "resultType" not in result
        assert [block["type"] for block in result["content"]] == ["text", "resource_link"]


async def test_fast_models_answer_inline_and_a_zero_wait_always_gets_a_task(dirs):
    sim = make_sim(task_seconds=1)
    settings = make_settings(dirs, dedup_seconds=0)  # repeats: own tasks
    async with Wire.open(build_server(settings, sim.transport())) as wire:
        inline = await wire.result("tools/call", call("generate_image_nano_banana", BANANA))
        assert inline["resultType"] == "complete" and inline["structuredContent"]["status"] == "completed"
        task = await wire.result("tools/call", call("generate_image_nano_banana", {**BANANA, "wait_seconds": 0}))
        assert task["resultType"] == "task"
        done = await wire.until("tasks/get", get(task["taskId"]), ended)
        assert done["result"]["structuredContent"]["status"] == "completed"
        upstream = done["result"]["structuredContent"]["task_id"]
        followed = await wire.result("tools/call", call("wait_for_task", {"task_id": upstream, "wait_seconds": 0}))
        assert followed["resultType"] == "complete"  # it had ended: nothing to wait for
        priced = await wire.result("tools/call", call("generate_video_veo", {**VEO, "dry_run": True,
                                                                            "wait_seconds": 0}))
        assert priced["resultType"] == "complete" and priced["structuredContent"]["status"] == "dry_run"
        bad = await wire.result("tools/call", call("generate_video_veo", {**VEO, "model": "google/veo-9"}))
        assert bad["isError"] and bad["resultType"] == "complete"
    assert len(posts(sim)) == 3  # the inline image, the zero-wait image and the dry run


async def test_without_the_extension_nothing_is_a_task(dirs):
    sim = make_sim(task_seconds=2)
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        plain = await wire.result("tools/call", call("generate_video_veo", {**VEO, "wait_seconds": 0}, False))
        assert plain["resultType"] == "complete" and plain["structuredContent"]["status"] == "pending"
        missing = await wire.request("tasks/get", get("mt_anything", extension=False))
        assert missing["error"]["code"] == -32021
        assert missing["error"]["data"] == {"requiredCapabilities": {"extensions": {EXTENSION: {}}}}
        for method in ("tasks/update", "tasks/cancel"):
            refused = await wire.request(method, {**get("mt_x", False), "inputResponses": {}})
            assert refused["error"]["code"] == -32021, method
        for method in ("tasks/result", "tasks/list"):  # not in this generation, with or without the extension
            assert (await wire.request(method, get("mt_x")))["error"]["code"] == -32601, method


async def test_update_cancel_and_errors_by_the_book(dirs):
    sim = make_sim(task_seconds=8)
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        assert (await wire.request("tasks/get", get("mt_unknown")))["error"]["code"] == -32602
        assert (await wire.request("tasks/get", {"_meta": envelope()}))["error"]["code"] == -32602
        assert (await wire.request("tasks/cancel", get("mt_unknown")))["error"]["code"] == -32602
        task = await wire.result("tools/call", call("generate_video_veo", VEO))
        ack = await wire.result("tasks/update", {**get(task["taskId"]), "inputResponses": {"k": {"action": "x"}}})
        assert ack == {"resultType": "complete", "_meta": ack["_meta"]}
        assert (await wire.result("tasks/cancel", get(task["taskId"])))["resultType"] == "complete"
        cancelled = await wire.result("tasks/get", get(task["taskId"]))
        assert cancelled["status"] == "cancelled" and "result" not in cancelled
        assert "cannot be cancelled" in cancelled["statusMessage"] and "keeps running" in cancelled["statusMessage"]
        upstream = cancelled["statusMessage"].split('task_id="')[1].split('"')[0]
        finished = await wire.result("tools/call", call("wait_for_task", {"task_id": upstream}, False))
        assert finished["structuredContent"]["status"] == "completed"
        assert (await wire.result("tasks/get", get(task["taskId"])))["status"] == "cancelled"
        assert (await wire.result("tasks/cancel", get(task["taskId"])))["resultType"] == "complete"


async def test_a_tool_error_is_a_completed_task_with_an_error_result(dirs):
    sim = make_sim(task_seconds=2)
    sim.add_fault(Fault(kind="fail_task", message="Content policy violation"))
    async with Wire.open(build_server(make_settings(dirs), sim.transport())) as wire:
        task = await wire.result("tools/call", call("generate_video_veo", VEO))
        done = await wire.until("tasks/get", get(task["taskId"]), ended)
        assert done["status"] == "completed" and done["result"]["isError"]
        assert "Content policy violation" in done["result"]["content"][0]["text"]
        assert "failed after" in done["statusMessage"]


def test_unifically_tasks_is_on_or_off():
    assert Settings.from_env({}).tasks and Settings.from_env({"UNIFICALLY_TASKS": "on"}).tasks
    assert not Settings.from_env({"UNIFICALLY_TASKS": "off"}).tasks
    with pytest.raises(InvalidInput, match="UNIFICALLY_TASKS"):
        Settings.from_env({"UNIFICALLY_TASKS": "sometimes"})


async def test_tasks_off_means_every_client_gets_the_bounded_wait(dirs):
    settings = make_settings(dirs, tasks=False, dedup_seconds=0)  # repeats: own tasks
    async with Wire.open(build_server(settings, make_sim(task_seconds=2).transport())) as wire:
        discovered = await wire.result("server/discover", {"_meta": envelope()})
        assert EXTENSION not in (discovered["capabilities"].get("extensions") or {})
        plain = await wire.result("tools/call", call("generate_video_veo", VEO))
        assert plain["resultType"] == "complete" and plain["structuredContent"]["status"] == "completed"
        assert (await wire.request("tasks/get", get("mt_x")))["error"]["code"] == -32601
    async with Wire.open(build_server(settings, make_sim(task_seconds=2).transport())) as wire:
        init = (await wire.initialize("2025-11-25"))["result"]
        assert "tasks" not in init["capabilities"]
        assert not any("execution" in tool for tool in (await wire.result("tools/list"))["tools"])
        plain = await wire.result("tools/call", {"name": "generate_video_veo", "arguments": VEO, "task": {}})
        assert plain["structuredContent"]["status"] == "completed"  # the task field is ignored, as the spec says


async def test_a_video_model_without_a_documented_duration_answers_with_a_task(dirs):
    """The docs give durations for Veo only; a video model is expected to take at least as long as the shortest
    documented video (~100 s), beyond the default budget, so Claude Code can move it to the background."""
    sim = make_sim(task_seconds=2)
    kling = {"model": "kuaishou/kling-2.6-video", "prompt": "a fox in the snow"}
    async with Wire.open(build_server(make_settings(dirs, max_wait_seconds=300), sim.transport())) as wire:
        task = await wire.result("tools/call", call("generate_video_kling", kling))
        assert task["resultType"] == "task", task
        short = await wire.result("tools/call", call("generate_video_kling", {**kling, "wait_seconds": 200}))
        assert short["resultType"] == "complete"  # a budget longer than expected: answered inline
