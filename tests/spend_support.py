"""Helpers for the spending-safety tests: requests, paid-create counting, a server on the simulator, and a
network that loses or refuses paid creates (dry runs pass: the simulator's faults cannot tell them apart)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp.client import Client

from mcp_server.server import build_server
from mcp_server.simulator import Simulator
from tests.conftest import make_settings, posts

VIDEO = "google/veo-3.1-fast"  # the simulator quotes $0.40 for a video, $0.04 for an image
IMAGE = "black-forest-labs/flux.2-pro"


def video(prompt: str, **extra: Any) -> dict[str, Any]:
    return {"model": VIDEO, "input": {"prompt": prompt}, "wait_seconds": 0, **extra}


def image(prompt: str, **extra: Any) -> dict[str, Any]:
    return {"model": IMAGE, "input": {"prompt": prompt}, "wait_seconds": 0, **extra}


def paid(sim: Simulator) -> list[Any]:
    """The create requests that were not dry runs."""
    return [post for post in posts(sim) if not post.json.get("dry_run")]


@asynccontextmanager
async def serving(dirs: dict, sim: Simulator | httpx2.AsyncBaseTransport, mode: str = "auto",
                  callback: Any = None, **settings: Any) -> AsyncIterator[Client]:
    transport = sim.transport() if isinstance(sim, Simulator) else sim
    server = build_server(make_settings(dirs, **settings), transport)
    async with Client(server, mode=mode, elicitation_callback=callback) as client:
        yield client


class PaidCreates(httpx2.AsyncBaseTransport):
    """The simulator's network, except for the next `times` paid creates: `drop` loses the answer after the task
    was created (outcome unknown), `refuse` answers 400 without creating anything."""

    def __init__(self, sim: Simulator, action: str, times: int = 1) -> None:
        self.inner, self.action, self.times = sim.transport(), action, times

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content or b"null") if request.method == "POST" else None
        if not (isinstance(body, dict) and request.url.path == "/v1/tasks" and not body.get("dry_run")
                and self.times):
            return await self.inner.handle_async_request(request)
        self.times -= 1
        if self.action == "refuse":
            return httpx2.Response(400, json={"success": False, "code": 400,
                                              "data": {"message": "Task generation failed"}})
        await self.inner.handle_async_request(request)
        raise httpx2.RemoteProtocolError("Server disconnected without sending a response.", request=request)


class DryRuns(httpx2.AsyncBaseTransport):
    """The simulator's network, except that every dry run is answered with `status` and `data` (e.g. no cost)."""

    def __init__(self, sim: Simulator, status: int, data: dict[str, Any]) -> None:
        self.inner, self.status, self.data = sim.transport(), status, data

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content or b"null") if request.method == "POST" else None
        if not (isinstance(body, dict) and request.url.path == "/v1/tasks" and body.get("dry_run")):
            return await self.inner.handle_async_request(request)
        return httpx2.Response(self.status, json={"code": self.status, "success": self.status == 200,
                                                  "data": self.data})
