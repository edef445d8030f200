"""The journal's MCP task rows: owned, ended once, paged newest first, purged after their ttl, and added to an
older journal in place (schema v4). Both backends, but for the SQLite file's own upgrade."""

from __future__ import annotations

import sqlite3
import time

import pytest

from mcp_server.journal.sqlite import SqliteJournal
from mcp_server.journal.sqlite_schema import _V1, _V2, APPLICATION_ID, VERSION

pytestmark = pytest.mark.anyio


def row(mcp_id: str, owner: str = "", **extra):
    now = time.time()
    return {"id": mcp_id, "owner": owner, "tool": "generate_video_veo", "task_id": f"up-{mcp_id}",
            "model": "google/veo-3.1-fast", "status": "working", "message": None, "result": None,
            "ttl_ms": 3_600_000, "created_at": now, "updated_at": now, **extra}


async def test_a_task_is_read_by_its_owner_only_and_ends_once(backend):
    journal = await backend.opened()
    await journal.create_mcp_task(row("mt_a", owner="alice"))
    assert (await journal.get_mcp_task("mt_a", owner="alice"))["task_id"] == "up-mt_a"
    assert await journal.get_mcp_task("mt_a", owner="bob") is None
    assert not await journal.end_mcp_task("mt_a", owner="bob", status="completed", message=None, result={})
    assert await journal.end_mcp_task("mt_a", owner="alice", status="cancelled", message="stopped", result={"x": 1})
    assert not await journal.end_mcp_task("mt_a", owner="alice", status="completed", message="late",
                                          result={"content": []})
    ended = await journal.get_mcp_task("mt_a", owner="alice")
    assert (ended["status"], ended["message"], ended["result"]) == ("cancelled", "stopped", {"x": 1})
    await journal.close()


async def test_listing_pages_newest_first_and_expired_tasks_are_purged(backend):
    journal = await backend.opened()
    for n in range(5):
        await journal.create_mcp_task(row(f"mt_{n}", result={"content": [{"type": "text", "text": "big"}]}))
    await journal.create_mcp_task(row("mt_other", owner="bob"))
    first = await journal.list_mcp_tasks(owner="", limit=3)
    assert [r["id"] for r in first] == ["mt_4", "mt_3", "mt_2"] and all(r["result"] is None for r in first)
    rest = await journal.list_mcp_tasks(owner="", before=first[-1]["seq"], limit=3)
    assert [r["id"] for r in rest] == ["mt_1", "mt_0"]
    await journal.create_mcp_task(row("mt_old", created_at=time.time() - 7200, ttl_ms=3_600_000))
    assert await journal.purge_mcp_tasks(time.time()) == 1
    assert await journal.get_mcp_task("mt_old", owner="") is None
    await journal.close()


@pytest.mark.parametrize("old", [1, 2])
async def test_an_older_journal_gains_the_task_table_and_keeps_its_rows(tmp_path, old):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(_V1)
    if old == 2:
        conn.executescript(_V2)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO tasks (task_id, model, input, status, created_at, updated_at) "
                 "VALUES ('t1', 'm/x', '{}', 'completed', 1, 1)")
    conn.commit()
    conn.close()
    journal = SqliteJournal(path)
    await journal.open()
    assert (await journal.get("t1"))["status"] == "completed"
    await journal.create_mcp_task(row("mt_new"))
    assert (await journal.get_mcp_task("mt_new", owner=""))["status"] == "working"
    await journal.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
