"""One poller per task across replicas sharing a PostgreSQL journal: the lease, its hand-over when the holder
lets go, its take-over when the holder dies, and waiters on other replicas woken by its reads (LISTEN/NOTIFY).

Each "replica" here is a journal and a `Watchers` of its own on the same schema; the upstream is a fake whose
status reads are counted."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import anyio
import pytest

from mcp_server import watch_sharing
from mcp_server.journal.postgres import PostgresJournal
from mcp_server.timebase import TimeBase
from mcp_server.waiting import PollSchedule, Progress
from mcp_server.watching import Watchers
from tests.conftest import SCALE

pytestmark = pytest.mark.anyio
TIME = TimeBase(SCALE)
KEY = ("", "t-shared")


class Upstream:
    """A task that completes `seconds` (simulated) after it was made; counts its status reads."""

    def __init__(self, seconds: float) -> None:
        self.done_at = TIME.monotonic() + seconds
        self.reads: list[float] = []

    async def fetch(self, task_id: str) -> dict:
        self.reads.append(time.monotonic())
        status = "completed" if TIME.monotonic() >= self.done_at else "processing"
        return {"task_id": task_id, "status": status}


@asynccontextmanager
async def replicas(url: str, count: int = 2, schedule: PollSchedule | None = None) -> AsyncIterator[list[Watchers]]:
    journals = [PostgresJournal(url) for _ in range(count)]
    async with anyio.create_task_group() as group:
        for journal in journals:
            await journal.open()
        try:
            yield [Watchers(lambda fn, *args: group.start_soon(fn, *args), TIME, schedule,
                            coordination=journal.coordination) for journal in journals]
        finally:
            group.cancel_scope.cancel()
    for journal in journals:
        await journal.close()


async def wait(watchers: Watchers, upstream: Upstream, results: list, budget: float = 45.0, key=KEY,
               webhook: bool = False) -> None:
    results.append(await watchers.wait(key, upstream.fetch, key[1], budget, Progress(None, TIME.monotonic),
                                       webhook=webhook))


async def test_waiters_on_two_replicas_share_one_poller(pg_url):
    shared, alone, results = Upstream(30), Upstream(30), []
    async with replicas(pg_url) as (a, b), anyio.create_task_group() as group:
        group.start_soon(wait, a, alone, results, 45.0, ("", "t-alone"))
        for watchers in (a, b, a, b, a, b, a, b):
            group.start_soon(wait, watchers, shared, results)
    assert [r["status"] for r in results] == ["completed"] * 9
    assert len(shared.reads) <= len(alone.reads) + 2, (len(shared.reads), len(alone.reads))


async def test_a_dead_holders_lease_is_taken_over_when_it_runs_out(pg_url):
    upstream, results = Upstream(10), []
    async with replicas(pg_url, 3) as (dead, b, _):
        claim = await dead.coordination.claim(KEY, 1.5)  # a replica that claimed, then died: never reads again
        assert claim.held
        started = time.monotonic()
        async with anyio.create_task_group() as group:
            group.start_soon(wait, b, upstream, results)
            await anyio.sleep(0.8)
            assert upstream.reads == []  # b follows the holder while its lease runs
        assert results[0]["status"] == "completed"
        assert upstream.reads[0] - started >= 1.4  # b read only once the lease had run out


async def test_a_holder_that_lets_go_hands_over_at_once(pg_url, monkeypatch):
    # Leases and safety re-reads of ~100 s: only the `free` event can hand the task over in time.
    monkeypatch.setattr(watch_sharing, "LEASE_SLACK", 2000.0)
    monkeypatch.setattr(watch_sharing, "SAFETY_REREAD", 2000.0)
    upstream, results = Upstream(30), []
    async with replicas(pg_url) as (a, b):
        with anyio.fail_after(8):  # b's own budget would end only after 15 s: a hand-over is what ends it
            async with anyio.create_task_group() as group:
                group.start_soon(wait, a, upstream, results, 20.0)  # a's only waiter leaves after 20 s (1 s real)
                while not upstream.reads:
                    await anyio.sleep(0.01)
                group.start_soon(wait, b, upstream, results, 300.0)
                await anyio.sleep(0.3)
                assert results == [] and not b.peek(KEY).holding  # b follows a
    assert [r["status"] for r in results] == ["processing", "completed"]


async def test_a_webhook_hint_on_a_follower_has_the_holder_read_now(pg_url, monkeypatch):
    # Polls 200 s apart, and any read in the last 50 s is "recent": only the hint has the holder read early.
    schedule = replace(PollSchedule(), webhook_gap=4000.0, min_gap=1000.0)
    monkeypatch.setattr(watch_sharing, "SAFETY_REREAD", 2000.0)
    results: list = []
    async with replicas(pg_url, schedule=schedule) as (a, b), anyio.create_task_group() as group:
        upstream = Upstream(20)  # done 1 s (real) from now
        group.start_soon(wait, a, upstream, results, 200.0, KEY, True)
        while not upstream.reads:
            await anyio.sleep(0.01)
        group.start_soon(wait, b, upstream, results, 200.0, KEY, True)
        while TIME.monotonic() < upstream.done_at or b.peek(KEY) is None:
            await anyio.sleep(0.01)
        reads = len(upstream.reads)  # completed upstream, and nobody knows yet
        with anyio.fail_after(8):  # the waiters' own budgets end after 10 s
            assert b.hint(KEY) and not b.peek(KEY).holding  # the delivery reached b, which does not poll
            while len(results) < 2:
                await anyio.sleep(0.01)
    assert [r["status"] for r in results] == ["completed"] * 2
    assert len(upstream.reads) <= reads + 2
