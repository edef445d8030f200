"""The journal never loses a paid task and never takes the server down: upgrades, damage, dead writers, bad rows.
Dead writers and bad rows run on both backends; upgrades and damage are the SQLite file's (PostgreSQL's own are
in test_postgres_journal)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from mcp.client import Client

from mcp_server.journal import SqliteJournal, UnavailableJournal, open_journal
from mcp_server.journal.sqlite_schema import _V1, APPLICATION_ID, VERSION
from mcp_server.journal.writer import boot_id, this_writer
from mcp_server.server import build_server
from tests.conftest import make_settings, posts, text_of

pytestmark = pytest.mark.anyio


def legacy_journal(path, rows):
    """A journal as the first releases wrote it: no version, no owner, no writer."""
    conn = sqlite3.connect(path)
    conn.executescript(_V1)
    for task_id, status in rows:
        conn.execute("INSERT INTO tasks (task_id, model, input, status, created_at, updated_at) VALUES "
                     "(?, 'm/x', '{\"prompt\": \"p\"}', ?, 1.0, 1.0)", (task_id, status))
    conn.commit()
    conn.close()


async def test_a_legacy_journal_is_upgraded_in_place_and_keeps_its_rows(tmp_path):
    path = tmp_path / "tasks.sqlite3"
    legacy_journal(path, [("t1", "completed"), ("t2", "processing")])
    journal = SqliteJournal(path)
    await journal.open()
    assert {r["task_id"] for r in await journal.list()} == {"t1", "t2"}
    await journal.update("t2", status="completed")
    assert (await journal.get("t2"))["status"] == "completed"
    await journal.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    again = SqliteJournal(path)  # idempotent: a second start changes nothing
    await again.open()
    assert len(await again.list()) == 2
    await again.close()


@pytest.mark.parametrize("damage", ["garbage", "foreign", "newer"])
async def test_a_damaged_or_foreign_journal_is_named_with_its_remedy(tmp_path, damage, caplog):
    path = tmp_path / "tasks.sqlite3"
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all" * 200)
    else:
        conn = sqlite3.connect(path)
        if damage == "foreign":
            conn.execute("CREATE TABLE photos (id INTEGER, name TEXT)")
        else:
            conn.executescript(_V1)
            conn.execute(f"PRAGMA user_version = {VERSION + 1}")
        conn.commit()
        conn.close()
    settings = make_settings({"data": tmp_path, "out": tmp_path / "out", "in": tmp_path}, data_dir=tmp_path)
    journal = await open_journal(settings)
    assert isinstance(journal, UnavailableJournal)
    assert str(path) in journal.message and "Move it aside" in journal.message
    assert [r.message for r in caplog.records if r.levelname == "ERROR"] == [journal.message]


async def test_a_server_on_a_broken_journal_lists_tools_and_explains_every_call(dirs, sim):
    (dirs["data"] / "tasks.sqlite3").write_bytes(b"\x00garbage" * 1000)
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        assert len((await client.list_tools()).tools) > 40
        for tool, args in (("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}}),
                           ("list_tasks", {})):
            result = await client.call_tool(tool, args)
            assert result.is_error and "Move it aside" in text_of(result), text_of(result)
        with pytest.raises(Exception) as raised:
            await client.read_resource("unifically://tasks/abc")
        assert getattr(raised.value, "error", raised.value).code == -32603
        assert "Move it aside" in str(raised.value)
        described = await client.call_tool("describe_model", {"model": "google/veo-3.1-fast"})
        assert not described.is_error  # what needs no journal keeps working
    assert not posts(sim)  # no journal, no paid request


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def dead_writers(backend) -> dict[str, str]:
    """Writers provably gone, by model name: on one machine a dead process or an earlier boot; in PostgreSQL a
    replica whose liveness lock nobody holds (whatever its host)."""
    host = this_writer().split("/")[0]
    if backend.name == "postgres":
        return {"m/dead": f"{host}/{boot_id()}/{dead_pid()}/0123456789ab", "m/replica": "other-host/b/7/feedfacecafe"}
    return {"m/dead": f"{host}/{boot_id()}/{dead_pid()}", "m/rebooted": f"{host}/another-boot/{os.getpid()}"}


async def test_sends_left_by_a_dead_writer_become_unknown_and_live_ones_are_left_alone(backend):
    first = await backend.opened()
    live = await first.intent("m/live", {})  # this process (or replica): alive, still sending
    gone = dead_writers(backend)
    for model, writer in gone.items():
        row = await first.intent(model, {})
        await backend.execute("UPDATE tasks SET writer = ? WHERE id = ?", writer, row)
    expired = await first.intent("m/elsewhere", {})
    await backend.execute("UPDATE tasks SET writer = 'other-host/b/1', lease_until = 1.0 WHERE id = ?", expired)
    second = await backend.opened()  # "the next start"
    rows = {r["model"]: r for r in await second.list()}
    assert rows["m/live"]["status"] == "sending"
    for model in (*gone, "m/elsewhere"):
        assert rows[model]["status"] == "unknown" and "may or may not exist" in rows[model]["error"]
    assert {r["model"] for r in await second.list(status="unknown")} == {*gone, "m/elsewhere"}
    assert live
    await first.close()
    await second.close()


async def test_one_bad_row_never_breaks_a_listing_and_listings_stay_small(backend):
    journal = await backend.opened()
    await journal.intent("m/big", {"prompt": "p" * 50_000, "image_urls": ["https://x/" + "y" * 500] * 40})
    await journal.update("surrogate", status="failed", error="bad \ud800 char", output={"text": "\udfff"})
    await journal.update("long-error", status="failed", error="the API explains " + "at length " * 20_000)
    insert = "INSERT INTO tasks (task_id, model, input, status, created_at, updated_at, output) VALUES ('broken', "
    if backend.name == "sqlite":  # bytes that are not UTF-8 (PostgreSQL refuses to store them at all)
        await backend.execute(insert + "CAST(X'6dff2f78' AS TEXT), '{not json', 'completed', 2.0, 2.0, X'ff00fe')")
    else:
        await backend.execute(insert + "'m/\ufffd', '{not json', 'completed', 2.0, 2.0, '[1, 2')")
    rows = await journal.list(limit=10)
    assert {r["task_id"] for r in rows} >= {"broken", "surrogate", "long-error", None}
    assert len(json.dumps(rows, ensure_ascii=False)) < 4000
    json.dumps(rows, ensure_ascii=False).encode("utf-8")  # every string is encodable
    full = await journal.get("surrogate")
    assert full["error"] == "bad \ufffd char"
    await journal.close()


async def test_a_callers_odd_characters_never_break_the_journal(client, sim):
    created = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "a\ud800b"},
                                                     "wait_seconds": 0})
    assert not created.is_error, text_of(created)
    refused = await client.call_tool("get_task", {"task_id": "\ud800x"})
    assert refused.is_error and "task_id" in text_of(refused) and "internal error" not in text_of(refused)
    listed = await client.call_tool("list_tasks", {})
    assert listed.structured_content["tasks"][0]["input"]["prompt"] == "a\ufffdb"
