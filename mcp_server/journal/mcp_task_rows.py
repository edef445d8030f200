"""The journal's MCP task rows (schema v4, table `mcp_tasks`): the protocol's task handles.

A mixin for both backends, written once in SQL they share (`?` placeholders; the backend supplies `_exec`: one
statement in its own short transaction, rows as tuples). Every read is scoped by owner. Ending a task is one
guarded UPDATE, so concurrent ends (a poller finishing, a client cancelling, replicas sharing the journal) settle
on the first one.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from mcp_server.journal.base import MCP_TASK_FIELDS, clean_text, load_json, to_json

_SELECT = f"SELECT seq, {', '.join(MCP_TASK_FIELDS)} FROM mcp_tasks"
MAX_PAGE = 200


class McpTaskRows:
    _exec: Callable[..., Awaitable[list[tuple[Any, ...]]]]

    async def create_mcp_task(self, record: dict[str, Any]) -> None:
        values = [record.get(field) for field in MCP_TASK_FIELDS]
        values = [to_json(v) if f == "result" else clean_text(v) if isinstance(v, str) else v
                  for f, v in zip(MCP_TASK_FIELDS, values, strict=True)]
        marks = ", ".join("?" for _ in MCP_TASK_FIELDS)
        await self._exec(f"INSERT INTO mcp_tasks ({', '.join(MCP_TASK_FIELDS)}) VALUES ({marks})", tuple(values))

    async def get_mcp_task(self, mcp_id: str, *, owner: str) -> dict[str, Any] | None:
        rows = await self._exec(f"{_SELECT} WHERE id = ? AND owner = ?", (mcp_id, owner))
        return _decode(rows[0]) if rows else None

    async def end_mcp_task(self, mcp_id: str, *, owner: str, status: str, message: str | None,
                           result: dict[str, Any] | None) -> bool:
        rows = await self._exec(
            "UPDATE mcp_tasks SET status = ?, message = ?, result = ?, updated_at = ? "
            "WHERE id = ? AND owner = ? AND status = 'working' RETURNING seq",
            (status, clean_text(message) if message else None, to_json(result), time.time(), mcp_id, owner))
        return bool(rows)

    async def list_mcp_tasks(self, *, owner: str, before: int | None = None, limit: int = 50
                             ) -> list[dict[str, Any]]:
        clause, params = "WHERE owner = ?", [owner]
        if before is not None:
            clause += " AND seq < ?"
            params.append(int(before))
        rows = await self._exec(f"{_SELECT} {clause} ORDER BY seq DESC LIMIT ?",
                                (*params, max(1, min(int(limit), MAX_PAGE))))
        return [{**_decode(row), "result": None} for row in rows]

    async def purge_mcp_tasks(self, now: float) -> int:
        rows = await self._exec("DELETE FROM mcp_tasks WHERE ttl_ms IS NOT NULL AND created_at + ttl_ms / 1000.0 < ? "
                                "RETURNING seq", (now,))
        return len(rows)


def _decode(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(("seq", *MCP_TASK_FIELDS), row, strict=True))
    result = load_json(record["result"])
    record["result"] = result if isinstance(result, dict) else None
    return record
