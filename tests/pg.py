"""PostgreSQL for the tests: the database named by UNIFICALLY_TEST_DATABASE_URL, one fresh schema per test.

Without the variable the PostgreSQL tests are skipped, with the reason shown (`-rs`); with CI=true they fail
instead, so CI cannot pass without having run them. Each test gets its own schema (dropped afterwards), so tests
are isolated and may run in parallel; the journal's NOTIFY channel and advisory locks are per schema too.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bench.hosting import fresh_schema, with_schema
from mcp_server.journal import Journal, SqliteJournal

__all__ = ["Backend", "database_url", "fresh_schema", "with_schema"]

VARIABLE = "UNIFICALLY_TEST_DATABASE_URL"
REASON = (f"PostgreSQL tests need {VARIABLE} (e.g. postgresql://postgres@127.0.0.1:5432/test) and the "
          "[postgres] extra; .ci/run sets both")


def database_url() -> str:
    """The test database's URL, or skip (fail under CI=true) with the reason."""
    url = os.environ.get(VARIABLE, "").strip()
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        url = ""
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true but {REASON}")
        pytest.skip(REASON)
    return url


class Backend:
    """One journal store (an SQLite file, or a PostgreSQL schema) that tests open journals on, as servers
    sharing it would."""

    def __init__(self, name: str, path: Path | None = None, url: str | None = None) -> None:
        self.name, self.path, self.url = name, path, url

    def journal(self, **options: Any) -> Journal:
        """A new journal on this store (not opened): another server, as far as the store can tell."""
        if self.url is not None:
            from mcp_server.journal.postgres import PostgresJournal

            return PostgresJournal(self.url, **options)
        assert self.path is not None
        return SqliteJournal(self.path, **options)

    async def opened(self, **options: Any) -> Journal:
        journal = self.journal(**options)
        await journal.open()
        return journal

    def settings(self) -> dict[str, Any]:
        """Overrides for `make_settings` so a server uses this store (SQLite: the data dir's file)."""
        return {"database_url": SecretStr(self.url)} if self.url else {}

    async def execute(self, sql: str, *params: Any) -> list[Any]:
        """Raw SQL on the store, `?` placeholders (to set up what no journal method would write)."""
        if self.url is not None:
            import asyncpg

            from mcp_server.journal.postgres import dollars

            conn = await asyncpg.connect(self.url)
            try:
                return list(await conn.fetch(dollars(sql), *params))
            finally:
                await conn.close()
        assert self.path is not None
        conn = sqlite3.connect(self.path)
        try:
            with conn:
                return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
