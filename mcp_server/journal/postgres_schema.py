"""The PostgreSQL journal's schema: identity, versioned migrations, and starting replicas that migrate once.

The journal lives in one schema of a database (the URL's `search_path`, else `public`), beside whatever else the
database holds. It is marked as ours by the table `unifically_journal_migrations`, which records every migration
applied (a set, not a high-water mark: migrations written on parallel branches apply whatever their order).
Migrating runs in one transaction under a transaction-scoped advisory lock keyed by the schema, so replicas that
start together wait for each other and the second finds nothing left to do. Version numbers match the SQLite
journal's for the same content (its v1 and v2 are one step here: no PostgreSQL journal predates owners).
"""

from __future__ import annotations

import hashlib
from typing import Any

MIGRATIONS_TABLE = "unifically_journal_migrations"
OUR_TABLES = ("tasks", "mcp_tasks", "pollers")
_V2 = """
CREATE TABLE IF NOT EXISTS tasks (
    id BIGSERIAL PRIMARY KEY,
    owner TEXT NOT NULL DEFAULT '',
    task_id TEXT,
    model TEXT NOT NULL,
    input TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    output TEXT,
    files TEXT,
    cost DOUBLE PRECISION,
    error TEXT,
    writer TEXT,
    lease_until DOUBLE PRECISION
);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_owner_task ON tasks (owner, task_id);
CREATE INDEX IF NOT EXISTS tasks_created ON tasks (created_at DESC);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status);
"""
_V4 = """
CREATE TABLE IF NOT EXISTS mcp_tasks (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL DEFAULT '',
    tool TEXT NOT NULL,
    task_id TEXT,
    model TEXT,
    status TEXT NOT NULL,
    message TEXT,
    result TEXT,
    ttl_ms BIGINT,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS mcp_tasks_owner ON mcp_tasks (owner, seq);
"""
# v5 (as SQLite's v5, spending safety): the request's fingerprint, the price quoted before it was sent and the
# consent it used.
_V5 = """
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS fingerprint TEXT;
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS price DOUBLE PRECISION;
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS consent TEXT;
CREATE INDEX IF NOT EXISTS tasks_fingerprint ON tasks (owner, fingerprint, created_at);
CREATE INDEX IF NOT EXISTS tasks_owner_created ON tasks (owner, created_at);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_consent ON tasks (consent) WHERE consent IS NOT NULL;
"""
# v6: webhooks (as SQLite's v6), and the poller leases replicas share: who polls a task until when, and the
# answer it last read (for the other replicas' waiters).
_V6 = """
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS webhook TEXT;
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS hint TEXT;
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS hinted_at DOUBLE PRECISION;
CREATE UNIQUE INDEX IF NOT EXISTS tasks_webhook ON tasks (webhook);
CREATE TABLE IF NOT EXISTS pollers (
    owner TEXT NOT NULL,
    task_id TEXT NOT NULL,
    holder TEXT,
    lease_until TIMESTAMPTZ,
    latest TEXT,
    reads BIGINT NOT NULL DEFAULT 0,
    seen_at TIMESTAMPTZ,
    PRIMARY KEY (owner, task_id)
);
"""
MIGRATIONS: tuple[tuple[int, str, str], ...] = ((2, "tasks", _V2), (4, "mcp_tasks", _V4),
                                                (5, "spending safety", _V5), (6, "webhooks and poller leases", _V6))
KNOWN = frozenset(version for version, _, _ in MIGRATIONS)


class SchemaProblem(Exception):
    """The schema is not a usable journal; the message is the reason, in a few words."""


def lock_key(kind: str, name: str) -> int:
    """A 64-bit advisory lock key for (kind, name): the same on every replica."""
    return int.from_bytes(hashlib.sha256(f"unifically-mcp/{kind}/{name}".encode()).digest()[:8], "big", signed=True)


async def migrate(conn: Any) -> tuple[str, set[int]]:
    """Bring the journal in the connection's current schema up to date; returns the schema and the migrations
    found applied before. Safe when several replicas start at once."""
    async with conn.transaction():
        schema = await conn.fetchval("SELECT current_schema()")
        if schema is None:
            raise SchemaProblem("the schema named by the URL's search_path does not exist; create it first")
        await conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key("migrate", schema))
        tables = {r[0] for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)}
        found: set[int] = set()
        if MIGRATIONS_TABLE in tables:
            found = {r[0] for r in await conn.fetch(f"SELECT version FROM {MIGRATIONS_TABLE}")}
        elif clash := sorted(tables & set(OUR_TABLES)):
            raise SchemaProblem(f"schema {schema} has tables named like ours ({', '.join(clash)}) that another "
                                "program made")
        if found - KNOWN:
            raise SchemaProblem(f"it was written by a newer unifically-mcp (migrations {sorted(found - KNOWN)} are "
                                "unknown to this one)")
        await conn.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, "
                           "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        for version, name, script in MIGRATIONS:
            if version not in found:
                await conn.execute(script)
                await conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES ($1, $2)", version, name)
    return schema, found
