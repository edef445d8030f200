"""The task journal: one interface (`Journal`), two backends (SQLite embedded, PostgreSQL shared by hosted
replicas, chosen by `UNIFICALLY_DATABASE_URL`), and the start-up check.

`open_journal` never raises: a journal that fails its check is logged once (path and remedy) and replaced by
an `UnavailableJournal` whose every use returns that same sentence, so the server still starts, lists its
tools and explains the problem on every call that needs the journal.
"""

from __future__ import annotations

import logging

from mcp_server.journal.base import JOURNAL_STATUSES, Journal, JournalUnavailable, UnavailableJournal
from mcp_server.journal.sqlite import SqliteJournal
from mcp_server.settings import Settings

__all__ = ["JOURNAL_STATUSES", "Journal", "JournalUnavailable", "SqliteJournal", "UnavailableJournal",
           "make_journal", "open_journal"]
log = logging.getLogger(__name__)


def make_journal(settings: Settings) -> Journal:
    """The journal the settings name (not opened): PostgreSQL with a database URL, else the SQLite file."""
    if settings.database_url is None:
        return SqliteJournal(settings.journal_path, create_timeout=settings.create_timeout)
    try:
        from mcp_server.journal.postgres import PostgresJournal
    except ImportError:
        message = ("UNIFICALLY_DATABASE_URL names a PostgreSQL journal, but its driver is not installed: install "
                   "unifically-mcp[postgres] (asyncpg) and restart the server.")
        log.error("%s", message)
        return UnavailableJournal(message)
    return PostgresJournal(settings.database_url.get_secret_value(), create_timeout=settings.create_timeout)


async def open_journal(settings: Settings) -> Journal:
    journal = make_journal(settings)
    try:
        await journal.open()
    except JournalUnavailable as problem:
        log.error("%s", problem.message)
        await journal.close()
        return UnavailableJournal(problem.message)
    return journal
