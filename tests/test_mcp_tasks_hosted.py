"""MCP tasks in hosted mode, over real Streamable HTTP with per-user keys: a task belongs to the user whose key
created it, in both generations. Another user's tasks/get, tasks/result, tasks/cancel and tasks/update answer
-32602 as for an unknown id, and their tasks/list never shows it; its owner reaches it from any session."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from tests.conftest import make_sim
from tests.hosted import ACCEPT, KEY_A, KEY_B, as_user, hosted_settings, serving, user_key_http
from tests.mcp_tasks_wire import MODERN, envelope

pytestmark = pytest.mark.anyio
VEO = {"prompt": "a lighthouse at dusk", "model": "google/veo-3.1-fast"}
LEGACY = "2025-11-25"


class User:
    """One user's raw JSON-RPC over HTTP: a 2025-11-25 session, and self-contained 2026-07-28 requests."""

    def __init__(self, http: httpx2.AsyncClient, url: str, key: str) -> None:
        self.http, self.url, self.headers = http, url, {**ACCEPT, **as_user(key)}
        self.session: dict[str, str] = {}

    async def open_session(self) -> User:
        answer = await self.http.post(self.url, headers=self.headers, json={
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}})
        self.session = {"mcp-session-id": answer.headers["mcp-session-id"], "mcp-protocol-version": LEGACY}
        await self.http.post(self.url, headers={**self.headers, **self.session},
                             json={"jsonrpc": "2.0", "method": "notifications/initialized"})
        return self

    async def legacy(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        return await self._post({**self.headers, **self.session}, method, params)

    async def modern(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("taskId") or params.get("name")
        headers = {**self.headers, "mcp-protocol-version": MODERN, "mcp-method": method, "mcp-name": str(name)}
        return await self._post(headers, method, {**params, "_meta": envelope()})

    async def _post(self, headers: dict[str, str], method: str, params: dict[str, Any]) -> dict[str, Any]:
        answer = await self.http.post(self.url, headers=headers,
                                      json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        if not answer.headers.get("content-type", "").startswith("text/event-stream"):
            return answer.json()
        lines = [json.loads(line[5:]) for line in answer.text.splitlines() if line.startswith("data:")
                 and line[5:].strip()]
        return [line for line in lines if line.get("id") == 1][-1]


async def test_a_users_tasks_are_invisible_to_every_other_user(dirs):
    sim = make_sim(task_seconds=40)
    async with serving(hosted_settings(dirs, api_key=None), sim, user_key_http()) as url:
        async with httpx2.AsyncClient(timeout=30) as http:
            alice, bob = await User(http, url, KEY_A).open_session(), await User(http, url, KEY_B).open_session()
            call = {"name": "generate_video_veo", "arguments": VEO}
            old = (await alice.legacy("tools/call", {**call, "task": {}}))["result"]["task"]["taskId"]
            new = (await alice.modern("tools/call", call))["result"]
            assert new["resultType"] == "task"
            for method in ("tasks/get", "tasks/result", "tasks/cancel"):
                for task_id in (old, new["taskId"]):
                    refused = await bob.legacy(method, {"taskId": task_id})
                    assert refused["error"]["code"] == -32602, (method, refused)
            for method in ("tasks/get", "tasks/cancel", "tasks/update"):
                refused = await bob.modern(method, {"taskId": new["taskId"], "inputResponses": {}})
                assert refused["error"]["code"] == -32602, (method, refused)
            assert (await bob.legacy("tasks/list", {}))["result"]["tasks"] == []
            again = await User(http, url, KEY_A).open_session()  # the owner is the key, not the session
            listed = (await again.legacy("tasks/list", {}))["result"]["tasks"]
            assert {task["taskId"] for task in listed} == {old, new["taskId"]}
            assert all(task["status"] == "working" for task in listed)  # bob's cancels cancelled nothing
            assert (await alice.modern("tasks/get", {"taskId": old}))["result"]["status"] == "working"
