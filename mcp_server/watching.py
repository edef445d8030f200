"""One poller per task, however many calls wait for it.

A `TaskWatch` holds what is known of one upstream task (the latest status read, or the error that ended the
polling) and runs a single poller while anyone waits: tool calls in their bounded wait, MCP tasks, background
work. The poller follows `PollSchedule` (shaped by the task's age and the model's typical duration); a waiter
that needs a fresh answer (it just arrived, and the last read is older than the schedule's minimum gap) pokes
it to read at once. Each waiter keeps its own budget and its own progress notifications (at least one every
`HEARTBEAT` seconds), and a cancelled waiter just leaves: the poller stops when nobody waits any more or the
task ended. `on_change` hears every new status (the server journals it).

Across replicas sharing a journal, the poller of a task runs on one replica at a time (`watch_sharing`). A task
created with our webhook (`webhook`) is polled far apart: the delivery pokes its poller (`Watchers.hint`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.abc

from mcp_server.errors import UnificallyError
from mcp_server.journal.coordination import Coordination, Key, as_key
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
from mcp_server.watch_sharing import SharedPolling

log = logging.getLogger(__name__)
Spawn = Callable[..., None]  # spawn(async_fn, *args): run in the server's background task group
OnChange = Callable[[dict[str, Any]], Awaitable[None]]
LOCAL = Coordination()


class TaskWatch(SharedPolling):
    def __init__(self, key: Any, fetch: GetTaskFn, task_id: str, *, time: TimeBase, typical: float | None,
                 created_at: float, schedule: PollSchedule, on_change: OnChange | None,
                 coordination: Coordination = LOCAL, webhook: bool = False) -> None:
        self.key, self.task_id, self.time = key, task_id, time
        self._fetch, self._typical, self._created_at = fetch, typical, created_at
        self._schedule, self._on_change = schedule, on_change
        self._coord, self._shared_key = coordination, as_key(key)
        self.webhook = webhook  # our webhook is expected: poll far apart, a delivery pokes
        self.latest: dict[str, Any] | None = None
        self.latest_at = float("-inf")
        self.reads = 0
        self.error: UnificallyError | None = None
        self.waiters = 0
        self.running = False
        self.holding = False  # this replica holds the task's poller lease
        self._adopted = 0  # the shared row's read count last adopted
        self._changed = anyio.Event()
        self._wake = anyio.Event()
        self._poke = self._hinted = self._reading = False
        self._needed = float("-inf")  # a read newer than this is what the pokes since the last one ask for
        self._next_at = float("-inf")  # when the schedule has the holder read next

    @property
    def ended(self) -> bool:
        return self.error is not None or (self.latest is not None and self.latest["status"] in TERMINAL)

    def poke(self, after: float | None = None) -> None:
        """Ask the poller for a read newer than `after` (default: now), e.g. a waiter that needs a fresh status.
        A read in flight is one: it ends after the poke, which is all a waiter asks of it."""
        if not self._reading:
            self._poke = True
            self._needed = max(self._needed, self.time.monotonic() if after is None else after)
        self._wake.set()

    def hint(self) -> None:
        """A webhook says the task changed: read now, wherever the poller runs (a read in flight may have
        started before the news: it does not count)."""
        self._hinted = self._poke = True
        self._wake.set()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    def _gap(self) -> float:
        gap = self._schedule.next_gap(self.time.monotonic() - self._created_at, self._typical)
        return max(gap, self._schedule.webhook_gap) if self.webhook else gap

    async def run(self, done: Callable[[TaskWatch], None]) -> None:
        """The poller: claim the task, read, tell the waiters, sleep the schedule's gap (or until poked); or,
        while another replica holds the task, follow its reads. Stop when no one waits or the task ended."""
        try:
            while self.waiters > 0 and not self.ended:
                self._wake = anyio.Event()  # before the claim: an event arriving during it is not lost
                claim = await self._claim()
                self._adopt(claim)
                if self.ended:
                    break
                if not claim.held:
                    await self._follow(claim)
                    continue
                if self._due():
                    await self._read()
                    self._next_at = self.time.monotonic() + self._gap()
                    if self.ended or self._poke:
                        continue
                else:  # woken by a poke that a read already answers (one adopted, or in flight when it came)
                    self._poke, self._needed = False, float("-inf")
                self._wake = anyio.Event()
                with anyio.move_on_after(self.time.real(max(0.0, self._next_at - self.time.monotonic()))):
                    await self._wake.wait()
        finally:
            self.running = False
            if self.holding:
                await self._release()
            done(self)
            self._notify()

    def _due(self) -> bool:
        """Whether the holder reads now: its first read, the schedule's, a hint, or a poke no read answers."""
        return (self.latest is None or self._hinted or self.time.monotonic() >= self._next_at
                or (self._poke and self.latest_at < self._needed))

    async def _read(self) -> None:
        """One upstream read by the holder: journal a new status, publish it to the other replicas."""
        self._poke = self._hinted = False
        self._reading = True
        try:
            data = dict(await self._fetch(self.task_id))
        except UnificallyError as error:
            self.error = error
            return
        finally:
            self._reading = False
        data["status"] = normalise_status(data.get("status"))
        changed = self.latest is None or self.latest.get("status") != data["status"]
        self.latest, self.latest_at, self.reads = data, self.time.monotonic(), self.reads + 1
        if changed and self._on_change is not None:
            try:
                await self._on_change(data)
            except Exception as exc:  # journaling a status must never stop the polling
                log.warning("recording status of %s failed: %s", self.task_id, exc)
        try:
            shared = await self._coord.publish(self._shared_key, data)
            self._adopted = max(self._adopted, shared or 0)  # never adopt our own read back from the row
        except Exception as exc:
            log.warning("sharing the status of %s failed: %s", self.task_id, exc)
        self._notify()

    async def wait(self, budget: float, progress: Progress, *, fallback: dict[str, Any] | None = None,
                   label: str = "", since: float | None = None) -> dict[str, Any]:
        """Wait up to `budget` seconds for the task to end. A status read at the start (unless one is known
        from at most the schedule's minimum gap before the call began, `since`) and one at the end of the
        budget (unless the poller's last is recent) bracket the wait; the result is the last status seen,
        marked `stale` when no read finished by the budget plus `READ_GRACE`."""
        time, recent = self.time, self._schedule.min_gap
        started = time.monotonic()
        deadline = started + budget
        fresh_from = min(started, since if since is not None else started) - recent
        if self.latest_at < fresh_from:
            self.poke(fresh_from)
        told, final_poke = -1, False
        while True:
            if self.error is not None:
                raise self.error
            now = time.monotonic()
            latest, latest_at = self.latest, self.latest_at  # read together: no await in between
            if latest is not None and self.reads != told:
                told = self.reads
                await progress(describe(latest["status"], now - started, self._typical, label))
                continue  # the status may have changed while the notification went out
            if latest is not None and latest["status"] in TERMINAL:
                return latest
            if now >= deadline:
                if latest is not None and latest_at >= max(started, deadline - recent):
                    return latest
                if now >= deadline + READ_GRACE:
                    break
                if not final_poke:
                    final_poke = True
                    self.poke(deadline - recent)
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
    """The registry: one `TaskWatch` per key (owner, task id) while anyone waits for it; across replicas, the
    watches of one task share one poller through `coordination`."""

    def __init__(self, spawn: Spawn, time: TimeBase = REAL_TIME, schedule: PollSchedule | None = None,
                 coordination: Coordination = LOCAL) -> None:
        self._spawn, self.time = spawn, time
        self.schedule = schedule or PollSchedule()
        self.coordination = coordination
        self._watches: dict[Any, TaskWatch] = {}
        coordination.listen(self._on_event)

    def peek(self, key: Any) -> TaskWatch | None:
        """The watch of a task someone is waiting for, if any (its `latest` status)."""
        return self._watches.get(key)

    def hint(self, key: Any) -> bool:
        """A webhook delivery for this task: its watch here reads now (or has the holder read); False when
        nobody here waits for it."""
        watch = self._watches.get(key)
        if watch is not None:
            watch.hint()
        return watch is not None

    def _on_event(self, event: str, key: Key | None, within: float | None = None) -> None:
        for watch in list(self._watches.values()) if key is None else [self._watches.get(key)]:
            if watch is not None:
                watch.remote(event, within)

    async def wait(self, key: Any, fetch: GetTaskFn, task_id: str, budget: float, progress: Progress, *,
                   typical: float | None = None, age: float = 0.0, on_change: OnChange | None = None,
                   fallback: dict[str, Any] | None = None, label: str = "", webhook: bool = False,
                   since: float | None = None) -> dict[str, Any]:
        """Wait for a task for at most `budget` seconds, joining its poller (or starting one); `since` is when
        the call began (a read from then on is fresh for it)."""
        watch = self._watches.get(key)
        if watch is None:
            watch = self._watches[key] = TaskWatch(
                key, fetch, task_id, time=self.time, typical=typical, created_at=self.time.monotonic() - age,
                schedule=self.schedule, on_change=on_change, coordination=self.coordination, webhook=webhook)
        watch.webhook = watch.webhook or webhook
        watch.waiters += 1
        try:
            if not watch.running:
                watch.running = True
                self._spawn(watch.run, self._forget)
            return await watch.wait(budget, progress, fallback=fallback, label=label, since=since)
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
