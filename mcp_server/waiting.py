"""The bounded wait: poll a task until it ends or the budget runs out, reporting progress on the way.

A tool call waits at most `budget` seconds (clients give up after about a minute), then hands back the task
handle; `wait_for_task` continues later. Polling follows `PollSchedule`: a few quick early checks for fast
tasks, then sparse polls that close in on the model's typical duration when the docs state one, then a
steady cadence. Cancellation (the client's `notifications/cancelled`) interrupts `anyio.sleep` at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio

log = logging.getLogger(__name__)

ReportFn = Callable[[float, float | None, str | None], Awaitable[None]]
GetTaskFn = Callable[[str], Awaitable[dict[str, Any]]]
Clock = Callable[[], float]

_STATUS = {
    "pending": "pending", "queued": "pending", "waiting": "pending", "created": "pending", "submitted": "pending",
    "processing": "processing", "running": "processing", "in_progress": "processing", "generating": "processing",
    "started": "processing",
    "completed": "completed", "succeeded": "completed", "success": "completed", "done": "completed",
    "complete": "completed", "finished": "completed",
    "failed": "failed", "error": "failed", "cancelled": "failed", "canceled": "failed", "timeout": "failed",
    "expired": "failed",
}
TERMINAL = frozenset({"completed", "failed"})


def normalise_status(raw: Any) -> str:
    """Map the API's status word onto pending | processing | completed | failed."""
    return _STATUS.get(str(raw or "").strip().lower().replace(" ", "_").replace("-", "_"), "processing")


@dataclass(frozen=True)
class PollSchedule:
    """When to poll next, given the time since the task was created and its typical duration (if known)."""

    early: tuple[float, ...] = (2.0, 5.0, 10.0)  # absolute checks for fast tasks
    min_gap: float = 2.0
    max_gap: float = 15.0
    tail_gap: float = 3.0  # cadence once the typical duration has passed

    def next_gap(self, age: float, typical: float | None) -> float:
        for mark in self.early:
            if age < mark - 1e-6:
                return max(0.5, mark - age)
        if typical and age < typical:
            # Close in on the expected end: halve the remaining time, never polling more often than min_gap.
            return max(self.min_gap, min(self.max_gap * 8, (typical - age) / 2))
        if typical:
            overdue = age - typical
            return min(self.max_gap, self.tail_gap + overdue * 0.1)
        return min(self.max_gap, max(self.min_gap, age * 0.25))


class Progress:
    """Sends `notifications/progress` with a strictly increasing value (seconds waited) and a message."""

    def __init__(self, report: ReportFn | None, clock: Clock = time.monotonic) -> None:
        self._report = report
        self._clock = clock
        self._start = clock()
        self._last = -1.0

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    async def __call__(self, message: str) -> None:
        if self._report is None:
            return
        value = max(round(self.elapsed, 1), round(self._last + 0.1, 1))
        self._last = value
        try:
            await self._report(value, None, message)
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as exc:  # a client that went away must not break the wait
            log.debug("progress notification not delivered: %s", exc)


def describe(status: str, waited: float, typical: float | None) -> str:
    hint = f" (this model typically takes ~{typical:.0f}s)" if typical else ""
    return f"{status} - {waited:.0f}s waited{hint}"


async def poll_until_done(get_task: GetTaskFn, task_id: str, *, budget: float, progress: Progress,
                          typical: float | None = None, age: float = 0.0, schedule: PollSchedule | None = None,
                          clock: Clock = time.monotonic,
                          sleep: Callable[[float], Awaitable[None]] = anyio.sleep) -> dict[str, Any]:
    """Poll until the task is completed/failed or `budget` seconds passed; returns the last task data.

    `age` is how long ago the task was created (it shapes the schedule); the returned dict's `status` is
    normalised. With budget 0 it makes exactly one read. `clock` and `sleep` may run on a scaled time base
    (the polling benchmark simulates minutes in seconds).
    """
    schedule = schedule or PollSchedule()
    started = clock()
    deadline = started + budget
    created_at = started - age
    while True:
        data = dict(await get_task(task_id))
        data["status"] = normalise_status(data.get("status"))
        now = clock()
        await progress(describe(data["status"], now - started, typical))
        if data["status"] in TERMINAL:
            return data
        remaining = deadline - now
        if remaining <= 0.05:
            return data
        await sleep(min(schedule.next_gap(now - created_at, typical), remaining))
