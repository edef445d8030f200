"""The task journal: one interface (`Journal`), an embedded SQLite backend, and the start-up check.

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
           "open_journal"]
log = logging.getLogger(__name__)


async def open_journal(settings: Settings) -> Journal:
    journal: Journal = SqliteJournal(settings.journal_path)
    try:
        await journal.open()
    except JournalUnavailable as problem:
        log.error("%s", problem.message)
        await journal.close()
        return UnavailableJournal(problem.message)
    return journal
