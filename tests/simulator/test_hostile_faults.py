"""The simulator's hostile-upstream faults: raw answers, gzip bombs and endless bodies."""

from __future__ import annotations

import httpx2
import pytest

from mcp_server.simulator import Fault, Simulator
from tests.simulator.helpers import is_loopback

pytestmark = pytest.mark.anyio


async def test_raw_answers_are_sent_verbatim_after_processing_when_asked(client: httpx2.AsyncClient,
                                                                         sim: Simulator) -> None:
    sim.add_fault(Fault(kind="raw", path="/v1/tasks", status=302, headers={"Location": "/elsewhere"},
                        body='{"task_id": "\\ud800"}', processed=True))
    response = await client.post("/v1/tasks", json={"model": "google/veo-3.1-fast", "input": {"prompt": "x"}})
    assert response.status_code == 302 and response.headers["location"] == "/elsewhere"
    assert response.content == b'{"task_id": "\\ud800"}'
    assert len(sim.created_tasks()) == 1  # processed: the task exists although the answer hides it
    sim.add_fault(Fault(kind="raw", path="/account", status=408, body="slow down"))
    refused = await client.get("/account")
    assert refused.status_code == 408 and refused.text == "slow down"


@pytest.mark.parametrize("kind", ["gzip_bomb", "endless"])
async def test_bombs_and_endless_bodies(client: httpx2.AsyncClient, sim: Simulator, kind: str) -> None:
    size = (64 << 20) if is_loopback(client) else (4 << 20)
    sim.add_fault(Fault(kind=kind, path="/account", size=size, body="GIF89a"))
    received = 0
    async with client.stream("GET", "/account") as response:
        assert response.status_code == 200
        assert (response.headers.get("content-encoding") == "gzip") == (kind == "gzip_bomb")
        async for chunk in response.aiter_bytes():
            if received == 0:
                assert chunk.startswith(b"GIF89a")
            received += len(chunk)
            if received > 2 << 20:
                break  # a careful client stops; the simulator notices and stops too
    assert received > 2 << 20
