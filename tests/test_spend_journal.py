"""The journal's spending operations: one atomic reservation (dedup, daily limit, one-time consent), the duplicate
look-up and the spend sum, also between journals and processes sharing one file."""

from __future__ import annotations

import sqlite3
import sys
import time

import anyio
import pytest

from mcp_server.journal import SqliteJournal
from mcp_server.journal.sqlite_schema import VERSION

pytestmark = pytest.mark.anyio

WINDOW = 600.0


async def opened(path) -> SqliteJournal:
    journal = SqliteJournal(path)
    await journal.open()
    return journal


async def reserve(journal: SqliteJournal, fingerprint: str, **options):
    options.setdefault("dedup_since", time.time() - WINDOW)
    return await journal.reserve("m/x", {"prompt": fingerprint}, fingerprint=fingerprint, **options)


async def test_reserve_records_price_and_finds_the_same_request_again(backend):
    journal = await backend.opened()
    first = await reserve(journal, "fp1", price=0.4)
    assert first.row is not None and first.duplicate is None
    again = await reserve(journal, "fp1", price=0.4)
    assert again.row is None and again.duplicate["id"] == first.row and again.duplicate["status"] == "sending"
    await journal.created(first.row, "t1", "pending")
    found = await journal.find_duplicate("fp1", since=time.time() - WINDOW)
    assert found["task_id"] == "t1" and found["price"] == 0.4
    assert await journal.find_duplicate("fp1", since=time.time() + 1) is None  # outside the window
    assert await journal.find_duplicate("fp1", owner="someone else", since=0) is None
    assert (await reserve(journal, "fp1", dedup_since=None)).row is not None  # allow_duplicate
    await journal.update("t1", status="failed", error="policy")
    await journal.close()


async def test_a_failed_task_is_no_duplicate(backend):
    journal = await backend.opened()
    row = (await reserve(journal, "fp")).row
    await journal.created(row, "t1", "pending")
    await journal.update("t1", status="failed", error="policy")
    assert await journal.find_duplicate("fp", since=0) is None
    assert (await reserve(journal, "fp")).row is not None
    await journal.close()


async def test_daily_limit_counts_reserved_prices_until_discarded(backend):
    journal = await backend.opened()
    day = dict(day_since=time.time() - 60, day_limit=1.0)
    a = await reserve(journal, "a", price=0.4, **day)
    b = await reserve(journal, "b", price=0.4, **day)
    refused = await reserve(journal, "c", price=0.4, **day)
    assert a.row and b.row and refused.row is None and refused.refused == "day_limit" and refused.spent == 0.8
    assert await journal.spent(since=0) == pytest.approx(0.8)
    await journal.unknown(a.row, "dropped")  # an unknown outcome stays counted
    await journal.discard(b.row)  # the API refused it: released
    assert await journal.spent(since=0) == pytest.approx(0.4)
    assert (await reserve(journal, "c", price=0.4, **day)).row is not None
    assert (await reserve(journal, "d", price=0.2, **day)).row is not None  # exactly at the limit
    assert await journal.spent(owner="other", since=0) == 0
    await journal.close()


async def test_a_consent_is_used_once(backend):
    journal = await backend.opened()
    assert (await reserve(journal, "a", consent="token-1")).row is not None
    again = await reserve(journal, "a", consent="token-1", dedup_since=None)
    assert again.row is None and again.refused == "consent_used"
    await journal.close()


async def test_concurrent_identical_reservations_make_one_row(backend):
    journals = [await backend.opened() for _ in range(4)]  # four servers sharing one journal
    results = []

    async def one(journal) -> None:
        results.append(await reserve(journal, "same", price=0.4))

    async with anyio.create_task_group() as group:
        for journal in journals * 3:
            group.start_soon(one, journal)
    assert sum(1 for r in results if r.row is not None) == 1
    assert sum(1 for r in results if r.duplicate is not None) == 11
    for journal in journals:
        await journal.close()


async def test_replicas_sharing_a_journal_cannot_exceed_the_daily_limit_together(backend):
    journals = [await backend.opened() for _ in range(4)]  # four replicas (PostgreSQL) or servers (SQLite)
    results = []

    async def one(journal, n: int) -> None:
        results.append(await reserve(journal, f"request {n}", price=0.4, day_since=0, day_limit=2.0))

    async with anyio.create_task_group() as group:
        for n, journal in enumerate(journals * 3):
            group.start_soon(one, journal, n)
    assert sum(1 for r in results if r.row is not None) == 5  # $2.00 / $0.40, whoever got there first
    assert all(r.refused == "day_limit" for r in results if r.row is None)
    assert await journals[0].spent(since=0) == pytest.approx(2.0)
    for journal in journals:
        await journal.close()


RESERVER = """
import sys, anyio
from pathlib import Path
from mcp_server.journal import SqliteJournal

async def main():
    journal = SqliteJournal(Path(sys.argv[1]))
    await journal.open()
    made = 0
    for i in range(10):
        got = await journal.reserve("m/x", {}, fingerprint=f"{sys.argv[2]}-{i}", price=0.4, day_since=0,
                                    day_limit=2.0)
        made += got.row is not None
    print(made)

anyio.run(main)
"""


async def test_processes_sharing_a_journal_cannot_exceed_the_daily_limit_together(tmp_path):
    path = tmp_path / "shared.sqlite3"
    await (await opened(path)).close()
    outputs: list[str] = []

    async def process(name: str) -> None:
        done = await anyio.run_process([sys.executable, "-c", RESERVER, str(path), name], check=True)
        outputs.append(done.stdout.decode().strip())

    async with anyio.create_task_group() as group:
        for name in ("p1", "p2", "p3"):
            group.start_soon(process, name)
    assert sum(int(out) for out in outputs) == 5  # $2.00 / $0.40, whoever got there first
    journal = await opened(path)
    assert await journal.spent(since=0) == pytest.approx(2.0)
    await journal.close()


@pytest.mark.parametrize("version", [2, 4])
async def test_an_older_journal_gains_the_spending_columns(tmp_path, version):
    path = tmp_path / "j.sqlite3"
    journal = await opened(path)
    await journal.close()
    conn = sqlite3.connect(path)  # back to the shape of version 2 (4 only adds the mcp_tasks table; 6 is after)
    for index in ("tasks_fingerprint", "tasks_owner_created", "tasks_consent", "tasks_webhook"):
        conn.execute(f"DROP INDEX {index}")
    for column in ("fingerprint", "price", "consent", "webhook", "hint", "hinted_at"):
        conn.execute(f"ALTER TABLE tasks DROP COLUMN {column}")
    conn.execute("INSERT INTO tasks (task_id, model, input, status, created_at, updated_at) "
                 "VALUES ('old', 'm/x', '{}', 'completed', 1, 1)")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    journal = await opened(path)
    assert (await journal.get("old"))["price"] is None
    assert (await reserve(journal, "fp", price=0.1)).row is not None
    await journal.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION
    conn.close()
