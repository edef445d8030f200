"""The shared journal: PostgreSQL, for hosted replicas (`UNIFICALLY_DATABASE_URL=postgresql://...`).

The same rows and guarantees as the SQLite journal (`task_rows`, `mcp_task_rows` run unchanged: `_exec` takes
their `?` placeholders), plus what replicas need: the schema migrated once however many start together
(`postgres_schema`), one poller per task across replicas (`postgres_coord`), and `sending` rows that only a dead
replica's leave behind are recovered. A replica's writer identity is unique per process (host/boot/pid plus a
random suffix), and it is alive while its advisory lock is held; recovery marks a `sending` row `unknown` when
its lease ran out or its writer is provably gone, never a live replica's row in flight. It runs at start and
every `SWEEP_SECONDS` after, since replicas run for long and another may die meanwhile.

Errors of the database become `JournalUnavailable` with a sentence naming the database (never its password).
Needs the `[postgres]` extra (asyncpg), imported only when this backend is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from mcp_server.journal.base import Journal, JournalUnavailable, Reservation, clean_text, decode_row, to_json
from mcp_server.journal.mcp_task_rows import McpTaskRows
from mcp_server.journal.postgres_coord import PostgresCoordination
from mcp_server.journal.postgres_schema import SchemaProblem, lock_key, migrate
from mcp_server.journal.task_rows import DUPLICATE, INTENT, SPENT, TaskRows
from mcp_server.journal.writer import ABANDONED, LEASE_MARGIN, this_writer

log = logging.getLogger(__name__)
POOL_SIZE = 10
CONNECT_SECONDS = 10.0
COMMAND_SECONDS = 30.0
SWEEP_SECONDS = 300.0
FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)
_UPDATE = """
INSERT INTO tasks AS t (owner, task_id, model, input, status, created_at, updated_at, output, error, files, cost)
VALUES ($1, $2, COALESCE($3::text, 'unknown'), '{}', $4, $5, $5, $6::text, $7::text, $8::text, $9::float8)
ON CONFLICT (owner, task_id) DO UPDATE SET
    status = EXCLUDED.status, updated_at = EXCLUDED.updated_at, output = COALESCE(EXCLUDED.output, t.output),
    error = COALESCE(EXCLUDED.error, t.error), files = COALESCE(EXCLUDED.files, t.files),
    cost = COALESCE(EXCLUDED.cost, t.cost),
    model = CASE WHEN t.model = 'unknown' AND $3::text IS NOT NULL THEN $3::text ELSE t.model END
"""


class PostgresJournal(TaskRows, McpTaskRows, Journal):
    def __init__(self, url: str, *, create_timeout: float = 30.0, pool_size: int = POOL_SIZE) -> None:
        self._url, self._pool_size = url, pool_size
        self.description = describe(url)
        self.lease = create_timeout + LEASE_MARGIN
        self.writer = f"{this_writer()}/{secrets.token_hex(6)}"
        self._pool: Any = None
        self._sweeper: asyncio.Task[None] | None = None
        self.schema = "public"
        self.sweep_seconds = SWEEP_SECONDS

    # ----- connection --------------------------------------------------------------------------------
    async def open(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(self._url, min_size=1, max_size=self._pool_size,
                                                   timeout=CONNECT_SECONDS, command_timeout=COMMAND_SECONDS)
            async with self._pool.acquire() as conn:
                self.schema, found = await migrate(conn)
            coordination = PostgresCoordination(self._pool, self._connect, self.schema, self.writer)
            await coordination.start()
        except SchemaProblem as problem:
            await self.close()
            raise JournalUnavailable(self._broken(str(problem))) from None
        except (*FAILURES, ValueError) as exc:  # ValueError: a URL asyncpg cannot parse
            await self.close()
            raise JournalUnavailable(self._broken(_reason(exc, self._url))) from None
        self.coordination = coordination
        self.description = describe(self._url, self.schema)
        if found and found != {2, 4, 5}:
            log.info("journal %s upgraded (it had migrations %s)", self.description, sorted(found))
        await self._recover_logged()
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def _recover_logged(self) -> None:
        swept = await self.recover()
        if swept:
            log.warning("journal: %d create(s) left in flight by a stopped replica are now 'unknown' "
                        "(list_tasks status=unknown shows them)", swept)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                await self._recover_logged()
            except JournalUnavailable as problem:
                log.warning("journal: sweeping left-over creates failed: %s", problem.message)

    async def _connect(self) -> Any:
        return await asyncpg.connect(self._url, timeout=CONNECT_SECONDS, command_timeout=COMMAND_SECONDS)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._sweeper
            self._sweeper = None
        coordination = self.coordination
        if isinstance(coordination, PostgresCoordination):
            await coordination.close()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            with contextlib.suppress(Exception):
                await pool.close()

    def _broken(self, reason: str) -> str:
        return (f"The task journal database {self.description} cannot be used ({reason}). Check "
                "UNIFICALLY_DATABASE_URL and that the database is up, then restart the server. Until then no task "
                "can be created, because every paid task is journaled before it is sent.")

    def _failed(self, exc: BaseException) -> JournalUnavailable:
        return JournalUnavailable(f"The task journal database {self.description} could not be written or read "
                                  f"({_reason(exc, self._url)}).")

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        """One connection in one transaction (for a backend-specific atomic step, e.g. a reservation: take
        `pg_advisory_xact_lock` on the owner first, then check and insert)."""
        if self._pool is None:
            raise JournalUnavailable(self._broken("it is not open"))
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                yield conn
        except FAILURES as exc:
            raise self._failed(exc) from None

    async def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """One statement (`?` placeholders) in its own transaction; rows as tuples."""
        async with self._transaction() as conn:
            return await conn.fetch(dollars(sql), *params)

    # ----- what differs from SQLite --------------------------------------------------------------------
    async def intent(self, model: str, api_input: dict[str, Any], *, owner: str = "") -> int:
        now = time.time()
        rows = await self._exec(INTENT, (owner, clean_text(model), to_json(api_input), now, now, self.writer,
                                         now + self.lease, None, None, None))
        return int(rows[0][0])

    async def reserve(self, model: str, api_input: dict[str, Any], *, owner: str = "", fingerprint: str,
                      price: float | None = None, dedup_since: float | None = None, day_since: float | None = None,
                      day_limit: float | None = None, consent: str | None = None) -> Reservation:
        """One transaction holding the owner's reservation lock, so replicas' checks and writes never interleave:
        an identical request in the window, the day's limit, a consent used once, then the intent."""
        async with self._transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("reserve", owner))
            if dedup_since is not None:
                found = await conn.fetch(dollars(DUPLICATE), owner, fingerprint, dedup_since)
                if found:
                    return Reservation(duplicate=decode_row(tuple(found[0])))
            spent = float((await conn.fetch(dollars(SPENT), owner, day_since))[0][0]) if day_since is not None \
                else 0.0
            if day_limit is not None and spent + (price or 0.0) > day_limit + 1e-9:
                return Reservation(refused="day_limit", spent=spent)
            if consent is not None and await conn.fetch("SELECT 1 FROM tasks WHERE consent = $1", consent):
                return Reservation(refused="consent_used", spent=spent)
            now = time.time()
            row = await conn.fetch(dollars(INTENT), owner, clean_text(model), to_json(api_input), now, now,
                                   self.writer, now + self.lease, fingerprint, price, consent)
            return Reservation(row=int(row[0][0]), spent=spent)

    async def update(self, task_id: str, *, status: str, output: dict[str, Any] | None = None,
                     error: str | None = None, files: list[str] | None = None, cost: float | None = None,
                     model: str | None = None, owner: str = "") -> None:
        async with self._transaction() as conn:
            await conn.execute(_UPDATE, owner, clean_text(task_id), clean_text(model) if model else None, status,
                               time.time(), to_json(output), clean_text(error) if error is not None else None,
                               to_json(files), float(cost) if cost is not None else None)

    async def recover(self) -> int:
        """`sending` rows whose lease ran out, or whose replica no longer holds its liveness lock."""
        rows = await self._exec("SELECT id, writer, lease_until FROM tasks WHERE status = 'sending'")
        now, gone = time.time(), 0
        for row_id, writer, lease in rows:
            if lease is not None and lease >= now and writer and await self._alive(writer):
                continue
            done = await self._exec("UPDATE tasks SET status = 'unknown', error = ?, updated_at = ?, writer = NULL, "
                                    "lease_until = NULL WHERE id = ? AND status = 'sending' RETURNING id",
                                    (ABANDONED, now, row_id))
            gone += len(done)
        return gone

    async def _alive(self, writer: str) -> bool:
        coordination = self.coordination
        if not isinstance(coordination, PostgresCoordination):
            return True  # not open yet: only the lease can tell
        try:
            return await coordination.writer_alive(writer)
        except FAILURES:
            return True


async def _quiet_alive(coordination: PostgresCoordination, writer: str) -> bool:
    try:
        return await coordination.writer_alive(writer)
    except FAILURES:
        return True  # cannot tell: leave the row to its lease


@lru_cache(maxsize=256)
def dollars(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, ...` (our SQL never has a `?` inside a literal)."""
    count = 0

    def number(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return re.sub(r"\?", number, sql)


def describe(url: str, schema: str | None = None) -> str:
    """The database as logs and messages may show it: no user name, no password."""
    try:
        parts = urlsplit(url)
        where = f"postgresql://{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or '/'}"
    except ValueError:
        where = "postgresql://(unparsable URL)"
    return f"{where} (schema {schema})" if schema else where


def _reason(exc: BaseException, url: str = "") -> str:
    text = str(getattr(exc, "message", "") or exc)
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        text = text.replace(password, "***")
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:300]
