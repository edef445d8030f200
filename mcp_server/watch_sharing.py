"""How a task's watch shares the polling with the other replicas of a shared journal (`journal.coordination`):
a mixin of `watching.TaskWatch`.

Before each read a watch claims the task's lease. The holder reads upstream and publishes what it read; a watch
that does not hold the lease (a follower) reads nothing upstream: it adopts the holder's answers when told
(`read`), asks the holder for a fresher read when one of its waiters needs it (`poke`, or `hint` for a webhook's
news), and claims the lease when the holder lets go (`free`) or its lease runs out (a replica that died). A
journal that cannot coordinate never stops the polling: the watch then polls as if alone.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio

from mcp_server.journal.coordination import Claim, Coordination, Key
from mcp_server.timebase import TimeBase
from mcp_server.waiting import PollSchedule

log = logging.getLogger(__name__)
LEASE_SLACK = 20.0  # time-base seconds a poller lease outlasts the gap it covers (at least MIN_SLACK real ones)
MIN_SLACK = 1.0
SAFETY_REREAD = 60.0  # a follower re-reads the shared row at least this often (time-base seconds)


class SharedPolling:
    """The cross-replica half of a `TaskWatch` (which supplies these attributes and `poke`, `hint`, `_gap`,
    `_notify`)."""

    task_id: str
    time: TimeBase
    holding: bool
    latest: dict[str, Any] | None
    latest_at: float
    reads: int
    _coord: Coordination
    _shared_key: Key
    _schedule: PollSchedule
    _wake: anyio.Event
    _adopted: int
    _poke: bool
    _hinted: bool
    _needed: float

    def remote(self, event: str, within: float | None = None) -> None:
        """An event from another replica: a follower wakes to adopt a read or claim a freed lease; the holder
        reads when hinted, or poked for a read no older than `within` real seconds than it has."""
        if self.holding:
            if event == "poke":
                self.poke(None if within is None else self.time.monotonic() - within * self.time.scale)
            elif event == "hint":
                self.hint()
        elif event in ("read", "free"):
            self._wake.set()

    async def _claim(self) -> Claim:
        lease = max(self.time.real(self._gap() + LEASE_SLACK), self.time.real(self._gap()) + MIN_SLACK)
        try:
            claim = await self._coord.claim(self._shared_key, lease)
        except Exception as exc:  # a journal that cannot coordinate: poll as if alone rather than not at all
            log.warning("claiming the poller of %s failed (%s); polling it from here", self.task_id, exc)
            claim = Claim(held=True)
        self.holding = claim.held
        return claim

    def _adopt(self, claim: Claim) -> None:
        """Take over the holder's latest answer from the shared row, once per read."""
        seen = claim.seen
        if seen.answer is None or seen.reads <= self._adopted or seen.age is None:
            return
        self._adopted = seen.reads
        latest_at = self.time.monotonic() - seen.age * self.time.scale
        if latest_at > self.latest_at:
            self.latest, self.latest_at, self.reads = dict(seen.answer), latest_at, self.reads + 1
            self._notify()

    async def _follow(self, claim: Claim) -> None:
        """Another replica polls: ask it for a fresh read when a waiter here needs one, then sleep until it
        reads, lets go, or its lease runs out."""
        if self._poke:  # what the holder read (adopted) may do; a holder yet to read is about to
            stale = claim.seen.answer is not None and self.latest_at < self._needed
            if self._hinted or stale:
                within = max(0.0, self.time.real(self.time.monotonic() - self._needed))
                try:
                    await self._coord.poke(self._shared_key, hint=self._hinted, within=within)
                except Exception as exc:
                    log.warning("asking for a read of %s failed: %s", self.task_id, exc)
            self._poke = self._hinted = False
            self._needed = float("-inf")
        left = claim.seen.lease_left
        timeout = min(self.time.real(SAFETY_REREAD), 0.0 if left is None else max(0.0, left) + 0.05)
        with anyio.move_on_after(timeout):
            await self._wake.wait()

    async def _release(self) -> None:
        self.holding = False
        with anyio.move_on_after(5, shield=True):
            try:
                await self._coord.release(self._shared_key)
            except Exception as exc:
                log.warning("releasing the poller of %s failed: %s", self.task_id, exc)
