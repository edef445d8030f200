"""The journal's one interface, and the row handling every backend shares.

A creation is recorded *before* its request is sent (status `sending`, with the writer that sends it), then
gets its task id, status changes, outputs, local files and cost. A client timeout, a cancelled call or a
restart loses nothing, and an ambiguous create stays visible as `unknown`. Backends (SQLite embedded,
PostgreSQL hosted) implement `Journal`; everything above this package sees only that interface, and the
`coordination` through which replicas sharing a journal share the polling of a task.

Rows may hold anything an API answered, so text is made encodable on the way in (a lone surrogate never
reaches storage) and decoded defensively on the way out: one bad row never breaks a listing.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcp_server.errors import UnificallyError, sanitize
from mcp_server.journal.coordination import Coordination

if TYPE_CHECKING:
    from mcp_server.journal.task_rows import WebhookHint

log = logging.getLogger(__name__)

JOURNAL_STATUSES = ("sending", "unknown", "pending", "processing", "completed", "failed")
MCP_TASK_FIELDS = ("id", "owner", "tool", "task_id", "model", "status", "message", "result", "ttl_ms",
                   "created_at", "updated_at")
MCP_TASK_ENDS = ("completed", "failed", "cancelled")
COLUMNS = ("id", "task_id", "model", "input", "status", "created_at", "updated_at", "output", "files", "cost",
           "error", "owner", "price")
SUMMARY_CHARS = 240  # per listed input/output: list_tasks stays small whatever was sent
LISTED_ERROR_CHARS = 1000  # per listed error: an API's reason in full as a rule, never megabytes of it
MAX_LIST = 200


class JournalUnavailable(UnificallyError):
    """The journal cannot be used (corrupt, foreign, unreadable, unreachable); `message` says what to do."""


@dataclass(frozen=True)
class Reservation:
    """What `Journal.reserve` did: reserved a row (`row`), found an identical request (`duplicate`, its record),
    or refused (`refused`: "day_limit" or "consent_used"). `spent` is the owner's spend in the day window
    before this request."""

    row: int | None = None
    duplicate: dict[str, Any] | None = None
    refused: str | None = None
    spent: float = 0.0


class Journal(ABC):
    """Where every paid task is recorded. `owner` scopes rows in hosted mode ("" is the local user); a
    read with `owner=None` is unscoped (single-user mode)."""

    description: str = "journal"
    coordination: Coordination = Coordination()  # in-process; a shared journal's replicas coordinate through it

    @abstractmethod
    async def open(self) -> None:
        """Connect, check integrity and schema, migrate, and mark creates left by dead writers `unknown`."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def intent(self, model: str, api_input: dict[str, Any], *, owner: str = "") -> int:
        """Record a creation about to be sent; returns the row id."""

    @abstractmethod
    async def reserve(self, model: str, api_input: dict[str, Any], *, owner: str = "", fingerprint: str,
                      price: float | None = None, dedup_since: float | None = None, day_since: float | None = None,
                      day_limit: float | None = None, consent: str | None = None) -> Reservation:
        """`intent` as one atomic step with its checks (concurrent calls, and processes sharing the journal,
        serialise on it). In order: the newest identical request (same owner and fingerprint, created at or after
        `dedup_since`, not failed) comes back as `duplicate`; a `price` that would take the owner's spend since
        `day_since` above `day_limit` is refused; so is a `consent` already used. Otherwise the intent is
        recorded with its fingerprint, price and consent. The price counts as spent until `discard`."""

    @abstractmethod
    async def find_duplicate(self, fingerprint: str, *, owner: str = "", since: float) -> dict[str, Any] | None:
        """The newest row of this owner with this fingerprint created at or after `since` and not failed."""

    @abstractmethod
    async def spent(self, *, owner: str = "", since: float) -> float:
        """The sum of the quoted prices of this owner's rows created at or after `since`."""

    @abstractmethod
    async def created(self, row: int, task_id: str, status: str) -> None: ...

    @abstractmethod
    async def unknown(self, row: int, reason: str) -> None: ...

    @abstractmethod
    async def discard(self, row: int) -> None:
        """The API provably created nothing (it answered with an error): forget the intent."""

    @abstractmethod
    async def update(self, task_id: str, *, status: str, output: dict[str, Any] | None = None,
                     error: str | None = None, files: list[str] | None = None, cost: float | None = None,
                     model: str | None = None, owner: str = "") -> None:
        """Record a status seen for a task; inserts a row for tasks created elsewhere (e.g. via the web)."""

    @abstractmethod
    async def get(self, task_id: str, *, owner: str | None = None) -> dict[str, Any] | None: ...

    @abstractmethod
    async def list(self, *, status: str | None = None, model: str | None = None, limit: int = 20,
                   owner: str | None = None) -> list[dict[str, Any]]:
        """Newest first, at most MAX_LIST rows, inputs and outputs summarised."""

    @abstractmethod
    async def recover(self) -> int:
        """Mark `sending` rows whose writer is provably gone as `unknown`; returns how many."""

    @abstractmethod
    async def ready(self) -> None:
        """A cheap read proving the journal is usable now (readiness checks); raises JournalUnavailable."""

    # ----- webhooks: our callback URL's token, hashed, per task; deliveries recorded as hints ----------------
    @abstractmethod
    async def expect_webhook(self, row: int, token_hash: str) -> None:
        """Before the create of `row` is sent: it carries our callback URL, whose token hashes to this."""

    @abstractmethod
    async def expects_webhook(self, task_id: str, *, owner: str = "") -> bool: ...

    @abstractmethod
    async def webhook_hint(self, token_hash: str, task_id: str, status: str) -> WebhookHint | None:
        """Record a delivery (atomically deduplicated); None for an unknown token/task pair."""

    # ----- MCP tasks: the protocol's task handles, each mapped to one Unifically task (`mcp_tasks`) ----------
    @abstractmethod
    async def create_mcp_task(self, record: dict[str, Any]) -> None:
        """Store a new MCP task: `MCP_TASK_FIELDS` (`result` a JSON object or None)."""

    @abstractmethod
    async def get_mcp_task(self, mcp_id: str, *, owner: str) -> dict[str, Any] | None:
        """The MCP task `mcp_id` if `owner` owns it (another owner's task reads as unknown)."""

    @abstractmethod
    async def end_mcp_task(self, mcp_id: str, *, owner: str, status: str, message: str | None,
                           result: dict[str, Any] | None) -> bool:
        """Move a `working` MCP task to a terminal status; False when it had already ended (the first end
        wins: a cancelled task stays cancelled)."""

    @abstractmethod
    async def list_mcp_tasks(self, *, owner: str, before: int | None = None, limit: int = 50
                             ) -> list[dict[str, Any]]:
        """The owner's MCP tasks, newest first, without results; `before` is a row's `seq` to page on."""

    @abstractmethod
    async def purge_mcp_tasks(self, now: float) -> int:
        """Delete the MCP tasks whose ttl ran out before `now` (wall seconds); returns how many."""


class UnavailableJournal(Journal):
    """Stands in for a journal that failed its start-up check: every use explains the problem, once worded."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.description = "unavailable journal"

    def _fail(self) -> JournalUnavailable:
        return JournalUnavailable(self.message)

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def intent(self, model: str, api_input: dict[str, Any], *, owner: str = "") -> int:
        raise self._fail()

    async def reserve(self, model: str, api_input: dict[str, Any], **_: Any) -> Reservation:
        raise self._fail()

    async def find_duplicate(self, fingerprint: str, **_: Any) -> dict[str, Any] | None:
        raise self._fail()

    async def spent(self, **_: Any) -> float:
        raise self._fail()

    async def created(self, row: int, task_id: str, status: str) -> None:
        raise self._fail()

    async def unknown(self, row: int, reason: str) -> None:
        raise self._fail()

    async def discard(self, row: int) -> None:
        raise self._fail()

    async def update(self, task_id: str, **_: Any) -> None:
        raise self._fail()

    async def get(self, task_id: str, *, owner: str | None = None) -> dict[str, Any] | None:
        raise self._fail()

    async def list(self, **_: Any) -> list[dict[str, Any]]:
        raise self._fail()

    async def recover(self) -> int:
        return 0

    async def ready(self) -> None:
        raise self._fail()

    async def expect_webhook(self, row: int, token_hash: str) -> None:
        raise self._fail()

    async def expects_webhook(self, task_id: str, **_: Any) -> bool:
        raise self._fail()

    async def webhook_hint(self, token_hash: str, task_id: str, status: str) -> WebhookHint | None:
        raise self._fail()

    async def create_mcp_task(self, record: dict[str, Any]) -> None:
        raise self._fail()

    async def get_mcp_task(self, mcp_id: str, **_: Any) -> dict[str, Any] | None:
        raise self._fail()

    async def end_mcp_task(self, mcp_id: str, **_: Any) -> bool:
        raise self._fail()

    async def list_mcp_tasks(self, **_: Any) -> list[dict[str, Any]]:
        raise self._fail()

    async def purge_mcp_tasks(self, now: float) -> int:
        return 0


# ----- shared row handling ------------------------------------------------------------------------------
def clean_text(value: str) -> str:
    """`value` made safe to store: whatever a caller or an API sent (`errors.sanitize`)."""
    return sanitize(value)


def to_json(value: Any) -> str | None:
    """JSON text for a column; never fails on what an API returned (odd strings are cleaned)."""
    if value is None:
        return None
    return clean_text(json.dumps(value, ensure_ascii=False, default=str))


def load_json(text: Any) -> Any:
    if text in (None, ""):
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return {"unreadable": clean_text(str(text))[:SUMMARY_CHARS]}


def decode_row(row: tuple[Any, ...] | dict[str, Any]) -> dict[str, Any]:
    """A stored row as a record; JSON columns parsed, anything undecodable replaced, never raising."""
    record = dict(row) if isinstance(row, dict) else dict(zip(COLUMNS, row, strict=False))
    for key in ("input", "output", "files"):
        record[key] = load_json(record.get(key))
    for key, value in record.items():
        if isinstance(value, str):
            record[key] = clean_text(value)
    return record


def summarise(value: Any, limit: int = SUMMARY_CHARS) -> Any:
    """A bounded stand-in for a stored input/output in listings: short values kept, long ones cut."""
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= limit:
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        budget = limit
        for key, item in value.items():
            piece = json.dumps(item, ensure_ascii=False)
            if len(piece) > 60:
                item = (piece[:57] + "...") if not isinstance(item, (dict, list)) else f"<{len(piece)} chars>"
            budget -= len(str(key)) + len(str(item)) + 4
            if budget < 0:
                out["..."] = f"{len(value) - len(out)} more"
                break
            out[key] = item
        return out
    return text[:limit - 3] + "..."


def listed(record: dict[str, Any]) -> dict[str, Any]:
    """A record as listings show it: input, output and error (an API's text, megabytes at worst) summarised,
    files capped."""
    files = record.get("files")
    return {**record, "input": summarise(record.get("input")), "output": summarise(record.get("output")),
            "error": _cut(record.get("error"), LISTED_ERROR_CHARS),
            "files": files[:20] if isinstance(files, list) else files}


def _cut(text: Any, limit: int) -> Any:
    return text[:limit - 3] + "..." if isinstance(text, str) and len(text) > limit else text
