"""The simulator delivers webhooks as the docs describe them: one POST of the documented payload when a task
completes (its output fields under `data`) or fails (`error_message`), repeated `webhook_copies` times."""

from __future__ import annotations

import anyio
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mcp_server.simulator import FakeClock, Simulator, SimulatorConfig
from tests.simulator.helpers import API_KEY, AUTH, create

pytestmark = pytest.mark.anyio


async def test_completed_and_failed_tasks_are_delivered_as_documented_and_repeated():
    received: list[tuple[str, dict]] = []

    async def hook(request: Request) -> Response:
        received.append((request.url.path, await request.json()))
        return Response(status_code=204)

    receiver = Starlette(routes=[Route("/hook/{name}", hook, methods=["POST"])])
    clock = FakeClock()
    sim = Simulator(SimulatorConfig(task_seconds=10.0, api_key=API_KEY, clock=clock, webhook_copies=2,
                                    webhook_transport=httpx2.ASGITransport(app=receiver)))
    sim.fail_model("black-forest-labs/flux.2-pro", "Content policy violation")
    async with httpx2.AsyncClient(transport=sim.transport(), base_url="http://sim.test", headers=AUTH) as client:
        video = await create(client, "google/veo-3.1-fast", callback_url="http://me.test/hook/video")
        image = await create(client, "black-forest-labs/flux.2-pro", callback_url="http://me.test/hook/image")
        await create(client, "google/veo-3.1-fast")  # no callback_url: no webhook
        await anyio.sleep(0.1)
        assert received == []  # nothing before the tasks end
        clock.advance(11)
        with anyio.fail_after(5):
            while len(received) < 4:
                await anyio.sleep(0.01)
    videos = [body for path, body in received if path == "/hook/video"]
    images = [body for path, body in received if path == "/hook/image"]
    assert len(videos) == 2 and videos[0] == videos[1] and len(images) == 2
    assert videos[0]["task_id"] == video and videos[0]["status"] == "completed"
    assert videos[0]["data"]["video_url"].startswith("http://sim.test/files/")
    assert images[0] == {"task_id": image, "status": "failed", "error_message": "Content policy violation"}
    assert [d["status_code"] for d in sim.webhook_deliveries] == [204] * 4
