"""The task rows' reads and simple writes, and the webhook bookkeeping, written once for both backends.

A mixin: the backend supplies `_exec(sql, params)` (one statement in its own short transaction; `?`
placeholders; rows as tuples). What needs a backend's own means stays in the backend: `intent` (its writer
identity), `update` (an upsert) and `recover` (how a dead writer is proved dead).

Webhooks: a task created with our callback URL has the SHA-256 of its unguessable token in `webhook`. A delivery
is looked up by that hash and recorded as a hint (`hint`, `hinted_at`) by one guarded UPDATE, so that news of a
task the journal already knows ended, and the same news again within `HINT_WINDOW`, are recognised as duplicates.
The window is short so that a forged or premature delivery (which the status read then contradicts) cannot
silence the real one for long; a duplicate after it costs one status read, never a wrong answer.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mcp_server.journal.base import COLUMNS, MAX_LIST, clean_text, decode_row, listed

SELECT = f"SELECT {', '.join(COLUMNS)} FROM tasks"
# Spending safety: an identical request (same owner and fingerprint) still alive in the window, what an owner was
# quoted for the tasks created since a moment, and the intent row that carries fingerprint, price and consent.
DUPLICATE = f"{SELECT} WHERE owner = ? AND fingerprint = ? AND created_at >= ? AND status != 'failed' " \
            "ORDER BY created_at DESC, id DESC LIMIT 1"
SPENT = "SELECT COALESCE(SUM(price), 0) FROM tasks WHERE owner = ? AND created_at >= ?"
INTENT = ("INSERT INTO tasks (owner, model, input, status, created_at, updated_at, writer, lease_until, fingerprint, "
          "price, consent) VALUES (?, ?, ?, 'sending', ?, ?, ?, ?, ?, ?, ?) RETURNING id")
UPDATE = ("UPDATE tasks SET status = ?, updated_at = ?, output = COALESCE(?, output), error = COALESCE(?, error), "
          "files = COALESCE(?, files), cost = COALESCE(?, cost), "
          "model = CASE WHEN model = 'unknown' AND ? IS NOT NULL THEN ? ELSE model END "
          "WHERE owner = ? AND task_id = ?")
HINT_WINDOW = 30.0  # real seconds the same news counts as a duplicate


@dataclass(frozen=True)
class WebhookHint:
    """A delivery that matched a journaled task: whose task it is and whether it is news (`fresh`)."""

    owner: str
    task_id: str
    fresh: bool


class TaskRows:
    _exec: Callable[..., Awaitable[list[Any]]]

    async def ready(self) -> None:
        """A cheap read proving the journal is usable now (readiness checks); raises JournalUnavailable."""
        await self._exec("SELECT 1 FROM tasks LIMIT 1")

    async def created(self, row: int, task_id: str, status: str) -> None:
        await self._exec("UPDATE tasks SET task_id = ?, status = ?, updated_at = ?, writer = NULL, "
                         "lease_until = NULL WHERE id = ?", (clean_text(task_id), status, time.time(), row))

    async def unknown(self, row: int, reason: str) -> None:
        await self._exec("UPDATE tasks SET status = 'unknown', error = ?, updated_at = ?, writer = NULL, "
                         "lease_until = NULL WHERE id = ?", (clean_text(reason), time.time(), row))

    async def discard(self, row: int) -> None:
        await self._exec("DELETE FROM tasks WHERE id = ? AND task_id IS NULL", (row,))

    async def get(self, task_id: str, *, owner: str | None = None) -> dict[str, Any] | None:
        task_id = clean_text(task_id)
        clause, params = ("WHERE task_id = ?", (task_id,)) if owner is None else \
            ("WHERE task_id = ? AND owner = ?", (task_id, owner))
        rows = await self._exec(f"{SELECT} {clause} ORDER BY id LIMIT 1", params)
        return decode_row(rows[0]) if rows else None

    async def list(self, *, status: str | None = None, model: str | None = None, limit: int = 20,
                   owner: str | None = None) -> list[dict[str, Any]]:
        where, params = [], []
        for column, value in (("status", status), ("model", model), ("owner", owner)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(clean_text(value))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = await self._exec(f"{SELECT} {clause} ORDER BY created_at DESC, id DESC LIMIT ?",
                                (*params, max(1, min(int(limit), MAX_LIST))))
        return [listed(decode_row(row)) for row in rows]

    # ----- spending safety -------------------------------------------------------------------------------
    async def find_duplicate(self, fingerprint: str, *, owner: str = "", since: float) -> dict[str, Any] | None:
        rows = await self._exec(DUPLICATE, (owner, fingerprint, since))
        return decode_row(rows[0]) if rows else None

    async def spent(self, *, owner: str = "", since: float) -> float:
        return float((await self._exec(SPENT, (owner, since)))[0][0])

    # ----- webhooks --------------------------------------------------------------------------------------
    async def expect_webhook(self, row: int, token_hash: str) -> None:
        """The create of `row` carries our callback URL, whose token hashes to `token_hash`."""
        await self._exec("UPDATE tasks SET webhook = ? WHERE id = ?", (token_hash, row))

    async def expects_webhook(self, task_id: str, *, owner: str = "") -> bool:
        rows = await self._exec("SELECT 1 FROM tasks WHERE owner = ? AND task_id = ? AND webhook IS NOT NULL",
                                (owner, clean_text(task_id)))
        return bool(rows)

    async def webhook_hint(self, token_hash: str, task_id: str, status: str) -> WebhookHint | None:
        """Record a delivery saying task `task_id` is now `status`; None when no task of ours has this token
        and id. Not `fresh` when the same news came within `HINT_WINDOW` or the journal has the task ended."""
        task_id, now = clean_text(task_id), time.time()
        rows = await self._exec(
            "UPDATE tasks SET hint = ?, hinted_at = ? WHERE webhook = ? AND task_id = ? "
            "AND status NOT IN ('completed', 'failed') AND (hint IS NULL OR hint <> ? OR hinted_at < ?) "
            "RETURNING owner", (clean_text(status), now, token_hash, task_id, clean_text(status), now - HINT_WINDOW))
        if rows:
            return WebhookHint(rows[0][0], task_id, fresh=True)
        rows = await self._exec("SELECT owner FROM tasks WHERE webhook = ? AND task_id = ?", (token_hash, task_id))
        return WebhookHint(rows[0][0], task_id, fresh=False) if rows else None
