"""The SQLite journal's schema: identity, integrity check and versioned, idempotent migrations.

The file is marked as ours (`PRAGMA application_id`) and versioned (`PRAGMA user_version`). At start a journal
is checked (`PRAGMA quick_check`, then identity and shape) before anything else touches it; an older journal is
upgraded in place inside one `BEGIN IMMEDIATE` transaction, so concurrent servers starting together migrate it
once. A file that is corrupt, not SQLite, or another program's database is refused with one sentence naming
the path and the remedy.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

APPLICATION_ID = 0x554E4946  # "UNIF"
VERSION = 6  # 3 was never released: the spending columns came after 4, as 5; webhooks are 6
V1_COLUMNS = {"id", "task_id", "model", "input", "status", "created_at", "updated_at", "output", "files", "cost",
              "error"}

_V1 = """
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
# v2: rows have an owner (hosted mode) and a writer + lease while `sending`; task ids are unique per owner.
_V2 = """
ALTER TABLE tasks RENAME TO tasks_v1;
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL DEFAULT '',
    task_id TEXT,
    model TEXT NOT NULL,
    input TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    output TEXT,
    files TEXT,
    cost REAL,
    error TEXT,
    writer TEXT,
    lease_until REAL
);
INSERT INTO tasks (id, owner, task_id, model, input, status, created_at, updated_at, output, files, cost, error)
    SELECT id, '', task_id, model, input, status, created_at, updated_at, output, files, cost, error FROM tasks_v1;
DROP TABLE tasks_v1;
CREATE UNIQUE INDEX tasks_owner_task ON tasks (owner, task_id);
CREATE INDEX tasks_created ON tasks (created_at DESC);
CREATE INDEX tasks_status ON tasks (status);
"""
# v4: MCP tasks (the protocol's task handles): an unguessable id per handle, owned, mapped to one Unifically
# task (none for a dry run), its terminal result kept as the CallToolResult JSON. Needs nothing from v2.
_V4 = """
CREATE TABLE IF NOT EXISTS mcp_tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL DEFAULT '',
    tool TEXT NOT NULL,
    task_id TEXT,
    model TEXT,
    status TEXT NOT NULL,
    message TEXT,
    result TEXT,
    ttl_ms INTEGER,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS mcp_tasks_owner ON mcp_tasks (owner, seq);
"""
# v5 (spending safety): the request's fingerprint (identical requests within the dedup window return the existing
# task), the price quoted before it was sent (what budgets count) and the consent it used (each consent once).
_V5 = """
ALTER TABLE tasks ADD COLUMN fingerprint TEXT;
ALTER TABLE tasks ADD COLUMN price REAL;
ALTER TABLE tasks ADD COLUMN consent TEXT;
CREATE INDEX tasks_fingerprint ON tasks (owner, fingerprint, created_at);
CREATE INDEX tasks_owner_created ON tasks (owner, created_at);
CREATE UNIQUE INDEX tasks_consent ON tasks (consent) WHERE consent IS NOT NULL;
"""
# v6: webhooks (hosted mode): the SHA-256 of a task's callback token, and the last delivery's news (a hint, until
# a status read confirms it). Needs only v2's tasks table.
_V6 = """
ALTER TABLE tasks ADD COLUMN webhook TEXT;
ALTER TABLE tasks ADD COLUMN hint TEXT;
ALTER TABLE tasks ADD COLUMN hinted_at REAL;
CREATE UNIQUE INDEX IF NOT EXISTS tasks_webhook ON tasks (webhook);
"""
MIGRATIONS: tuple[tuple[int, str], ...] = ((1, _V1), (2, _V2), (4, _V4), (5, _V5), (6, _V6))


class SchemaProblem(Exception):
    """The file is not a usable journal; the message is the reason, in a few words."""


def broken_message(path: Path, reason: str) -> str:
    return (f"The task journal {path} cannot be used ({reason}). Move it aside (e.g. mv '{path}' "
            f"'{path}.broken') and restart the server: a new journal is created. Until then no task can be "
            "created, because every paid task is journaled before it is sent.")


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")}


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version of an open journal, after checking it is ours and sound; 0 for an empty file."""
    check = conn.execute("PRAGMA quick_check").fetchone()
    if not check or check[0] != "ok":
        raise SchemaProblem(f"integrity check failed: {check[0] if check else 'no answer'}")
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = _tables(conn)
    if app_id not in (0, APPLICATION_ID):
        raise SchemaProblem("it belongs to another program")
    if version > VERSION:
        raise SchemaProblem(f"it was written by a newer unifically-mcp (schema {version}, this one knows {VERSION})")
    if not tables:
        return 0
    if "tasks" not in tables:
        raise SchemaProblem("it is another program's database")
    columns = {r[1] for r in conn.execute("PRAGMA table_info(tasks)")}
    if not V1_COLUMNS <= columns:
        raise SchemaProblem("its tasks table is not a unifically-mcp journal")
    return max(version, 1)  # the first journals carried no version: their shape is version 1


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the journal to VERSION; safe to run from several processes at once. Returns the old version."""
    start = current_version(conn)
    if start == VERSION:
        return start
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = current_version(conn)  # another process may have migrated it meanwhile
        for version, script in MIGRATIONS:
            if version > found:
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return start
