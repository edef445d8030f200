"""The embedded journal: one SQLite file in the user data dir (one person, one machine).

Several servers on one machine share the file safely: WAL mode, a busy timeout, one short transaction per
write. All SQLite work runs in a worker thread, never on the event loop. Text is decoded leniently, so a row
holding bytes that are not UTF-8 is shown with replacement characters instead of breaking a listing.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio

from mcp_server.journal.base import Journal, JournalUnavailable, Reservation, clean_text, decode_row, to_json
from mcp_server.journal.mcp_task_rows import McpTaskRows
from mcp_server.journal.sqlite_schema import VERSION, SchemaProblem, broken_message, migrate
from mcp_server.journal.task_rows import DUPLICATE, INTENT, SPENT, UPDATE, TaskRows
from mcp_server.journal.writer import ABANDONED, LEASE_MARGIN, this_writer, writer_gone

log = logging.getLogger(__name__)
T = TypeVar("T")
_SEED = ("INSERT INTO tasks (owner, task_id, model, input, status, created_at, updated_at) "
         "VALUES (?, ?, ?, '{}', ?, ?, ?) ON CONFLICT(owner, task_id) DO NOTHING")


class SqliteJournal(TaskRows, McpTaskRows, Journal):
    def __init__(self, path: Path, *, create_timeout: float = 30.0) -> None:
        self.path = path
        self.description = str(path)
        self.lease = create_timeout + LEASE_MARGIN
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    # ----- connection --------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn, old = self._open_when_free()
            except SchemaProblem as problem:
                raise JournalUnavailable(broken_message(self.path, str(problem))) from None
            except (sqlite3.Error, OSError) as exc:
                raise JournalUnavailable(broken_message(self.path, _reason(exc))) from None
            if old not in (0, VERSION):
                log.info("journal %s upgraded from schema %d", self.path, old)
            self._conn = conn
        return self._conn

    def _open_when_free(self) -> tuple[sqlite3.Connection, int]:
        """Open, switch to WAL and migrate; servers starting together may find the file locked for a moment
        (switching the journal mode takes an exclusive lock), which is waited out, not reported as damage."""
        deadline = time.monotonic() + 20
        while True:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                return conn, migrate(conn)
            except sqlite3.OperationalError as exc:
                conn.close()
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.02, 0.2))
            except BaseException:
                conn.close()
                raise

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._atomic(lambda conn: conn.execute(sql, params).fetchall(), "BEGIN")

    def _atomic(self, work: Callable[[sqlite3.Connection], T], begin: str = "BEGIN IMMEDIATE") -> T:
        """`work` in one short transaction; BEGIN IMMEDIATE takes the write lock first, so checks and writes
        of concurrent writers (threads or processes) never interleave."""
        with self._lock:
            conn = self._connect()
            try:
                conn.execute(begin)
                try:
                    result = work(conn)
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                return result
            except sqlite3.DatabaseError as exc:
                raise JournalUnavailable(f"The task journal {self.path} could not be written or read "
                                         f"({_reason(exc)}).") from None

    async def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await anyio.to_thread.run_sync(self._run, sql, params)

    async def open(self) -> None:
        await anyio.to_thread.run_sync(self._connect)
        swept = await self.recover()
        if swept:
            log.warning("journal: %d create(s) left in flight by a stopped server are now 'unknown' "
                        "(list_tasks status=unknown shows them)", swept)

    async def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # ----- writes ------------------------------------------------------------------------------------
    async def intent(self, model: str, api_input: dict[str, Any], *, owner: str = "") -> int:
        now = time.time()
        rows = await self._exec(INTENT, (owner, clean_text(model), to_json(api_input), now, now, this_writer(),
                                          now + self.lease, None, None, None))
        return int(rows[0][0])

    async def reserve(self, model: str, api_input: dict[str, Any], *, owner: str = "", fingerprint: str,
                      price: float | None = None, dedup_since: float | None = None, day_since: float | None = None,
                      day_limit: float | None = None, consent: str | None = None) -> Reservation:
        def work(conn: sqlite3.Connection) -> Reservation:
            if dedup_since is not None:
                found = conn.execute(DUPLICATE, (owner, fingerprint, dedup_since)).fetchall()
                if found:
                    return Reservation(duplicate=decode_row(found[0]))
            spent = float(conn.execute(SPENT, (owner, day_since)).fetchone()[0]) if day_since is not None else 0.0
            if day_limit is not None and spent + (price or 0.0) > day_limit + 1e-9:
                return Reservation(refused="day_limit", spent=spent)
            if consent is not None and conn.execute("SELECT 1 FROM tasks WHERE consent = ?", (consent,)).fetchall():
                return Reservation(refused="consent_used", spent=spent)
            now = time.time()
            row = conn.execute(INTENT, (owner, clean_text(model), to_json(api_input), now, now, this_writer(),
                                         now + self.lease, fingerprint, price, consent)).fetchone()
            return Reservation(row=int(row[0]), spent=spent)

        return await anyio.to_thread.run_sync(self._atomic, work)

    async def update(self, task_id: str, *, status: str, output: dict[str, Any] | None = None,
                     error: str | None = None, files: list[str] | None = None, cost: float | None = None,
                     model: str | None = None, owner: str = "") -> None:
        now, task_id = time.time(), clean_text(task_id)
        values = (status, now, to_json(output), clean_text(error) if error is not None else None, to_json(files), cost,
                  model, model, owner, task_id)
        seed = (owner, task_id, clean_text(model or "unknown"), status, now, now)

        def work(conn: sqlite3.Connection) -> None:  # both statements in one transaction and one thread hop
            conn.execute(_SEED, seed)
            conn.execute(UPDATE, values)

        await anyio.to_thread.run_sync(self._atomic, work, "BEGIN")

    async def recover(self) -> int:
        rows = await self._exec("SELECT id, writer, lease_until, created_at FROM tasks WHERE status = 'sending'")
        now = time.time()
        gone = [row_id for row_id, writer, lease, created in rows
                if (lease if lease is not None else created + self.lease) < now or (writer and writer_gone(writer))]
        for row_id in gone:
            await self._exec("UPDATE tasks SET status = 'unknown', error = ?, updated_at = ?, writer = NULL, "
                             "lease_until = NULL WHERE id = ? AND status = 'sending'", (ABANDONED, now, row_id))
        return len(gone)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return "it is not a SQLite database" if "not a database" in text else text
