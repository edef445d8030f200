"""A hostile or broken API: every answer is untrusted data, and no answer can crash, poison or mislead us.

Ambiguous creates (a redirect, a 408, an unusable task id) stay visible as `unknown` and are never resent;
task ids never steer a URL path; errors come back with their message in every shape; oversized, compressed
and endless bodies are refused with flat memory.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest
from mcp.client import Client

from mcp_server import errors as E
from mcp_server.client import UnificallyClient
from mcp_server.server import build_server
from mcp_server.simulator import Fault, LoopbackSimulator
from tests.conftest import make_settings, make_sim, posts, text_of

pytestmark = pytest.mark.anyio

VEO = {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}}


@pytest.fixture
def mode() -> str:
    """One protocol era is enough here: these tests are about the upstream, not the MCP transport."""
    return "auto"


def envelope(data: object) -> str:
    return json.dumps({"success": True, "code": 200, "data": data})


async def unknown_rows(client: Client) -> list[dict]:
    return (await client.call_tool("list_tasks", {"status": "unknown"})).structured_content["tasks"]


# ----- ambiguous creates ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "headers"), [
    (302, {"location": "http://api.test/v1/tasks"}),
    (307, {"location": "http://api.test/v1/tasks"}),  # a client following it would POST (and pay) again
    (308, {"location": "http://elsewhere.test/v1/tasks"}),
    (408, {}),
])
async def test_redirect_or_408_on_create_is_ambiguous_and_never_resent(client, sim, status, headers):
    sim.add_fault(Fault(kind="raw", method="POST", path="/v1/tasks", status=status, headers=headers,
                        body=envelope({"message": "moved"}), processed=True))
    result = await client.call_tool("create_task", VEO)
    assert result.is_error and "NOT resent" in text_of(result), text_of(result)
    assert len(posts(sim)) == 1 and len(sim.created_tasks()) == 1  # it exists upstream, sent once
    assert [r.method for r in sim.requests] == ["POST"]
    [row] = await unknown_rows(client)
    assert row["model"] == VEO["model"]


@pytest.mark.parametrize("task_id", ["../../account", "abc?x=1", "a#b", "a/b", "a\u0000b", "a\nb", "..", "",
                                     "\ud800", "x" * 129, 3.5, None])
async def test_an_unusable_task_id_on_create_is_ambiguous(client, sim, task_id):
    sim.add_fault(Fault(kind="raw", method="POST", path="/v1/tasks", processed=True,
                        body=envelope({"task_id": task_id, "status": "pending"})))
    result = await client.call_tool("create_task", VEO)
    assert result.is_error and "NOT resent" in text_of(result) and "task_id" in text_of(result)
    assert [r.path for r in sim.requests] == ["/v1/tasks"]  # no read went anywhere
    assert len(await unknown_rows(client)) == 1 and len(sim.created_tasks()) == 1


@pytest.mark.parametrize(("tool", "task_id"), [
    ("get_task", "../account"), ("get_task", "a/b"), ("get_task", "x?y=1"), ("get_task", "a#b"),
    ("get_task", "%2e%2e"), ("wait_for_task", "a\nb"), ("wait_for_task", ".."), ("wait_for_task", " x"),
    ("wait_for_task", "t" * 129),
])
async def test_a_callers_bad_task_id_is_refused_before_sending(client, sim, tool, task_id):
    result = await client.call_tool(tool, {"task_id": task_id, **({"wait_seconds": 0} if tool != "get_task"
                                                                  else {})})
    assert result.is_error and "task_id:" in text_of(result) and "not a task id" in text_of(result)
    assert sim.requests == []


async def test_task_ids_from_the_docs_and_the_simulator_are_accepted(client, sim):
    from mcp_server.untrusted import is_task_id, task_path

    for good in ("abc123def456", "9d489f02-316f-4386-8188-dc19540d56f5", "task_01.a-b"):
        assert is_task_id(good) and task_path(good) == f"/v1/tasks/{good}"
    assert task_path("ns:42") == "/v1/tasks/ns%3A42"  # allowed, and escaped all the same
    created = await client.call_tool("create_task", {**VEO, "wait_seconds": 0})
    done = await client.call_tool("wait_for_task", {"task_id": created.structured_content["task_id"]})
    assert done.structured_content["status"] == "completed"


async def test_a_read_answer_cannot_substitute_another_task_id(client, sim):
    created = await client.call_tool("create_task", {**VEO, "wait_seconds": 0})
    task_id = created.structured_content["task_id"]
    sim.add_fault(Fault(kind="raw", method="GET", path=f"/v1/tasks/{task_id}",
                        body=envelope({"task_id": "../../other", "status": "processing"})))
    result = await client.call_tool("get_task", {"task_id": task_id})
    assert result.structured_content["task_id"] == task_id


# ----- redirects on reads ---------------------------------------------------------------------------------
async def test_reads_follow_redirects_only_within_the_api_origin(client, sim):
    sim.add_fault(Fault(kind="raw", path="/account", status=302, headers={"location": "/v1/account"}))
    followed = await client.call_tool("get_account", {})
    assert not followed.is_error, text_of(followed)
    assert [r.path for r in sim.requests] == ["/account", "/v1/account"]
    assert sim.requests[-1].headers["authorization"].startswith("Bearer ")
    sim.add_fault(Fault(kind="raw", path="/account", status=302, headers={"location": "http://evil.test/steal"}))
    refused = await client.call_tool("get_account", {})
    assert refused.is_error and "not followed" in text_of(refused)
    assert "/steal" not in [r.path for r in sim.requests]


# ----- error shapes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "expected"), [
    ({"error": {"message": "quota exceeded for project"}}, "(400): quota exceeded for project"),
    ({"error": "model is overloaded"}, "(400): model is overloaded"),
    ({"message": "prompt too long"}, "(400): prompt too long"),
    ({"detail": "Not authenticated here"}, "(400): Not authenticated here"),
    ({"detail": [{"loc": ["body", "input"], "msg": "field required"}]}, "(400): field required"),
    ({"success": False, "code": 400, "error": {"message": "nested in envelope"}}, "(400): nested in envelope"),
])
async def test_errors_in_every_documented_shape_keep_their_message(client, sim, body, expected):
    sim.add_fault(Fault(kind="raw", method="POST", path="/v1/tasks", status=400, body=json.dumps(body)))
    result = await client.call_tool("create_task", VEO)
    assert result.is_error and expected in text_of(result), text_of(result)
    assert await unknown_rows(client) == []  # a refusal: nothing was created


async def test_an_error_shape_with_a_success_status_is_told(client, sim):
    sim.add_fault(Fault(kind="raw", path="/account", body=json.dumps({"error": {"message": "account locked"}})))
    result = await client.call_tool("get_account", {})
    assert result.is_error and "account locked" in text_of(result)


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a": ' * 5000 + "1" + "}" * 5000, '{"a": ' * 100 + "1" + "}" * 100])
async def test_unreadable_json_is_a_clear_error_not_a_crash(client, sim, body):
    sim.add_fault(Fault(kind="raw", path="/account", body=body, times=2))
    result = await client.call_tool("get_account", {})
    assert result.is_error and "internal error" not in text_of(result), text_of(result)
    assert "non-JSON" in text_of(result) or "nested" in text_of(result)


# ----- size, compression, endless bodies ------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["gzip_bomb", "endless"])
async def test_huge_answers_are_refused_with_flat_memory(dirs, kind):
    sim = make_sim()
    sim.add_fault(Fault(kind=kind, path="/account", size=1 << 30, times=-1))
    async with LoopbackSimulator(sim) as loop:
        client = UnificallyClient(make_settings(dirs, base_url=loop.url, max_response_bytes=1 << 20))
        tracemalloc.start()
        try:
            with pytest.raises(E.ProtocolViolation, match="larger than 1024 KB"):
                await client.get_account()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            await client.aclose()
    assert peak < 24 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"


async def test_a_huge_answer_to_a_create_is_ambiguous(dirs):
    sim = make_sim()
    sim.add_fault(Fault(kind="gzip_bomb", path="/v1/tasks", size=64 << 20, processed=True))
    async with LoopbackSimulator(sim) as loop, \
            Client(build_server(make_settings(dirs, base_url=loop.url, max_response_bytes=1 << 20))) as client:
        result = await client.call_tool("create_task", VEO)
        assert result.is_error and "NOT resent" in text_of(result) and "larger than" in text_of(result)
        assert len(await unknown_rows(client)) == 1
    assert len(posts(sim)) == 1 and len(sim.created_tasks()) == 1


async def test_a_create_has_its_own_shorter_timeout(dirs):
    sim = make_sim()
    sim.add_fault(Fault(kind="slow", delay=0.4, path="/account", times=1))
    sim.add_fault(Fault(kind="slow", delay=0.4, path="/v1/tasks", method="POST", times=1))
    settings = make_settings(dirs, request_timeout=5, create_timeout=0.2)
    async with Client(build_server(settings, sim.transport())) as client:
        assert not (await client.call_tool("get_account", {})).is_error  # a read may take its time
        result = await client.call_tool("create_task", VEO)
        assert result.is_error and "NOT resent" in text_of(result)
    with pytest.raises(E.InvalidInput, match="create_timeout"):
        from mcp_server.settings import Settings

        Settings.from_env({"UNIFICALLY_CREATE_TIMEOUT": "90"})


# ----- the status line, and creates whose answer contradicts itself ----------------------------------------
def mock_client(dirs, status: int, *, reason: bytes | None = None, **answer: object) -> UnificallyClient:
    import httpx2

    from mcp_server.retry import RetryPolicy

    extensions = {"reason_phrase": reason} if reason is not None else {}
    transport = httpx2.MockTransport(lambda request: httpx2.Response(status, extensions=extensions, **answer))
    return UnificallyClient(make_settings(dirs), transport, RetryPolicy(attempts=1))


@pytest.mark.parametrize("status", [400, 503])
async def test_the_status_line_is_cleaned_like_the_body(dirs, status):
    from tests.conftest import API_KEY

    client = mock_client(dirs, status, reason=b"Denied for " + API_KEY.upper().encode(), content=b"")
    try:
        with pytest.raises(E.UnificallyError) as raised:
            await client.get_account()
    finally:
        await client.aclose()
    assert "Denied for [redacted]" in raised.value.message and API_KEY[:8].lower() not in raised.value.message.lower()


@pytest.mark.parametrize(("status", "body"), [
    (408, {"success": False, "code": 400, "data": {"message": "bad"}}),  # the HTTP 408 wins: ambiguous
    (502, {"success": False, "code": 400, "data": {"message": "bad"}}),  # a 5xx is ambiguous whatever the body
    (200, {"success": "true", "code": 200, "data": {"task_id": "abc"}}),  # not the envelope: unreadable
])
async def test_a_create_answer_that_contradicts_itself_is_ambiguous(dirs, status, body):
    client = mock_client(dirs, status, json=body)
    try:
        with pytest.raises((E.OutcomeUnknown, E.ServerError)) as raised:
            await client.create_task("google/veo-3.1-fast", {"prompt": "x"})
    finally:
        await client.aclose()
    assert not isinstance(raised.value, E.BadRequest)
