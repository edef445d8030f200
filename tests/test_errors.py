"""Every error class gives a clear isError result; retries honour "lifted in"; no retry ever pays twice."""

from __future__ import annotations

import time

import anyio
import pytest
from mcp.client import Client

from mcp_server.retry import RetryPolicy
from mcp_server.server import build_server
from mcp_server.simulator import Fault
from tests.conftest import API_KEY, SCALE, dump, make_settings, make_sim, posts, text_of

pytestmark = pytest.mark.anyio

CREATE = {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}}


async def call(client: Client, arguments: dict | None = None, tool: str = "create_task"):
    return await client.call_tool(tool, CREATE if arguments is None else arguments)


async def test_invalid_key_names_the_variable_and_never_the_key(dirs):
    sim = make_sim(api_key="the-right-key")
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        result = await call(client)
    assert result.is_error and "UNIFICALLY_API_KEY" in text_of(result) and "401" in text_of(result)
    assert API_KEY not in dump(result)
    assert len(posts(sim)) == 1  # a 401 is not retried


@pytest.mark.parametrize(("status", "message", "expected"), [
    (402, "Insufficient balance", "Insufficient balance (402"),
    (404, "Model not found", "not found (404"),
    (400, "Task generation failed", "(400): Task generation failed"),
    (422, "Missing required parameter: prompt", "(422): Missing required parameter: prompt"),
])
async def test_api_errors_are_clear_and_verbatim(client, sim, status, message, expected):
    sim.add_fault(Fault(kind="status", status=status, message=message, path="/v1/tasks", method="POST"))
    result = await call(client)
    assert result.is_error and expected in text_of(result)
    creates = [post for post in posts(sim) if not post.json.get("dry_run")]  # a 402 is explained with a dry run
    assert len(creates) == 1 and sim.created_tasks() == []


def retrying(dirs, sim, mode) -> Client:
    """A server whose create attempt (0.3 real s) fits with a back-off in the default scaled budget (0.5 real s):
    a create is retried only when the back-off and a whole attempt end within the call's budget."""
    return Client(build_server(make_settings(dirs, create_timeout=0.3), sim.transport()), mode=mode)


async def test_rate_limit_on_create_is_retried_after_lifted_in(dirs, sim, mode):
    sim.add_fault(Fault(kind="rate_limit", lifted_in=1, path="/v1/tasks", method="POST", times=1))
    started = time.monotonic()
    async with retrying(dirs, sim, mode) as client:
        result = await call(client)
    assert not result.is_error, text_of(result)
    assert time.monotonic() - started >= 1.0 / SCALE  # waited as the API asked (in simulated seconds)
    assert len(posts(sim)) == 2 and len(sim.created_tasks()) == 1


async def test_long_rate_limit_is_returned_with_when_to_retry(client, sim):
    sim.add_fault(Fault(kind="rate_limit", lifted_in=120, path="/v1/tasks", method="POST", times=1))
    result = await call(client)
    assert result.is_error and "429" in text_of(result) and "120 s" in text_of(result)
    assert len(posts(sim)) == 1


async def test_server_error_on_read_is_retried(client, sim):
    created = await call(client, {**CREATE, "wait_seconds": 0})
    task_id = created.structured_content["task_id"]
    sim.add_fault(Fault(kind="server_error", status=503, path=f"/v1/tasks/{task_id}", method="GET", times=2))
    result = await call(client, {"task_id": task_id}, tool="get_task")
    assert not result.is_error, text_of(result)
    assert len([r for r in sim.requests if r.method == "GET"]) == 3


async def test_server_error_on_create_is_not_resent(client, sim):
    sim.add_fault(Fault(kind="server_error", status=500, path="/v1/tasks", method="POST", times=1))
    result = await call(client)
    assert result.is_error and "500" in text_of(result)
    assert len(posts(sim)) == 1


async def test_connection_failure_before_sending_is_retried_once_created(dirs, sim, mode):
    sim.add_fault(Fault(kind="drop_before", path="/v1/tasks", method="POST", times=1))
    async with retrying(dirs, sim, mode) as client:
        result = await call(client)
    assert not result.is_error, text_of(result)
    assert len(sim.created_tasks()) == 1


@pytest.mark.parametrize("kind", ["drop_after", "slow"])
async def test_ambiguous_create_is_never_resent_and_stays_visible(dirs, kind):
    sim = make_sim(task_seconds=0.5)
    settings = make_settings(dirs, request_timeout=0.5)
    sim.add_fault(Fault(kind=kind, delay=2.0, path="/v1/tasks", method="POST", times=1))
    async with Client(build_server(settings, sim.transport())) as client:
        result = await call(client)
        assert result.is_error and "NOT resent" in text_of(result) and "list_tasks" in text_of(result)
        assert len(posts(sim)) == 1 and len(sim.created_tasks()) == 1  # created upstream, sent once
        listed = await client.call_tool("list_tasks", {"status": "unknown"})
        assert listed.structured_content["tasks"][0]["model"] == "google/veo-3.1-fast"


@pytest.mark.parametrize("kind", ["bad_json", "not_envelope"])
async def test_unreadable_answers(client, sim, kind):
    sim.add_fault(Fault(kind=kind, path="/account", times=10))
    result = await call(client, {}, tool="get_account")
    assert result.is_error
    assert ("non-JSON" if kind == "bad_json" else "envelope") in text_of(result)


async def test_unreachable_api_is_a_clear_error(dirs):
    settings = make_settings(dirs, base_url="http://127.0.0.1:9")  # nothing listens on the discard port
    async with Client(build_server(settings)) as client:
        result = await call(client, {}, tool="get_account")
    assert result.is_error and "Could not reach 127.0.0.1" in text_of(result)


def test_backoff_is_capped_and_honours_lifted_in():
    from mcp_server.errors import RateLimited, ServerError

    policy = RetryPolicy(attempts=10)
    assert all(policy.delay(n, ServerError("x")) <= policy.max_delay for n in range(9))
    assert 3.0 <= policy.delay(0, RateLimited("x", retry_after=3)) <= 3.0 + policy.jitter
    assert policy.delay(0, RateLimited("x", retry_after=999)) is None
    assert RetryPolicy(attempts=2).delay(1, ServerError("x")) is None


async def test_slow_reads_time_out_retry_and_then_say_so(dirs):
    sim = make_sim()
    sim.add_fault(Fault(kind="slow", delay=2.0, path="/account", times=-1))
    async with Client(build_server(make_settings(dirs, request_timeout=0.3), sim.transport())) as client:
        result = await call(client, {}, tool="get_account")
    assert result.is_error and "did not answer in time" in text_of(result)
    assert len([r for r in sim.requests if r.path == "/account"]) == RetryPolicy().attempts


async def test_create_cancelled_in_flight_still_journals_the_task_id(client, sim):
    """The create completes under a shield; the cancellation takes effect once the id is journaled."""
    sim.add_fault(Fault(kind="slow", delay=1.0, path="/v1/tasks", method="POST", times=1))
    with anyio.move_on_after(0.3):
        await call(client)
    await anyio.sleep(1.2)  # the simulator answers the create meanwhile
    listed = await client.call_tool("list_tasks", {})
    [row] = listed.structured_content["tasks"]
    [task] = sim.created_tasks()
    assert row["task_id"] == task["task_id"] and row["status"] in ("pending", "processing", "completed")
    polls = [r for r in sim.requests if r.method == "GET" and r.path.startswith("/v1/tasks/")]
    assert not polls  # and after the id was journaled, the cancelled call stopped: no waiting


async def test_server_error_on_create_is_journaled_as_unknown(client, sim):
    sim.add_fault(Fault(kind="server_error", status=502, path="/v1/tasks", method="POST", times=1))
    result = await call(client)
    assert "may or may not have been created" in text_of(result)
    listed = await client.call_tool("list_tasks", {"status": "unknown"})
    assert len(listed.structured_content["tasks"]) == 1
