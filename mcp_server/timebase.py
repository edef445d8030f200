"""The server's sense of time: real seconds, or simulated seconds running faster (simulator runs and tests).

Every wait of ours (polling gaps, retry back-offs, wait budgets, progress heartbeats) is expressed in the
seconds of one `TimeBase`. With `scale` 1 (always, against the real API) they are real seconds; with
`--simulate` and `UNIFICALLY_SIMULATOR_TIME_SCALE=20` a 240 s task, its polls and a 50 s budget all run 20
times faster, so tests exercise the real schedules without sleeping through them. HTTP timeouts stay real.
"""

from __future__ import annotations

import time

import anyio


class TimeBase:
    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale

    def monotonic(self) -> float:
        """A monotonic clock in this time base's seconds."""
        return time.monotonic() * self.scale

    def wall(self) -> float:
        """The wall clock in this time base's seconds (ages of journaled tasks)."""
        return time.time() * self.scale

    def age(self, since_wall: float) -> float:
        """Seconds (of this base) since a real wall-clock timestamp, e.g. a journal row's created_at."""
        return max(0.0, (time.time() - since_wall) * self.scale)

    def real(self, seconds: float) -> float:
        """The real duration of `seconds` of this base."""
        return seconds / self.scale

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds) / self.scale)


REAL_TIME = TimeBase()
