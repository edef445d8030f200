"""Hosted mode under test: the real ASGI app on a loopback port (uvicorn, in this event loop), reached with the
SDK's Streamable HTTP client or raw httpx2 requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr

from mcp_server.settings import Settings
from mcp_server.simulator import Simulator
from mcp_server.transports.http import build_app, running
from mcp_server.transports.settings import HttpSettings
from tests.conftest import make_settings

OWNER_SECRET = "owner-secret-for-tests-0123456789"
KEY_A = "sk-user-a-0123456789abcdef-SECRET"
KEY_B = "sk-user-b-fedcba9876543210-SECRET"
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def hosted_settings(dirs: dict[str, Path], **overrides: Any) -> Settings:
    """Settings as `serve --transport http` makes them: nothing saved on disk, no local files read."""
    return make_settings(dirs, **{"download_outputs": False, "local_files": False, **overrides})


def user_key_http(**overrides: Any) -> HttpSettings:
    return HttpSettings(auth="user-key", owner_secret=SecretStr(OWNER_SECRET), **overrides)


@asynccontextmanager
async def serving(settings: Settings, api: Simulator | httpx2.AsyncBaseTransport, http: HttpSettings | None = None
                  ) -> AsyncIterator[str]:
    """The MCP endpoint URL of a hosted server for these settings, its API being `api` (a simulator)."""
    transport = api.transport() if isinstance(api, Simulator) else api
    async with running(build_app(settings, http or HttpSettings(), transport)) as base:
        yield base + "/mcp"


@asynccontextmanager
async def connect(url: str, headers: dict[str, str] | None = None, mode: str = "legacy",
                  transport: httpx2.AsyncBaseTransport | None = None) -> AsyncIterator[Client]:
    """An SDK client over Streamable HTTP sending `headers` with every request (2025 session by default)."""
    async with httpx2.AsyncClient(headers=headers, transport=transport, timeout=httpx2.Timeout(30, read=300)) as http, \
            Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        yield client


def as_user(key: str) -> dict[str, str]:
    return {"X-Unifically-Key": key}


async def raw_post(url: str, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=30) as http:
        return await http.post(url, json=body, headers={**ACCEPT, **(headers or {})})
