"""The pieces of a bounded wait: status words, the poll schedule, progress notifications and their wording.

A tool call waits at most its budget (clients give up after about a minute), then hands back the task handle;
`wait_for_task` continues later. The budget is a hard one (see `watching`): back-offs after a 429 and slow
status answers count against it, a read still in flight when it ends gets `READ_GRACE` more seconds, and the
last status seen is returned. Polling follows `PollSchedule`: a few quick early checks for fast tasks, then
sparse polls that close in on the model's typical duration when the docs state one, then a steady cadence.
Whatever the cadence, a progress notification goes out at least every `HEARTBEAT` seconds (clients that reset
their timeout on progress need it). All seconds are those of a `TimeBase` (real time, or the simulator's
scaled time).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio

from mcp_server.timebase import REAL_TIME

log = logging.getLogger(__name__)

ReportFn = Callable[[float, float | None, str | None], Awaitable[None]]
GetTaskFn = Callable[[str], Awaitable[dict[str, Any]]]
Clock = Callable[[], float]
HEARTBEAT = 10.0  # at most this long between two progress notifications
READ_GRACE = 5.0  # how long a status read in flight when the budget ends may still take

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
    webhook_gap: float = 60.0  # the fallback cadence while our webhook is expected (its delivery pokes)

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

    def __init__(self, report: ReportFn | None, clock: Clock = REAL_TIME.monotonic) -> None:
        self._report = report
        self._clock = clock
        self._start = clock()
        self._last = -1.0
        self.last_sent = self._start

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    async def __call__(self, message: str) -> None:
        self.last_sent = self._clock()
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


def describe(status: str, waited: float, typical: float | None, label: str = "") -> str:
    """A sentence a person can read: "veo-3.1-fast: processing, 40 s waited (typically ~100 s)"."""
    hint = f" (typically ~{typical:.0f} s)" if typical else ""
    return f"{label + ': ' if label else ''}{status}, {waited:.0f} s waited{hint}"
