"""Replicas sharing a PostgreSQL journal: one poller per task (a lease in `pollers`), and waiters on every
replica woken by LISTEN/NOTIFY (the events of `coordination`).

Claiming is one statement: an upsert that takes the row when nobody holds it, when this replica does, or when
the holder's lease has run out (the database's clock decides), returning what the row had seen. The holder
stores each answer it reads and notifies in the same statement; the notification is delivered when it commits.

Each replica keeps one connection of its own open for as long as it runs: it LISTENs on the journal's channel
(one per schema), and holds a session advisory lock on the replica's writer identity, which proves the replica
alive to the others (`writer_alive`). A lost connection is reopened; events missed meanwhile are made up for by
waking every follower, which re-reads its row.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from mcp_server.journal.base import load_json, to_json
from mcp_server.journal.coordination import Claim, Coordination, Key, Listener, Seen
from mcp_server.journal.postgres_schema import lock_key

log = logging.getLogger(__name__)
PING_SECONDS = 30.0  # the LISTEN connection is checked this often (a silent network loss)
_CLAIM = """
WITH c AS (
    INSERT INTO pollers AS p (owner, task_id, holder, lease_until)
    VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4))
    ON CONFLICT (owner, task_id) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
    WHERE p.holder IS NULL OR p.holder = EXCLUDED.holder OR p.lease_until < clock_timestamp()
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM c), p.latest, p.reads,
       EXTRACT(EPOCH FROM clock_timestamp() - p.seen_at)::float8,
       EXTRACT(EPOCH FROM p.lease_until - clock_timestamp())::float8, p.holder
FROM (SELECT 1) AS one LEFT JOIN pollers p ON p.owner = $1 AND p.task_id = $2
"""
_PUBLISH = """
WITH u AS (UPDATE pollers SET latest = $3, reads = reads + 1, seen_at = clock_timestamp()
           WHERE owner = $1 AND task_id = $2 RETURNING reads)
SELECT reads, pg_notify($4, $5) FROM u
"""
_RELEASE = """
WITH u AS (UPDATE pollers SET holder = NULL, lease_until = NULL WHERE owner = $1 AND task_id = $2 AND holder = $3
           RETURNING 1)
SELECT pg_notify($4, $5) FROM u
"""
_PURGE = ("DELETE FROM pollers WHERE (holder IS NULL OR lease_until < clock_timestamp() - interval '1 hour') "
          "AND COALESCE(seen_at, '-infinity') < clock_timestamp() - interval '1 day'")


class PostgresCoordination(Coordination):
    shared = True

    def __init__(self, pool: Any, connect: Callable[[], Awaitable[Any]], schema: str, holder: str) -> None:
        self._pool, self._connect, self.holder = pool, connect, holder
        self.channel = f"unifically_{lock_key('channel', schema) & 0xFFFFFFFFFFFF:x}"
        self._listeners: list[Listener] = []
        self._conn: Any = None
        self._lost = asyncio.Event()
        self._keeper: asyncio.Task[None] | None = None

    # ----- the replica's own connection: LISTEN, and its liveness lock -----------------------------------
    async def start(self) -> None:
        await self._listen()
        await self._pool.execute(_PURGE)
        self._keeper = asyncio.get_running_loop().create_task(self._keep())

    async def close(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._keeper
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close(timeout=5)
            self._conn = None

    async def _listen(self) -> None:
        conn = await self._connect()
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", lock_key("writer", self.holder))
            await conn.add_listener(self.channel, self._on_notify)
        except BaseException:
            await conn.close()
            raise
        self._lost = asyncio.Event()
        conn.add_termination_listener(lambda _: self._lost.set())
        self._conn = conn

    async def _keep(self) -> None:
        """Reopen the LISTEN connection whenever it is lost; ping it now and then to notice a silent loss."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), PING_SECONDS)
            if not self._lost.is_set():
                try:
                    await self._conn.fetchval("SELECT 1", timeout=10)
                    continue
                except Exception:
                    with contextlib.suppress(Exception):
                        self._conn.terminate()
            log.warning("journal: the LISTEN connection was lost; reconnecting")
            delay = 0.5
            while True:
                try:
                    await self._listen()
                    break
                except Exception as exc:
                    log.warning("journal: reconnecting failed (%s); retrying in %.0f s", type(exc).__name__, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 30.0)
            self._dispatch("read", None)  # whatever was missed: every follower re-reads its row

    async def writer_alive(self, writer: str) -> bool:
        """Whether the replica `writer` still runs: its liveness lock is held (by it, on its own connection)."""
        if writer == self.holder:
            return True
        key = lock_key("writer", writer)
        async with self._pool.acquire() as conn:
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
                await conn.execute("SELECT pg_advisory_unlock($1)", key)
                return False
        return True

    # ----- events ---------------------------------------------------------------------------------------
    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = json.loads(payload)
            kind, key, within = event["e"], (str(event["o"]), str(event["t"])), event.get("w")
            within = float(within) if within is not None else None
        except (ValueError, KeyError, TypeError):
            log.warning("journal: ignored an unreadable notification")
            return
        self._dispatch(kind, key, within)

    def _dispatch(self, kind: str, key: Key | None, within: float | None = None) -> None:
        for listener in self._listeners:
            try:
                listener(kind, key, within)
            except Exception:
                log.exception("journal: a listener failed on %s", kind)

    def _payload(self, kind: str, key: Key, within: float | None = None) -> str:
        return json.dumps({"e": kind, "o": key[0], "t": key[1], **({"w": within} if within is not None else {})})

    # ----- the lease --------------------------------------------------------------------------------------
    async def claim(self, key: Key, seconds: float) -> Claim:
        row = await self._pool.fetchrow(_CLAIM, key[0], key[1], self.holder, float(seconds))
        held, latest, reads, age, left, holder = row
        answer = load_json(latest) if latest is not None else None
        seen = Seen(answer=answer if isinstance(answer, dict) else None, reads=reads or 0, age=age,
                    lease_left=None if holder is None else left)
        return Claim(held=bool(held), seen=seen)

    async def release(self, key: Key) -> None:
        await self._pool.execute(_RELEASE, key[0], key[1], self.holder, self.channel, self._payload("free", key))

    async def publish(self, key: Key, answer: dict[str, Any]) -> int | None:
        return await self._pool.fetchval(_PUBLISH, key[0], key[1], to_json(answer), self.channel,
                                         self._payload("read", key))

    async def poke(self, key: Key, *, hint: bool = False, within: float | None = None) -> None:
        event = self._payload("hint" if hint else "poke", key, within)
        await self._pool.execute("SELECT pg_notify($1, $2)", self.channel, event)
