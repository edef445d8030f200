"""The bounded wait: progress notifications, budget expiry returning the handle, cancellation, and the schedule."""

from __future__ import annotations

import time

import anyio
import pytest
from mcp.client import Client

from mcp_server.server import build_server
from mcp_server.waiting import PollSchedule, Progress, normalise_status
from mcp_server.watching import poll_until_done
from tests.conftest import SCALE, make_settings, make_sim, text_of

pytestmark = pytest.mark.anyio


async def test_progress_notifications_arrive_in_order(client, sim):
    sim.config.task_seconds = 2.5
    seen: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message))

    result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}},
                                    progress_callback=on_progress)
    assert result.structured_content["status"] == "completed"
    assert len(seen) >= 2
    values = [value for value, _ in seen]
    assert values == sorted(values) and len(set(values)) == len(values)  # strictly increasing
    assert all(message and "waited" in message for _, message in seen)
    assert "completed" in seen[-1][1]
    assert any(word in seen[0][1] for word in ("pending", "processing"))


async def test_budget_expiry_returns_the_task_handle_not_an_error(dirs):
    sim = make_sim(task_seconds=30)
    async with Client(build_server(make_settings(dirs, wait_seconds=1.0), sim.transport())) as client:
        started = time.monotonic()
        result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}})
        assert time.monotonic() - started < 5
    assert not result.is_error
    data = result.structured_content
    assert data["status"] in ("pending", "processing") and data["task_id"]
    assert "wait_for_task" in data["next_step"] and data["task_id"] in text_of(result)


async def test_wait_for_task_finishes_what_the_budget_left(dirs):
    sim = make_sim(task_seconds=2.5)
    async with Client(build_server(make_settings(dirs, wait_seconds=0.5), sim.transport())) as client:
        first = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}})
        task_id = first.structured_content["task_id"]
        done = await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 15})
    assert done.structured_content["status"] == "completed"
    assert len(sim.created_tasks()) == 1


async def test_cancellation_stops_polling_and_the_task_survives(dirs, mode):
    sim = make_sim(task_seconds=6)
    settings = make_settings(dirs, wait_seconds=60)
    async with Client(build_server(settings, sim.transport()), mode=mode) as client:
        got_progress = anyio.Event()

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            got_progress.set()

        async with anyio.create_task_group() as group:
            async def call() -> None:
                await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}},
                                       progress_callback=on_progress)

            group.start_soon(call)
            with anyio.fail_after(5):
                await got_progress.wait()
            group.cancel_scope.cancel()
        polls_at_cancel = len([r for r in sim.requests if r.method == "GET"])
        await anyio.sleep(12 / SCALE)  # longer than any gap of the early schedule
        assert len([r for r in sim.requests if r.method == "GET"]) == polls_at_cancel
        [task] = sim.created_tasks()
        listed = await client.call_tool("list_tasks", {})
        assert listed.structured_content["tasks"][0]["task_id"] == task["task_id"]
        done = await client.call_tool("wait_for_task", {"task_id": task["task_id"], "wait_seconds": 15})
        assert done.structured_content["status"] == "completed"


async def test_failed_task_is_an_error_with_id_and_reason(client, sim):
    sim.fail_model("google/veo-3.1-fast", "Content policy violation")
    result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}})
    assert result.is_error
    task_id = result.structured_content["task_id"]
    assert task_id in text_of(result) and "Content policy violation" in text_of(result)


def test_statuses_are_normalised():
    assert [normalise_status(s) for s in ("queued", "RUNNING", "succeeded", "error", None)] == [
        "pending", "processing", "completed", "failed", "processing"]


def test_schedule_closes_in_on_the_typical_duration():
    schedule = PollSchedule()
    age, polls = 0.0, []
    while age < 240:  # a task that completes at 240 s is seen by the first poll at or after 240 s
        age += schedule.next_gap(age, 240)
        polls.append(age)
    assert len(polls) <= 12
    assert polls[-1] - 240 < 4
    assert polls[:3] == [2.0, 5.0, 10.0]  # fast tasks are still caught early


async def test_cancelled_wait_stops_within_100_ms():
    """The poll loop sleeps in anyio, so a cancel interrupts it at once (no request after the cancel)."""
    calls: list[float] = []

    async def get_task(task_id: str) -> dict:
        calls.append(time.monotonic())
        return {"task_id": task_id, "status": "processing"}

    with anyio.CancelScope() as scope:
        async def cancel_soon() -> None:
            await anyio.sleep(0.3)
            scope.cancel()
            cancelled_at.append(time.monotonic())

        cancelled_at: list[float] = []
        async with anyio.create_task_group() as group:
            group.start_soon(cancel_soon)
            await poll_until_done(get_task, "t", budget=60, progress=Progress(None))
    assert time.monotonic() - cancelled_at[0] < 0.1
    assert len(calls) == 1 and calls[0] < cancelled_at[0]
