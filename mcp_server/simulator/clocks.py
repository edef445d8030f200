"""Clocks for ``SimulatorConfig.clock`` / ``Simulator.set_clock``: a manual one for tests, a fast one for
benchmarks. Any ``Callable[[], float]`` works; these are conveniences."""

from __future__ import annotations

import time


class FakeClock:
    """A clock that only moves when told to (``advance``)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        """Current fake time."""
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        self.now += seconds


class ScaledClock:
    """Real time running ``speed`` times faster (``speed=60``: a 2-minute task takes 2 real seconds)."""

    def __init__(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._origin = time.monotonic()

    def __call__(self) -> float:
        """Scaled seconds since this clock was made."""
        return (time.monotonic() - self._origin) * self.speed
