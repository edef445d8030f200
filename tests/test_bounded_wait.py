"""The wait is bounded, really: budgets that hold whatever the API does, heartbeats, downloads in the background,
cancellation that keeps what was seen, and a journal failure that never loses the task id."""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import anyio
import httpx2
import pytest
from mcp.client import Client

from mcp_server.errors import InvalidInput
from mcp_server.server import build_server
from mcp_server.simulator import Fault
from mcp_server.tools.finishing import SAVE_GRACE
from mcp_server.tools.tasks import budget_for
from mcp_server.waiting import HEARTBEAT, READ_GRACE
from tests.conftest import SCALE, make_settings, make_sim, text_of

pytestmark = pytest.mark.anyio
VEO = {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}}


class SlowFiles(httpx2.AsyncBaseTransport):
    """The simulator, with output downloads (GET /files/...) taking `delay` real seconds."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, delay: float) -> None:
        self.inner, self.delay = inner, delay

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.startswith("/files/"):
            await anyio.sleep(self.delay)
        return await self.inner.handle_async_request(request)


async def test_the_configured_cap_bounds_every_wait_and_shows_in_the_schemas(dirs):
    settings = make_settings(dirs, max_wait_seconds=20, wait_seconds=45)
    assert settings.wait_seconds == 20  # the cap wins over a larger default
    async with Client(build_server(settings, make_sim().transport())) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name in ("create_task", "wait_for_task", "generate_video_veo"):
            assert tools[name].input_schema["properties"]["wait_seconds"]["maximum"] == 20
        refused = await client.call_tool("create_task", {**VEO, "wait_seconds": 21})
        assert refused.is_error and "wait_seconds" in text_of(refused)


async def test_wait_seconds_rejects_negative_values_before_anything_is_sent(dirs):
    sim = make_sim()
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        result = await client.call_tool("create_task", {**VEO, "wait_seconds": -1.0})
    assert result.is_error and "wait_seconds" in text_of(result)
    assert not sim.created_tasks()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_wait_seconds_rejects_nan_and_infinities(dirs, bad):
    """JSON cannot carry them (clients send null, which means "not given", and the stdio reader refuses NaN
    literals), so the budget itself must refuse them whatever reaches it."""
    services = SimpleNamespace(settings=make_settings(dirs))
    with pytest.raises(InvalidInput, match="wait_seconds"):
        budget_for(services, {"wait_seconds": bad})
    assert budget_for(services, {"wait_seconds": None}) == 10


async def test_slow_status_answers_count_against_the_budget(dirs):
    sim = make_sim(task_seconds=600)
    sim.add_fault(Fault(kind="slow", delay=60 / SCALE * 4, method="GET", path="/v1/tasks/", times=-1))
    budget = 20.0
    async with Client(build_server(make_settings(dirs, wait_seconds=budget), sim.transport())) as client:
        started = time.monotonic()
        result = await client.call_tool("create_task", VEO)
        took = (time.monotonic() - started) * SCALE
    assert took <= budget + READ_GRACE + 8, took  # not the 240 s a status answer takes
    assert not result.is_error and result.structured_content["status"] in ("pending", "processing")
    assert "did not answer a status read" in text_of(result)


async def test_rate_limited_status_reads_count_against_the_budget(dirs):
    sim = make_sim(task_seconds=600)
    sim.add_fault(Fault(kind="rate_limit", lifted_in=8, method="GET", path="/v1/tasks/", times=-1))
    async with Client(build_server(make_settings(dirs, wait_seconds=10), sim.transport())) as client:
        started = time.monotonic()
        result = await client.call_tool("create_task", VEO)
        took = (time.monotonic() - started) * SCALE
    assert took <= 10 + READ_GRACE + 8, took  # not the 3 x 8 s of back-offs
    assert result.structured_content["task_id"] and len(sim.created_tasks()) == 1


async def test_progress_goes_out_at_least_every_heartbeat_with_a_readable_message(dirs):
    sim = make_sim(task_seconds=100)
    settings = make_settings(dirs, wait_seconds=45)
    seen: list[tuple[float, str]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((time.monotonic() * SCALE, message or ""))

    async with Client(build_server(settings, sim.transport())) as client:
        start = time.monotonic() * SCALE
        await client.call_tool("generate_video_veo", {"model": "google/veo-3.1-fast", "prompt": "x"},
                               progress_callback=on_progress)
    stamps = [start] + [at for at, _ in seen]
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert max(gaps) <= HEARTBEAT + 2.5, gaps  # the poll schedule alone leaves 15 s gaps here
    assert all("veo-3.1-fast" in message and "waited" in message for _, message in seen)


async def test_downloads_that_outlast_the_budget_finish_in_the_background(dirs):
    sim = make_sim(task_seconds=1)
    settings = make_settings(dirs, wait_seconds=6)
    async with Client(build_server(settings, SlowFiles(sim.transport(), delay=30 / SCALE))) as client:
        started = time.monotonic()
        result = await client.call_tool("create_task", VEO)
        assert (time.monotonic() - started) * SCALE < 15  # not the 30 s the downloads take
        data = result.structured_content
        assert data["status"] == "completed" and data["urls"] and not data.get("files")
        assert "still being saved in the background" in text_of(result)
        await anyio.sleep(40 / SCALE)
        again = await client.call_tool("get_task", {"task_id": data["task_id"]})
        assert again.structured_content["files"], text_of(again)
        listed = await client.call_tool("list_tasks", {})
        assert listed.structured_content["tasks"][0]["files"] == again.structured_content["files"]


async def test_a_cancelled_wait_leaves_the_last_status_seen(dirs):
    sim = make_sim(task_seconds=60)
    async with Client(build_server(make_settings(dirs, wait_seconds=45), sim.transport())) as client:
        with anyio.move_on_after(20 / SCALE):
            await client.call_tool("create_task", VEO)
        await anyio.sleep(0.1)
        listed = await client.call_tool("list_tasks", {})
    assert listed.structured_content["tasks"][0]["status"] == "processing"  # created as pending


async def test_a_journal_that_fails_after_the_create_still_returns_the_task_id(dirs, monkeypatch):
    from mcp_server.journal.sqlite import SqliteJournal

    sim = make_sim(task_seconds=1)
    real_created = SqliteJournal.created
    failures = {"left": 2}

    async def flaky_created(self, row, task_id, status):
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("disk full")
        return await real_created(self, row, task_id, status)

    monkeypatch.setattr(SqliteJournal, "created", flaky_created)
    async with Client(build_server(make_settings(dirs, wait_seconds=0), sim.transport())) as client:
        result = await client.call_tool("create_task", VEO)
        task_id = result.structured_content["task_id"]
        assert task_id == sim.created_tasks()[0]["task_id"]
        assert "journal could not record it" in text_of(result) and result.structured_content["warnings"]
        await anyio.sleep(5 / SCALE)  # the background retry (1 s, then 2 s) records it
        listed = await client.call_tool("list_tasks", {})
    assert listed.structured_content["tasks"][0]["task_id"] == task_id


async def test_back_offs_before_a_create_fit_in_the_budget(dirs):
    sim = make_sim(task_seconds=5)
    sim.add_fault(Fault(kind="rate_limit", lifted_in=25, method="POST", path="/v1/tasks", times=1))
    settings = make_settings(dirs, wait_seconds=10, create_timeout=0.5)  # an attempt: 10 simulated seconds
    async with Client(build_server(settings, sim.transport())) as client:
        started = time.monotonic()
        refused = await client.call_tool("create_task", VEO)
        assert (time.monotonic() - started) * SCALE < 10
        assert refused.is_error and "Try again in 25 s" in text_of(refused) and not sim.created_tasks()
        # the back-off fits, but a whole attempt after it would not: not retried, so the call ends in its budget
        sim.add_fault(Fault(kind="rate_limit", lifted_in=4, method="POST", path="/v1/tasks", times=1))
        started = time.monotonic()
        late = await client.call_tool("create_task", {**VEO, "wait_seconds": 12})
        assert (time.monotonic() - started) * SCALE < 12
        assert late.is_error and "Try again in 4 s" in text_of(late) and not sim.created_tasks()
        sim.add_fault(Fault(kind="rate_limit", lifted_in=4, method="POST", path="/v1/tasks", times=1))
        created = await client.call_tool("create_task", {**VEO, "wait_seconds": 30})
    assert created.structured_content["status"] == "completed" and len(sim.created_tasks()) == 1


@pytest.mark.parametrize("download_outputs", [True, False])
async def test_previews_of_unsaved_outputs_fit_in_the_same_budget(dirs, download_outputs):
    """An image whose download outlasts the budget (or that is never saved, as hosted) is not fetched again for
    its preview beyond the budget: the call still returns within budget + read grace + save grace."""
    sim = make_sim(task_seconds=1)
    settings = make_settings(dirs, wait_seconds=6, download_outputs=download_outputs)
    async with Client(build_server(settings, SlowFiles(sim.transport(), delay=60 / SCALE))) as client:
        started = time.monotonic()
        result = await client.call_tool("create_task", {"model": "black-forest-labs/flux.2-pro",
                                                        "input": {"prompt": "x"}})
        took = (time.monotonic() - started) * SCALE
    assert result.structured_content["status"] == "completed" and result.structured_content["urls"]
    assert took <= 6 + READ_GRACE + SAVE_GRACE + 3, took  # not the 100 s (5 real s) a preview fetch may take
