"""One poller per task, however many calls wait for it.

A `TaskWatch` holds what is known of one upstream task (the latest status read, or the error that ended the
polling) and runs a single poller while anyone waits: tool calls in their bounded wait, MCP tasks, background
work. The poller follows `PollSchedule` (shaped by the task's age and the model's typical duration); a waiter
that needs a fresh answer (it just arrived, and the last read is older than the schedule's minimum gap) pokes
it to read at once. Each waiter keeps its own budget and its own progress notifications (at least one every
`HEARTBEAT` seconds), and a cancelled waiter just leaves: the poller stops when nobody waits any more or the
task ended. `on_change` hears every new status (the server journals it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.abc

from mcp_server.errors import UnificallyError
from mcp_server.timebase import REAL_TIME, TimeBase
from mcp_server.waiting import (
    HEARTBEAT,
    READ_GRACE,
    TERMINAL,
    GetTaskFn,
    PollSchedule,
    Progress,
    describe,
    normalise_status,
)

log = logging.getLogger(__name__)
Spawn = Callable[..., None]  # spawn(async_fn, *args): run in the server's background task group
OnChange = Callable[[dict[str, Any]], Awaitable[None]]


class TaskWatch:
    def __init__(self, key: Any, fetch: GetTaskFn, task_id: str, *, time: TimeBase, typical: float | None,
                 created_at: float, schedule: PollSchedule, on_change: OnChange | None) -> None:
        self.key, self.task_id, self.time = key, task_id, time
        self._fetch, self._typical, self._created_at = fetch, typical, created_at
        self._schedule, self._on_change = schedule, on_change
        self.latest: dict[str, Any] | None = None
        self.latest_at = float("-inf")
        self.reads = 0
        self.error: UnificallyError | None = None
        self.waiters = 0
        self.running = False
        self._changed = anyio.Event()
        self._wake = anyio.Event()
        self._poke = False

    @property
    def ended(self) -> bool:
        return self.error is not None or (self.latest is not None and self.latest["status"] in TERMINAL)

    def poke(self) -> None:
        """Ask the poller to read now (a waiter needs a fresh status)."""
        self._poke = True
        self._wake.set()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def run(self, done: Callable[[TaskWatch], None]) -> None:
        """The poller: read, tell the waiters, sleep the schedule's gap (or until poked); stop when no one
        waits or the task ended."""
        try:
            while self.waiters > 0 and not self.ended:
                self._poke = False
                try:
                    data = dict(await self._fetch(self.task_id))
                except UnificallyError as error:
                    self.error = error
                    break
                data["status"] = normalise_status(data.get("status"))
                changed = self.latest is None or self.latest.get("status") != data["status"]
                self.latest, self.latest_at, self.reads = data, self.time.monotonic(), self.reads + 1
                if changed and self._on_change is not None:
                    try:
                        await self._on_change(data)
                    except Exception as exc:  # journaling a status must never stop the polling
                        log.warning("recording status of %s failed: %s", self.task_id, exc)
                self._notify()
                if self.ended or self._poke:
                    continue
                gap = self._schedule.next_gap(self.time.monotonic() - self._created_at, self._typical)
                self._wake = anyio.Event()
                with anyio.move_on_after(self.time.real(gap)):
                    await self._wake.wait()
        finally:
            self.running = False
            done(self)
            self._notify()

    async def wait(self, budget: float, progress: Progress, *, fallback: dict[str, Any] | None = None,
                   label: str = "") -> dict[str, Any]:
        """Wait up to `budget` seconds for the task to end. A status read at the start (unless a recent one is
        known) and one at the end of the budget (unless the poller's last is recent) bracket the wait; the
        result is the last status seen, marked `stale` when no read finished by the budget plus `READ_GRACE`."""
        time, recent = self.time, self._schedule.min_gap
        started = time.monotonic()
        deadline = started + budget
        if self.latest_at < started - recent:
            self.poke()
        told, final_poke = -1, False
        while True:
            if self.error is not None:
                raise self.error
            now = time.monotonic()
            latest = self.latest
            if latest is not None and self.reads != told:
                told = self.reads
                await progress(describe(latest["status"], now - started, self._typical, label))
            if latest is not None and latest["status"] in TERMINAL:
                return latest
            if now >= deadline:
                if latest is not None and self.latest_at >= max(started, deadline - recent):
                    return latest
                if now >= deadline + READ_GRACE:
                    break
                if not final_poke:
                    final_poke = True
                    self.poke()
            changed = self._changed
            heartbeat_at = progress.last_sent + HEARTBEAT
            until = min(heartbeat_at, deadline if now < deadline else deadline + READ_GRACE)
            with anyio.move_on_after(time.real(max(0.0, until - now))):
                await changed.wait()
            if not changed.is_set() and time.monotonic() >= heartbeat_at - 0.05:
                status = (self.latest or fallback or {"status": "pending"})["status"]
                await progress(describe(status, time.monotonic() - started, self._typical, label))
        if self.latest is not None:  # no read finished in time: the last one known
            return {**self.latest, "stale": True}
        return {"task_id": self.task_id, "status": "pending", **(fallback or {}), "stale": True}


class Watchers:
    """The registry: one `TaskWatch` per key (owner, task id) while anyone waits for it."""

    def __init__(self, spawn: Spawn, time: TimeBase = REAL_TIME, schedule: PollSchedule | None = None) -> None:
        self._spawn, self.time = spawn, time
        self.schedule = schedule or PollSchedule()
        self._watches: dict[Any, TaskWatch] = {}

    def peek(self, key: Any) -> TaskWatch | None:
        """The watch of a task someone is waiting for, if any (its `latest` status)."""
        return self._watches.get(key)

    async def wait(self, key: Any, fetch: GetTaskFn, task_id: str, budget: float, progress: Progress, *,
                   typical: float | None = None, age: float = 0.0, on_change: OnChange | None = None,
                   fallback: dict[str, Any] | None = None, label: str = "") -> dict[str, Any]:
        """Wait for a task for at most `budget` seconds, joining its poller (or starting one)."""
        watch = self._watches.get(key)
        if watch is None:
            watch = self._watches[key] = TaskWatch(
                key, fetch, task_id, time=self.time, typical=typical, created_at=self.time.monotonic() - age,
                schedule=self.schedule, on_change=on_change)
        watch.waiters += 1
        try:
            if not watch.running:
                watch.running = True
                self._spawn(watch.run, self._forget)
            return await watch.wait(budget, progress, fallback=fallback, label=label)
        finally:
            watch.waiters -= 1
            if watch.waiters == 0:
                watch.poke()  # let an idle poller stop now rather than after its next gap

    def _forget(self, watch: TaskWatch) -> None:
        if self._watches.get(watch.key) is watch:
            del self._watches[watch.key]


async def poll_until_done(get_task: GetTaskFn, task_id: str, *, budget: float, progress: Progress,
                          typical: float | None = None, age: float = 0.0, schedule: PollSchedule | None = None,
                          time: TimeBase = REAL_TIME, label: str = "") -> dict[str, Any]:
    """One caller's wait with a private poller (benchmarks, tests, tools without a server)."""
    async with anyio.create_task_group() as group:
        watchers = Watchers(lambda fn, *args: group.start_soon(fn, *args), time, schedule)
        result = await watchers.wait(task_id, get_task, task_id, budget, progress, typical=typical, age=age,
                                     label=label)
        group.cancel_scope.cancel()
    return result
