"""Multi-user hosted mode (`UNIFICALLY_AUTH=user-key`) over real HTTP: every request carries its user's own key;
users are isolated (journal rows, task ids, resources, files, waiting) and no key is ever stored or echoed."""

from __future__ import annotations

import json
import logging
import sqlite3

import httpx2
import pytest
from mcp.shared.exceptions import MCPError
from pydantic import SecretStr

from mcp_server.transports.auth import owner_of
from tests.conftest import dump, make_sim, text_of
from tests.hosted import (
    INIT,
    KEY_A,
    KEY_B,
    OWNER_SECRET,
    as_user,
    connect,
    hosted_settings,
    raw_post,
    serving,
    user_key_http,
)

pytestmark = pytest.mark.anyio
IMAGE = {"model": "google/nano-banana", "input": {"prompt": "x", "aspect_ratio": "1:1"}}
TOKEN = "shared-gateway-token-0123456789"


class KeyScopedUpstream(httpx2.AsyncBaseTransport):
    """The API's own isolation, as the real one has it: a task is visible only to the key that created it."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.creator: dict[str, str] = {}
        self.reads: list[tuple[str, str]] = []  # (task id, authorization) of every status read

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        key = request.headers.get("authorization", "")
        parts = request.url.path.strip("/").split("/")
        if request.method == "GET" and parts[:2] == ["v1", "tasks"] and len(parts) == 3:
            self.reads.append((parts[2], key))
            if self.creator.get(parts[2], key) != key:
                return httpx2.Response(404, json={"success": False, "code": 404,
                                                  "data": {"message": "Task not found"}})
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path == "/v1/tasks":
            await response.aread()
            data = json.loads(response.content).get("data") or {}
            if data.get("task_id"):
                self.creator[data["task_id"]] = key
        return response


def bearers(sim, method: str, path: str) -> list[str]:
    return [r.headers.get("authorization", "") for r in sim.requests if r.method == method and r.path == path]


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_users_see_only_their_own_work(dirs, mode, caplog):
    caplog.set_level(logging.DEBUG)
    sim = make_sim(task_seconds=0.6)  # accepts any key, like the real API accepts each user's own
    upstream = KeyScopedUpstream(sim.transport())
    settings = hosted_settings(dirs, api_key=None)
    results = []
    async with serving(settings, upstream, user_key_http()) as url:
        async with connect(url, as_user(KEY_A), mode) as alice, connect(url, as_user(KEY_B), mode) as bob:
            mine = await alice.call_tool("create_task", IMAGE)
            theirs = await bob.call_tool("create_task", IMAGE)
            a_id, b_id = mine.structured_content["task_id"], theirs.structured_content["task_id"]
            a_list, b_list = await alice.call_tool("list_tasks", {}), await bob.call_tool("list_tasks", {})
            a_resources = [str(r.uri) for r in (await alice.list_resources()).resources]
            for uri in (f"unifically://tasks/{b_id}", f"unifically://tasks/{b_id}/files/1"):
                with pytest.raises(MCPError, match="not in the"):
                    await alice.read_resource(uri)
            own_file = await bob.read_resource(f"unifically://tasks/{b_id}/files/1")
            before = len(upstream.reads)
            read_by_id = await alice.call_tool("get_task", {"task_id": b_id})
            waited = await alice.call_tool("wait_for_task", {"task_id": b_id, "wait_seconds": 1})
            a_after = await alice.call_tool("list_tasks", {})
            results = [mine, theirs, a_list, b_list, read_by_id, waited, a_after]
    assert mine.structured_content["status"] == theirs.structured_content["status"] == "completed"
    assert a_id in text_of(a_list) and b_id not in text_of(a_list)
    assert b_id in text_of(b_list) and a_id not in text_of(b_list)
    assert any(a_id in uri for uri in a_resources) and not any(b_id in uri for uri in a_resources)
    assert own_file.contents[0].blob
    # A task id outside your journal is asked of the API with YOUR key; the API's own isolation answers.
    assert read_by_id.is_error and waited.is_error and "not found" in text_of(read_by_id)
    assert upstream.reads[before:] and set(upstream.reads[before:]) == {(b_id, f"Bearer {KEY_A}")}
    assert b_id not in text_of(a_after)
    # Each user's own key reached the API for their own work.
    assert sorted(bearers(sim, "POST", "/v1/tasks")) == sorted([f"Bearer {KEY_A}", f"Bearer {KEY_B}"])
    # No key in any result, the journal or the logs; owners are keyed hashes.
    for key in (KEY_A, KEY_B):
        assert all(key not in dump(result) for result in results)
        assert key not in caplog.text
        for file in dirs["data"].glob("tasks*.sqlite3*"):
            assert key.encode() not in file.read_bytes()
    with sqlite3.connect(settings.journal_path) as db:
        owners = dict(db.execute("SELECT task_id, owner FROM tasks").fetchall())
    assert owners == {a_id: owner_of(KEY_A, OWNER_SECRET), b_id: owner_of(KEY_B, OWNER_SECRET)}
    assert list(dirs["out"].iterdir()) == []


async def test_a_session_belongs_to_the_user_who_opened_it(dirs):
    sim = make_sim(task_seconds=0.6)
    async with serving(hosted_settings(dirs, api_key=None), sim, user_key_http()) as url:
        opened = await raw_post(url, INIT, as_user(KEY_A))
        session = {"mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
        hijack = await raw_post(url, listing, {**as_user(KEY_B), **session})
        own = await raw_post(url, listing, {**as_user(KEY_A), **session})
    assert hijack.status_code == 404 and own.status_code == 200


async def test_the_key_rides_in_authorization_or_beside_a_gateway_token(dirs):
    sim = make_sim(task_seconds=0.6)
    settings = hosted_settings(dirs, api_key=None)
    async with serving(settings, sim, user_key_http()) as url:
        missing = await raw_post(url, INIT)
        async with connect(url, {"authorization": f"Bearer {KEY_A}"}) as client:
            account = await client.call_tool("get_account", {})
    with_token = user_key_http(token=SecretStr(TOKEN))
    async with serving(settings, sim, with_token) as url:
        key_only = await raw_post(url, INIT, {"authorization": f"Bearer {KEY_B}"})
        token_only = await raw_post(url, INIT, {"authorization": f"Bearer {TOKEN}"})
        async with connect(url, {"authorization": f"Bearer {TOKEN}", **as_user(KEY_B)}) as client:
            balance = await client.call_tool("get_account", {})
    assert missing.status_code == 401 and "X-Unifically-Key" in missing.json()["error_description"]
    assert key_only.status_code == 401 and 'error="invalid_token"' in key_only.headers["www-authenticate"]
    assert token_only.status_code == 401 and 'error="invalid_request"' in token_only.headers["www-authenticate"]
    assert not account.is_error and not balance.is_error
    assert bearers(sim, "GET", "/account")[-2:] == [f"Bearer {KEY_A}", f"Bearer {KEY_B}"]
    assert TOKEN not in " ".join(bearers(sim, "GET", "/account"))
