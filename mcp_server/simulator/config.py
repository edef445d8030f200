"""Plain data types of the simulator's public surface: its configuration and a recorded request."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Clock = Callable[[], float]


@dataclass
class SimulatorConfig:
    """How the simulated API behaves.

    task_seconds: lifecycle of a task in clock seconds (pending for the first 10 %, then processing, then done).
    durations: per-model override of ``task_seconds``.
    api_key: None accepts any non-empty bearer token; a string accepts only that token.
    balance_usd: starting balance; each created task deducts its price (see ``catalog.PRICES``).
    prices: per-model price override in USD (what a dry run quotes and a create deducts).
    max_upload_bytes: uploads larger than this are refused with 413.
    clock: the time source for task lifecycles (default ``time.monotonic``); a fake or scaled clock makes
        tasks finish as fast as a test or benchmark needs.
    state_path: when set, created tasks are saved there (JSON) and loaded at start, so a restarted
        ``serve --simulate`` still knows its tasks; use a wall clock (``time.time``) with it.
    webhook_transport: the httpx2 transport webhooks are posted through (None: the network); ``webhook_copies``
        deliveries of each webhook (more than 1: the duplicates the docs warn of). See ``webhooks``.
    """

    task_seconds: float = 2.0
    durations: dict[str, float] = field(default_factory=dict)
    api_key: str | None = None
    balance_usd: float = 100.0
    prices: dict[str, float] = field(default_factory=dict)
    max_upload_bytes: int = 20_000_000
    clock: Clock = time.monotonic
    state_path: Path | None = None
    webhook_transport: Any = None
    webhook_copies: int = 1

    def duration_for(self, model: str) -> float:
        """Return the lifecycle length of a task of ``model``."""
        return float(self.durations.get(model, self.task_seconds))


@dataclass
class RecordedRequest:
    """One API or upload request as the simulator received it (admin and /files requests are not recorded).

    headers has lower-case keys; json is the parsed JSON body (None when absent or not JSON); form maps each
    multipart field name to ``{"filename": ..., "size": ...}`` for files or ``{"value": ...}`` for plain
    fields; time is the wall-clock time of arrival.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    form: dict[str, Any]
    time: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable copy (used by ``GET /_sim/requests``)."""
        return asdict(self)
