"""Consent above the threshold, in both protocol eras: elicitation/create during the call (2025-11-25) and the
input-required round trip (2026-07-28, sealed single-use state). Only an explicit accept creates the task."""

from __future__ import annotations

from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from mcp_server.server import build_server
from mcp_server.simulator import LoopbackSimulator
from mcp_server.spend.consent import KEY
from tests.conftest import make_settings, make_sim, text_of
from tests.mcp_tasks_wire import Wire, envelope
from tests.raw_session import RawSession
from tests.spend_support import image, paid, serving, video
from tests.test_stdio import server_env

pytestmark = pytest.mark.anyio

PNG = (Path(__file__).parent.parent / "mcp_server/simulator/media/sample.png").read_bytes()
CONFIRM = dict(confirm_above=0.2, confirm_timeout=100)  # 100 s of the tests' scaled time: 5 s real
IMPATIENT = dict(confirm_above=0.2, confirm_timeout=2)  # 0.1 s real: the "late" answer comes after 0.5 s
ANSWERS = {
    "accept": types.ElicitResult(action="accept", content={"confirm": True}),
    "unticked": types.ElicitResult(action="accept", content={"confirm": False}),
    "decline": types.ElicitResult(action="decline"),
    "cancel": types.ElicitResult(action="cancel"),
}
REFUSAL = {"unticked": "declined", "decline": "declined", "cancel": "dismissed", "late": "No answer",
           "no form": "confirm_spend: true"}


def person(answer: str, asked: list[types.ElicitRequestParams]):
    async def callback(context, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params)
        if answer == "late":
            await anyio.sleep(0.5)
            return ANSWERS["accept"]
        return ANSWERS[answer]

    return callback


@pytest.mark.parametrize("answer", ["accept", "unticked", "decline", "cancel", "late", "no form"])
async def test_only_an_explicit_accept_creates_the_task(dirs, sim, mode, answer):
    asked: list[types.ElicitRequestParams] = []
    callback = None if answer == "no form" else person(answer, asked)
    async with serving(dirs, sim, mode, callback, **(IMPATIENT if answer == "late" else CONFIRM)) as client:
        result = await client.call_tool("create_task", video("a red fox at dawn"))
    if answer == "accept":
        assert not result.is_error, text_of(result)
        assert len(paid(sim)) == 1 and result.structured_content["cost"] == 0.4
        [question] = asked
        for part in ("$0.40", "google/veo-3.1-fast", "prompt: a red fox at dawn"):
            assert part in question.message, part
        assert question.requested_schema["required"] == ["confirm"]
        return
    assert result.is_error and REFUSAL[answer] in text_of(result), text_of(result)
    assert "Nothing was created" in text_of(result) or "nothing was created" in text_of(result)
    assert paid(sim) == [] and sim.created_tasks() == []
    assert len(asked) == (0 if answer == "no form" else 1)


async def test_confirm_spend_and_cheap_requests_skip_the_question(dirs, sim, mode):
    asked: list[types.ElicitRequestParams] = []
    async with serving(dirs, sim, mode, None, **CONFIRM) as client:  # a client that cannot show forms
        refused = await client.call_tool("create_task", video("a cat"))
        assert refused.is_error and "Ask the person whether to spend $0.40" in text_of(refused)
        agreed = await client.call_tool("create_task", video("a cat", confirm_spend=True))
        assert not agreed.is_error, text_of(agreed)
        assert not (await client.call_tool("create_task", image("a cat"))).is_error  # $0.04: below the threshold
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert "confirm_spend" in tools["generate_video_veo"].input_schema["properties"]
    assert len(paid(sim)) == 2 and asked == []
    async with serving(dirs, sim, mode) as client:  # no threshold: no confirm_spend argument
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert "confirm_spend" not in tools["create_task"].input_schema["properties"]
        assert "allow_duplicate" in tools["create_task"].input_schema["properties"]


async def test_confirm_spend_never_passes_a_form_the_client_can_show(dirs, sim, mode):
    """confirm_spend stands in for the form only where none can be shown: a client with forms is asked anyway."""
    asked: list[types.ElicitRequestParams] = []
    async with serving(dirs, sim, mode, person("decline", asked), **CONFIRM) as client:
        refused = await client.call_tool("create_task", video("a cat", confirm_spend=True))
        assert refused.is_error and "declined" in text_of(refused) and len(asked) == 1
        assert paid(sim) == []
    async with serving(dirs, sim, mode, person("accept", asked), **CONFIRM) as client:
        assert not (await client.call_tool("create_task", video("a cat", confirm_spend=True))).is_error
    assert len(asked) == 2 and len(paid(sim)) == 1


async def test_a_form_that_fails_asks_in_chat_then_confirm_spend_goes_ahead(dirs, sim):
    async def broken(context, params: types.ElicitRequestParams) -> types.ErrorData:
        return types.ErrorData(code=types.INTERNAL_ERROR, message="the form could not be shown")

    async with serving(dirs, sim, "legacy", broken, **CONFIRM) as client:
        failed = await client.call_tool("create_task", video("a cat"))
        assert failed.is_error and "could not be shown" in text_of(failed) and "confirm_spend: true" in text_of(failed)
        assert paid(sim) == []
        assert not (await client.call_tool("create_task", video("a cat", confirm_spend=True))).is_error
    assert len(paid(sim)) == 1


async def first_round(client, arguments: dict) -> types.InputRequiredResult:
    answer = await client.session.call_tool("create_task", arguments, allow_input_required=True)
    assert isinstance(answer, types.InputRequiredResult), answer
    return answer


async def answer_round(client, arguments: dict, state: str | None, reply: str = "accept"):
    return await client.session.call_tool("create_task", arguments, input_responses={KEY: ANSWERS[reply]},
                                          request_state=state, allow_input_required=True)


async def test_round_trip_state_is_sealed_and_bound_to_the_request(dirs, sim):
    arguments = video("a cat")
    async with serving(dirs, sim, "auto", person("accept", []), **CONFIRM) as client:
        asked = await first_round(client, arguments)
        state = asked.request_state
        assert state.startswith("v1.") and "google/veo-3.1-fast" not in state  # sealed (AES-GCM), not readable
        assert "$0.40" in asked.input_requests[KEY].params.message
        tampered = state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB")
        with pytest.raises(MCPError, match="Invalid or expired requestState"):
            await answer_round(client, arguments, tampered)
        with pytest.raises(MCPError, match="Invalid or expired requestState"):  # another request's answer
            await answer_round(client, video("a dog"), state)
        assert paid(sim) == []
        created = await answer_round(client, arguments, state)
        assert isinstance(created, types.CallToolResult) and not created.is_error, created
    assert len(paid(sim)) == 1


async def test_an_accepted_answer_is_used_once(dirs, sim):
    arguments = video("a cat", allow_duplicate=True)  # so that only the one-time token stops a replay
    async with serving(dirs, sim, "auto", person("accept", []), **CONFIRM) as client:
        state = (await first_round(client, arguments)).request_state
        assert not (await answer_round(client, arguments, state)).is_error
        replay = await answer_round(client, arguments, state)
        assert replay.is_error and "already used" in text_of(replay)
    assert len(paid(sim)) == 1


async def test_a_changed_price_is_asked_again(dirs, sim):
    arguments = video("a cat")
    async with serving(dirs, sim, "auto", person("accept", []), **CONFIRM) as client:
        state = (await first_round(client, arguments)).request_state
        sim.config.prices["google/veo-3.1-fast"] = 0.9
        again = await answer_round(client, arguments, state)
        assert isinstance(again, types.InputRequiredResult) and "$0.90" in again.input_requests[KEY].params.message
        assert paid(sim) == []
        declined = await answer_round(client, arguments, again.request_state, "decline")
        assert declined.is_error and paid(sim) == []


async def test_a_changed_file_is_asked_again(dirs, sim):
    picture = dirs["in"] / "start.png"
    picture.write_bytes(PNG)
    arguments = {"model": "google/veo-3.1-fast", "input": {"prompt": "x", "start_image_url": str(picture)},
                 "wait_seconds": 0}
    async with serving(dirs, sim, "auto", person("accept", []), **CONFIRM) as client:
        state = (await first_round(client, arguments)).request_state
        picture.write_bytes(PNG + b"edited")  # same arguments, another request: the answer does not carry over
        again = await answer_round(client, arguments, state)
        assert isinstance(again, types.InputRequiredResult)
        assert not (await answer_round(client, arguments, again.request_state)).is_error
    assert len(paid(sim)) == 1


async def test_round_trip_over_stdio_with_the_2026_envelope(dirs):
    sim = make_sim(task_seconds=0.6)
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}}
    async with LoopbackSimulator(sim) as loop:
        raw = await RawSession.start(server_env(loop.url, dirs, UNIFICALLY_CONFIRM_ABOVE="0.2"))
        try:
            for prompt, action in (("a cat", "accept"), ("a dog", "decline")):
                params = {"name": "create_task", "arguments": video(prompt), "_meta": meta}
                asked = (await raw.request("tools/call", params))["result"]
                assert asked["resultType"] == "input_required" and asked["requestState"].startswith("v1.")
                assert "$0.40" in asked["inputRequests"][KEY]["params"]["message"]
                answer = {"action": action, "content": {"confirm": True}} if action == "accept" else {"action": action}
                done = (await raw.request("tools/call", {**params, "inputResponses": {KEY: answer},
                                                         "requestState": asked["requestState"]}))["result"]
                assert done["isError"] is (action == "decline"), done
        finally:
            await raw.close()
    assert len(paid(sim)) == 1


async def test_consent_comes_before_an_mcp_task_is_opened(dirs, sim):
    meta = envelope()
    meta["io.modelcontextprotocol/clientCapabilities"]["elicitation"] = {}
    params = {"name": "generate_video_veo", "arguments": {"model": "google/veo-3.1-fast", "prompt": "a cat"},
              "_meta": meta}  # a slow model: with the tasks extension it is answered with a task
    async with Wire.open(build_server(make_settings(dirs, **CONFIRM), sim.transport())) as wire:
        asked = await wire.result("tools/call", params)
        assert asked["resultType"] == "input_required" and paid(sim) == []
        accepted = {**params, "inputResponses": {KEY: {"action": "accept", "content": {"confirm": True}}},
                    "requestState": asked["requestState"]}
        task = await wire.result("tools/call", accepted)
        assert task["resultType"] == "task" and task["taskId"].startswith("mt_")
    assert len(paid(sim)) == 1


async def legacy_task_call(wire: Wire, prompt: str, answer: dict | None) -> dict:
    """A 2025-11-25 task-augmented call; the elicitation it sends (if any) is answered with `answer`."""
    out: dict = {}

    async def call() -> None:
        arguments = {"model": "google/veo-3.1-fast", "prompt": prompt}
        out["answer"] = await wire.request("tools/call", {"name": "generate_video_veo", "task": {"ttl": 60_000},
                                                          "arguments": arguments})

    before = len(wire.lines)
    async with anyio.create_task_group() as group:
        group.start_soon(call)
        if answer is not None:  # the first elicitation request this call made (Wire.until polls a method)
            asked = await RawSession.until(wire, lambda line: line.get("method") == "elicitation/create"
                                           and line in wire.lines[before:])
            assert "$0.40" in asked["params"]["message"]
            await wire.send({"jsonrpc": "2.0", "id": asked["id"], "result": answer})
    return out["answer"]["result"]


async def refusal_of(wire: Wire, answer: dict) -> dict:
    """The tool result behind a task handle that ended at once (a refusal)."""
    handle = answer["task"]
    assert (await wire.result("tasks/get", {"taskId": handle["taskId"]}))["status"] == "failed"
    return await wire.result("tasks/result", {"taskId": handle["taskId"]})


async def test_a_task_augmented_call_passes_the_same_gate(dirs, sim):
    """2025-11-25 MCP Tasks: the question comes before the task handle; a refusal creates nothing upstream (the
    call, sent with `task`, still gets a task handle: one that has failed, whose tasks/result is the refusal)."""
    async with Wire.open(build_server(make_settings(dirs, **CONFIRM), sim.transport())) as wire:
        await wire.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}},
                                          "clientInfo": {"name": "raw", "version": "0"}})
        await wire.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        declined = await refusal_of(wire, await legacy_task_call(wire, "a fox", {"action": "decline"}))
        assert declined["isError"] and "declined" in declined["content"][0]["text"]
        assert paid(sim) == []
        accepted = await legacy_task_call(wire, "a hare", {"action": "accept", "content": {"confirm": True}})
        assert accepted["task"]["status"] == "working" and len(paid(sim)) == 1
    async with Wire.open(build_server(make_settings(dirs, max_cost_per_task=0.1), sim.transport())) as wire:
        await wire.initialize("2025-11-25")
        over = await refusal_of(wire, await legacy_task_call(wire, "an owl", None))
        assert over["isError"] and "per-task limit" in over["content"][0]["text"]
    assert len(paid(sim)) == 1
