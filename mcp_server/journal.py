"""The task journal: a SQLite file in the user data dir that never loses a paid task.

A creation is recorded *before* its request is sent (status `sending`), then gets its task id, status changes,
outputs, local files and cost. A client timeout, a cancelled call or a server restart loses nothing, and an
ambiguous create stays visible as `unknown`. Several servers on one machine share the file safely: WAL mode,
a busy timeout, and one short transaction per write. All SQLite work runs in a worker thread, never on the
event loop.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import anyio

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT UNIQUE,
    model TEXT NOT NULL,
    input TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    output TEXT,
    files TEXT,
    cost REAL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS tasks_created ON tasks (created_at DESC);
"""
JOURNAL_STATUSES = ("sending", "unknown", "pending", "processing", "completed", "failed")
_COLUMNS = ("id", "task_id", "model", "input", "status", "created_at", "updated_at", "output", "files", "cost",
            "error")


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
            self._conn = conn
        return self._conn

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            conn = self._connect()
            with conn:  # one short transaction
                return conn.execute(sql, params).fetchall()

    async def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await anyio.to_thread.run_sync(self._run, sql, params)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    async def intent(self, model: str, api_input: dict[str, Any]) -> int:
        """Record a creation about to be sent; returns the journal row id."""
        now = time.time()
        rows = await self._exec(
            "INSERT INTO tasks (model, input, status, created_at, updated_at) VALUES (?, ?, 'sending', ?, ?) "
            "RETURNING id", (model, json.dumps(api_input, ensure_ascii=False), now, now))
        return int(rows[0][0])

    async def created(self, row: int, task_id: str, status: str) -> None:
        await self._exec("UPDATE tasks SET task_id = ?, status = ?, updated_at = ? WHERE id = ?",
                         (task_id, status, time.time(), row))

    async def unknown(self, row: int, reason: str) -> None:
        await self._exec("UPDATE tasks SET status = 'unknown', error = ?, updated_at = ? WHERE id = ?",
                         (reason, time.time(), row))

    async def discard(self, row: int) -> None:
        """The API provably created nothing (it answered with an error): forget the intent."""
        await self._exec("DELETE FROM tasks WHERE id = ? AND task_id IS NULL", (row,))

    async def update(self, task_id: str, *, status: str, output: dict[str, Any] | None = None,
                     error: str | None = None, files: list[str] | None = None, cost: float | None = None,
                     model: str | None = None) -> None:
        """Record a status seen for a task; inserts a row for tasks created elsewhere (e.g. via the web)."""
        now = time.time()
        await self._exec(
            "INSERT INTO tasks (task_id, model, input, status, created_at, updated_at) VALUES (?, ?, '{}', ?, ?, ?) "
            "ON CONFLICT(task_id) DO NOTHING", (task_id, model or "unknown", status, now, now))
        await self._exec(
            "UPDATE tasks SET status = ?, updated_at = ?, output = COALESCE(?, output), error = COALESCE(?, error), "
            "files = COALESCE(?, files), cost = COALESCE(?, cost), "
            "model = CASE WHEN model = 'unknown' AND ? IS NOT NULL THEN ? ELSE model END WHERE task_id = ?",
            (status, now, json.dumps(output) if output is not None else None, error,
             json.dumps(files) if files is not None else None, cost, model, model, task_id))

    async def get(self, task_id: str) -> dict[str, Any] | None:
        rows = await self._exec(f"SELECT {', '.join(_COLUMNS)} FROM tasks WHERE task_id = ?", (task_id,))
        return _record(rows[0]) if rows else None

    async def list(self, *, status: str | None = None, model: str | None = None, limit: int = 20) -> list[dict]:
        where, params = [], []
        if status:
            where.append("status = ?")
            params.append(status)
        if model:
            where.append("model = ?")
            params.append(model)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = await self._exec(f"SELECT {', '.join(_COLUMNS)} FROM tasks {clause} ORDER BY created_at DESC, id DESC "
                                "LIMIT ?", (*params, limit))
        return [_record(row) for row in rows]


def _record(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(_COLUMNS, row, strict=True))
    for key in ("input", "output", "files"):
        record[key] = json.loads(record[key]) if record[key] else None
    return record
