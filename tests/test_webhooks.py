"""Webhooks instead of polling (UNIFICALLY_PUBLIC_URL): a task completes by its webhook with two status reads
however often it is delivered; forged, unknown and premature deliveries are not trusted; a caller's own
callback URL is passed unchanged; and without a waiter the hint is confirmed (with the server's key) or left for
the next waiter (no key held). The webhook route is mounted in a minimal Starlette app, as the HTTP transport
mounts it, and the simulator delivers to it in process."""

from __future__ import annotations

import hashlib
import types
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import cycle

import anyio
import httpx2
import pytest
from mcp.client import Client
from pydantic import SecretStr
from starlette.applications import Starlette

from bench.hosting import live_services
from mcp_server import webhooks
from mcp_server.server import build_server
from mcp_server.watching import Watchers
from tests.conftest import make_settings, make_sim, posts
from tests.test_shared_polling import status_reads

pytestmark = pytest.mark.anyio
PUBLIC = "https://mcp.example.test"
VEO = {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}}


@asynccontextmanager
async def hosted(dirs, backend, copies: int = 1, task_seconds: float = 30) -> AsyncIterator[tuple]:
    """A server with a public URL, its webhook app, and a simulator delivering there `copies` times."""
    app = Starlette()
    sim = make_sim(task_seconds=task_seconds, webhook_copies=copies, webhook_transport=httpx2.ASGITransport(app=app))
    settings = make_settings(dirs, public_url=PUBLIC, max_wait_seconds=60, **backend.settings())
    server = build_server(settings, sim.transport())
    app.router.routes.extend(webhooks.routes(live_services(server)))
    async with Client(server) as client, httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app),
                                                            base_url=PUBLIC) as sender:
        yield client, sim, sender


def token_of(sim) -> str:
    url = posts(sim)[-1].json["callback_url"]
    assert url.startswith(f"{PUBLIC}/webhooks/unifically/")
    return url.rsplit("/", 1)[1]


async def test_a_task_completes_by_its_webhook_with_two_status_reads_however_often_delivered(dirs, backend):
    async with hosted(dirs, backend, copies=3) as (client, sim, _):
        done = await client.call_tool("create_task", {**VEO, "wait_seconds": 50})
        task_id = done.structured_content["task_id"]
        assert done.structured_content["status"] == "completed" and done.structured_content["files"]
        token = token_of(sim)
        with anyio.fail_after(5):
            while len(sim.webhook_deliveries) < 3:
                await anyio.sleep(0.02)
    assert status_reads(sim, task_id) <= 2  # the first read of the wait, and the one confirming the webhook
    assert sorted(d["status_code"] for d in sim.webhook_deliveries) == [200, 200, 202]  # duplicates: recognised
    stored = await backend.execute("SELECT webhook, hint FROM tasks WHERE task_id = ?", task_id)
    assert list(stored[0]) == [hashlib.sha256(token.encode()).hexdigest(), "completed"]  # the token, hashed only


async def test_deliveries_to_either_of_two_replicas_complete_the_waiters_of_both(dirs, pg_url):
    app = Starlette()
    sim = make_sim(task_seconds=30, webhook_copies=2, webhook_transport=httpx2.ASGITransport(app=app))
    settings = make_settings(dirs, public_url=PUBLIC, max_wait_seconds=60, database_url=SecretStr(pg_url))
    servers = [build_server(settings, sim.transport()) for _ in range(2)]
    balance = cycle([live_services(server) for server in servers])  # a load balancer before the route
    app.router.routes.extend(webhooks.routes(lambda: next(balance)()))
    results: list = []
    async with Client(servers[0]) as a, Client(servers[1]) as b:
        task_id = (await a.call_tool("create_task", {**VEO, "wait_seconds": 0})).structured_content["task_id"]

        async def wait(client: Client) -> None:
            results.append(await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 50}))

        async with anyio.create_task_group() as group:
            for client in (a, b, a, b):
                group.start_soon(wait, client)
    assert [r.structured_content["status"] for r in results] == ["completed"] * 4
    assert status_reads(sim, task_id) <= 2
    assert sorted(d["status_code"] for d in sim.webhook_deliveries) == [200, 202]


async def test_forged_unknown_and_premature_deliveries_are_not_trusted(dirs, backend):
    async with hosted(dirs, backend, task_seconds=40) as (client, sim, sender):
        created = await client.call_tool("create_task", {**VEO, "wait_seconds": 0})
        task_id, token = created.structured_content["task_id"], token_of(sim)
        news = {"task_id": task_id, "status": "completed", "data": {"video_url": "https://evil.example/x.mp4"}}
        forged = await sender.post(f"/webhooks/unifically/{'A' * 43}", json=news)
        malformed_token = await sender.post("/webhooks/unifically/abc", json=news)
        other_task = await sender.post(f"/webhooks/unifically/{token}", json={**news, "task_id": "another-task"})
        not_news = await sender.post(f"/webhooks/unifically/{token}", content=b"not json")
        too_deep = await sender.post(f"/webhooks/unifically/{token}", content=b"[" * 200_000)
        assert [r.status_code for r in (forged, malformed_token, other_task, not_news, too_deep)] == \
            [404, 404, 404, 400, 400]
        reads = status_reads(sim, task_id)
        premature = await sender.post(f"/webhooks/unifically/{token}", json=news)  # the task still runs upstream
        assert premature.status_code == 202
        with anyio.fail_after(5):
            while status_reads(sim, task_id) == reads:  # confirmed by a status read (the server's own key)
                await anyio.sleep(0.02)
        listed = await client.call_tool("list_tasks", {})
        assert listed.structured_content["tasks"][0]["status"] in ("pending", "processing")
        done = await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 60})
    assert done.structured_content["status"] == "completed"
    assert "evil.example" not in str(done.structured_content)  # the outputs come from the API, not the delivery


async def test_a_callers_own_callback_url_is_sent_unchanged_and_the_task_is_polled(dirs, backend):
    async with hosted(dirs, backend) as (client, sim, _):
        done = await client.call_tool("create_task", {**VEO, "wait_seconds": 50,
                                                      "callback_url": "https://caller.example/hook"})
    assert posts(sim)[0].json["callback_url"] == "https://caller.example/hook"
    assert done.structured_content["status"] == "completed"
    assert status_reads(sim, done.structured_content["task_id"]) >= 3  # polled as without webhooks


async def test_without_a_waiter_the_server_confirms_the_news_with_its_own_key(dirs, backend):
    async with hosted(dirs, backend, copies=2, task_seconds=10) as (client, sim, _):
        created = await client.call_tool("create_task", {**VEO, "wait_seconds": 0})
        task_id = created.structured_content["task_id"]
        with anyio.fail_after(10):
            while (await client.call_tool("list_tasks", {})).structured_content["tasks"][0]["status"] != "completed":
                await anyio.sleep(0.05)
    assert status_reads(sim, task_id) == 1


async def test_without_a_held_key_the_hint_is_kept_for_the_next_waiter(backend):
    """Multi-user hosting: no key is held for an owner nobody is waiting for; nothing is read, nothing trusted."""
    journal = await backend.opened()
    row = await journal.intent("google/veo-3.1-fast", {}, owner="someone")
    token = "B" * 43
    await journal.expect_webhook(row, webhooks.token_hash(token))
    await journal.created(row, "t-1", "pending")

    async def no_read(task_id: str) -> dict:
        raise AssertionError("no key is held: nothing may be read")

    services = types.SimpleNamespace(journal=journal, watchers=Watchers(lambda *_: None), owner="",
                                     client=types.SimpleNamespace(has_key=False, get_task=no_read),
                                     background=types.SimpleNamespace(spawn=lambda fn, *args, name: None))
    body = b'{"task_id": "t-1", "status": "completed"}'
    assert await webhooks.receive(services, token, body) == (202, "accepted")
    assert await webhooks.receive(services, token, body) == (200, "duplicate")
    await webhooks.confirm(services, ("someone", "t-1"))
    record = await journal.get("t-1")
    assert record["status"] == "pending"  # a hint, not a status
    assert await journal.expects_webhook("t-1", owner="someone")
    await journal.close()
