"""Injected faults: what they are, which requests they match, and how many times they have been used."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal[
    "rate_limit",
    "server_error",
    "status",
    "slow",
    "drop_before",
    "drop_after",
    "bad_json",
    "not_envelope",
    "fail_task",
    "raw",
    "gzip_bomb",
    "endless",
]
FAULT_KINDS: frozenset[str] = frozenset(FaultKind.__args__)  # type: ignore[attr-defined]

DEFAULT_MESSAGES: dict[str, str] = {
    "server_error": "Internal server error occurred",
    "status": "Task generation failed",
    "fail_task": "Content policy violation",
}


@dataclass
class Fault:
    """One injected misbehaviour.

    kind:
        ``rate_limit``   429 enveloped, "...will be lifted in: {lifted_in} seconds"; request not processed.
        ``server_error`` ``status`` (default 500) enveloped; request not processed.
        ``status``       any ``status`` with ``message``, enveloped; request not processed.
        ``slow``         request processed normally, then the answer waits ``delay`` seconds.
        ``drop_before``  connection dropped before the request is processed.
        ``drop_after``   request processed (a task really is created), then the connection is dropped.
        ``bad_json``     200 with a body that is not JSON; request not processed.
        ``not_envelope`` 200 with JSON that is not the envelope; request not processed.
        ``fail_task``    tasks created while it is active end ``failed`` with ``message``.
    Hostile upstream (see ``hostile.py``); with ``processed`` the request is processed first (a create really
    creates its task) and the real answer is thrown away:
        ``raw``          ``status`` (default 200), ``headers`` and ``body`` sent verbatim: any JSON (lone
                         surrogate escapes, malicious task ids, other error shapes), a 3xx with a Location...
        ``gzip_bomb``    200 ``Content-Encoding: gzip`` whose body inflates to ``size`` bytes: ``body`` (default:
                         the start of a JSON envelope) then filler.
        ``endless``      the same uncompressed: a body that never ends (``size`` bytes at most, or until the
                         client goes away).
    Matching: ``method`` (exact, optional), ``path`` (prefix, optional), ``model`` (the JSON body's model,
    optional). ``times`` is how many matching requests (or, for fail_task, created tasks) it applies to;
    -1 means forever. ``consumed`` counts the uses so far.
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    model: str | None = None
    times: int = 1
    lifted_in: int = 45
    delay: float = 1.0
    status: int | None = None
    message: str | None = None
    body: str | None = None
    headers: dict[str, str] | None = None
    processed: bool = False
    size: int = 1 << 30
    consumed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(FAULT_KINDS)}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """Build a fault from JSON (``POST /_sim/faults``); unknown keys are refused with ValueError."""
        names = {f.name for f in dataclasses.fields(cls)} - {"consumed"}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable copy including ``consumed``."""
        return dataclasses.asdict(self)

    @property
    def active(self) -> bool:
        """True while the fault still has uses left."""
        return self.times < 0 or self.consumed < self.times

    @property
    def effective_message(self) -> str:
        """The message to answer with: the configured one, or the kind's default."""
        if self.kind == "rate_limit":
            return self.message or (
                f"You have been ratelimited, this temporary restriction will be lifted in: {self.lifted_in} seconds"
            )
        return self.message or DEFAULT_MESSAGES.get(self.kind, "Simulated fault")

    @property
    def effective_status(self) -> int:
        """The HTTP status to answer with for the enveloped kinds."""
        if self.kind == "rate_limit":
            return self.status or 429
        if self.kind in ("server_error", "status"):
            return self.status or (500 if self.kind == "server_error" else 400)
        if self.kind == "raw":
            return self.status or 200
        return 200

    def matches(self, method: str, path: str, model: str | None) -> bool:
        """Whether this fault applies to a request (ignores whether uses are left)."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is not None and not path.startswith(self.path):
            return False
        return self.model is None or self.model == model


class FaultBook:
    """The ordered list of faults; request faults and task faults are looked up separately."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Append a fault; faults apply in order of addition."""
        self.faults.append(fault)

    def clear(self) -> None:
        """Remove every fault."""
        self.faults.clear()

    def take_request_fault(self, method: str, path: str, model: str | None) -> Fault | None:
        """Consume and return the first active request-level fault matching the request, if any."""
        return self._take(lambda f: f.kind != "fail_task" and f.matches(method, path, model))

    def take_task_failure(self, model: str) -> Fault | None:
        """Consume and return the first active ``fail_task`` fault for a task being created for ``model``."""
        return self._take(lambda f: f.kind == "fail_task" and (f.model is None or f.model == model))

    def _take(self, predicate: Callable[[Fault], bool]) -> Fault | None:
        for fault in self.faults:
            if fault.active and predicate(fault):
                fault.consumed += 1
                return fault
        return None
