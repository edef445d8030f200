"""The PostgreSQL journal's own concerns: migrations run once however many replicas start together, a schema
that is not ours (or is newer) is refused with a sentence, an unreachable database never takes the server down
nor shows its password, recovery never takes a live replica's create, and a lost LISTEN connection comes back."""

from __future__ import annotations

import anyio
import asyncpg
import pytest
from mcp.client import Client
from pydantic import SecretStr

from mcp_server.journal import UnavailableJournal, open_journal
from mcp_server.journal.postgres import PostgresJournal
from mcp_server.journal.postgres_schema import KNOWN, MIGRATIONS_TABLE
from mcp_server.server import build_server
from tests.conftest import make_settings, posts, text_of
from tests.pg import with_schema

pytestmark = pytest.mark.anyio


async def test_replicas_starting_together_migrate_once_and_a_restart_changes_nothing(pg_url):
    journals = [PostgresJournal(pg_url) for _ in range(8)]
    async with anyio.create_task_group() as group:
        for journal in journals:
            group.start_soon(journal.open)
    row = await journals[3].intent("m/x", {"prompt": "p"})
    await journals[5].created(row, "t1", "pending")
    for journal in journals:
        await journal.close()
    again = PostgresJournal(pg_url)
    await again.open()
    assert (await again.get("t1"))["status"] == "pending"
    await again.close()
    conn = await asyncpg.connect(pg_url)
    versions = [r[0] for r in await conn.fetch(f"SELECT version FROM {MIGRATIONS_TABLE} ORDER BY version")]
    await conn.close()
    assert versions == sorted(KNOWN)


@pytest.mark.parametrize("damage", ["foreign", "newer", "no schema"])
async def test_a_schema_that_is_not_a_journal_of_ours_is_refused_with_a_sentence(pg_url, dirs, damage, caplog):
    url = pg_url
    conn = await asyncpg.connect(pg_url)
    if damage == "foreign":
        await conn.execute("CREATE TABLE tasks (id INTEGER, name TEXT)")
    elif damage == "newer":
        journal = PostgresJournal(pg_url)
        await journal.open()
        await journal.close()
        await conn.execute(f"INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES (99, 'from the future')")
    else:
        url = with_schema(pg_url, "no_such_schema_here")
    await conn.close()
    journal = await open_journal(make_settings(dirs, database_url=SecretStr(url)))
    assert isinstance(journal, UnavailableJournal)
    expected = {"foreign": "another program", "newer": "newer unifically-mcp", "no schema": "does not exist"}[damage]
    assert expected in journal.message and "UNIFICALLY_DATABASE_URL" in journal.message, journal.message
    assert [r.message for r in caplog.records if r.levelname == "ERROR"] == [journal.message]


async def test_an_unreachable_database_never_takes_the_server_down_nor_shows_its_password(dirs, sim):
    settings = make_settings(dirs, database_url=SecretStr("postgresql://someone:s3cret-pw@127.0.0.1:1/unifically"))
    journal = await open_journal(settings)
    assert isinstance(journal, UnavailableJournal)
    assert "postgresql://127.0.0.1:1/unifically" in journal.message and "s3cret-pw" not in journal.message
    assert "someone" not in journal.message
    async with Client(build_server(settings, sim.transport())) as client:
        assert len((await client.list_tools()).tools) > 40
        result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}})
        assert result.is_error and "UNIFICALLY_DATABASE_URL" in text_of(result) and "s3cret" not in text_of(result)
    assert not posts(sim)  # no journal, no paid request


async def test_recovery_never_takes_a_live_replicas_create_and_takes_a_dead_ones(pg_url):
    first = PostgresJournal(pg_url)
    await first.open()
    assert await first.intent("m/in-flight", {})  # replica A is sending this create right now
    second = PostgresJournal(pg_url)
    await second.open()  # replica B starts meanwhile: A is alive and its lease runs
    assert (await second.list())[0]["status"] == "sending"
    await first.close()  # A dies: its liveness lock goes with its connection
    third = PostgresJournal(pg_url)
    await third.open()
    [record] = await third.list()
    assert record["status"] == "unknown" and "may or may not exist" in record["error"]
    await second.close()
    await third.close()


async def test_a_running_replica_sweeps_the_creates_a_dead_one_left(pg_url):
    survivor, dying = PostgresJournal(pg_url), PostgresJournal(pg_url)
    survivor.sweep_seconds = 0.2
    await survivor.open()
    await dying.open()
    assert await dying.intent("m/in-flight", {})
    await anyio.sleep(0.5)
    assert (await survivor.list())[0]["status"] == "sending"  # its writer is alive: left alone
    await dying.close()  # the replica dies; the survivor keeps running, no replica starts
    with anyio.fail_after(10):
        while (await survivor.list())[0]["status"] != "unknown":
            await anyio.sleep(0.1)
    await survivor.close()


async def test_a_lost_listen_connection_is_reopened_and_events_flow_again(pg_url):
    journal = PostgresJournal(pg_url)
    await journal.open()
    other = PostgresJournal(pg_url)
    await other.open()
    events: list = []
    journal.coordination.listen(lambda kind, key, within: events.append((kind, key)))
    pid = journal.coordination._conn.get_server_pid()
    conn = await asyncpg.connect(pg_url)
    await conn.execute("SELECT pg_terminate_backend($1)", pid)
    await conn.close()
    with anyio.fail_after(10):
        while ("read", None) not in events:  # reconnected: every follower is told to re-read
            await anyio.sleep(0.02)
        while ("poke", ("o", "t")) not in events:
            await other.coordination.poke(("o", "t"))
            await anyio.sleep(0.05)
    assert await other.coordination.writer_alive(journal.writer)  # its liveness lock was taken again
    await journal.close()
    await other.close()
