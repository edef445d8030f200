"""The Streamable HTTP endpoint (hosted mode): one ASGI app serving MCP at `/mcp`, plus `/healthz` and `/readyz`.

Both protocol eras go through the SDK's session manager. A 2026-07-28 request is self-contained, so any replica
answers it. A 2025-era client opens a session that lives on one replica; with `stateless` every 2025 request
stands alone instead (for load balancers without affinity; the server then cannot send requests to the client,
progress still flows). Answers become SSE streams as soon as a handler reports progress: JSON-only response
mode is never used.

In front of the MCP endpoint, outermost first:
1. `HostOriginGuard`: the Host and Origin allow-lists (DNS rebinding): 421 for a foreign Host, 403 for a
   foreign Origin;
2. CORS for the allowed origins only (never `*`);
3. `RequireAccess` (`auth.py`): 401 without the token, or without the user's key in user-key mode;
4. the SDK's body cap (413), then the session manager.
The health endpoints skip 1 to 3: they reveal nothing, and load balancers probe them by address.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import re
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager

import anyio
import httpx2
import uvicorn
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_server import webhooks
from mcp_server.errors import UnificallyError
from mcp_server.server import build_server
from mcp_server.settings import Settings
from mcp_server.tools.base import Services
from mcp_server.transports.auth import RequireAccess
from mcp_server.transports.settings import HttpSettings

log = logging.getLogger(__name__)
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
READY_SECONDS = 5.0


def build_app(settings: Settings, http: HttpSettings, transport: httpx2.AsyncBaseTransport | None = None
              ) -> Starlette:
    """The ASGI app for these settings; `transport` replaces the network to the API (tests, benchmarks)."""
    server = build_server(settings, transport)
    services = LiveServices(server)
    manager = StreamableHTTPSessionManager(
        app=server, json_response=False, stateless=http.stateless, security_settings=None,  # checked by the guard
        max_request_body_size=http.max_body_bytes, session_idle_timeout=http.session_idle_seconds,
        max_sessions=http.max_sessions)

    async def readyz(request: Request) -> JSONResponse:
        current = services.current
        if current is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            with anyio.fail_after(READY_SECONDS):
                await current.journal.ready()
        except (UnificallyError, TimeoutError) as problem:
            log.warning("not ready: the journal is unusable (%s)", getattr(problem, "message", "timed out"))
            return JSONResponse({"status": "unavailable", "journal": "unusable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def healthz(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route(http.path, endpoint=RequireAccess(StreamableHTTPASGIApp(manager), http)),
                Route("/healthz", healthz), Route("/readyz", readyz),
                *webhooks.routes(lambda: services.current)],  # the token in the path is a delivery's credential
        middleware=[Middleware(HostOriginGuard, hosts=http.hosts, origins=http.origins),
                    Middleware(CORSMiddleware, allow_origin_regex=origin_regex(http.origins),
                               allow_methods=["GET", "POST", "DELETE"], allow_headers=["*"],
                               expose_headers=["Mcp-Session-Id", "WWW-Authenticate"], max_age=600)],
        lifespan=lambda app: manager.run(),
    )


class LiveServices:
    """The services of a running server (for `/readyz`): its lifespan, wrapped to remember what it yields."""

    def __init__(self, server: Server[Services]) -> None:
        self.current: Services | None = None
        inner = server.lifespan

        @asynccontextmanager
        async def lifespan(app: Server[Services]) -> AsyncIterator[Services]:
            async with inner(app) as services:
                self.current = services
                try:
                    yield services
                finally:
                    self.current = None

        server.lifespan = lifespan


class HostOriginGuard:
    """421 for a Host header, 403 for an Origin header outside the allow-lists (`name:*` allows any port)."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...], origins: tuple[str, ...]) -> None:
        self.app, self.hosts, self.origins = app, hosts, origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in HEALTH_PATHS:
            headers = Headers(scope=scope)
            if not allowed(headers.get("host", ""), self.hosts):
                log.warning("refused a request for Host %r (UNIFICALLY_ALLOWED_HOSTS)", headers.get("host", "")[:100])
                return await PlainTextResponse("Invalid Host header", status_code=421)(scope, receive, send)
            origin = headers.get("origin")
            if origin is not None and not allowed(origin, self.origins):
                log.warning("refused a request from Origin %r (UNIFICALLY_ALLOWED_ORIGINS)", origin[:100])
                return await PlainTextResponse("Invalid Origin header", status_code=403)(scope, receive, send)
        await self.app(scope, receive, send)


def allowed(value: str, patterns: tuple[str, ...]) -> bool:
    """Whether a Host or Origin value is allowed: `*` allows everything, `name:*` the name with any port."""
    value = value.strip().lower()
    for pattern in (p.strip().lower() for p in patterns):
        if pattern == "*" or value == pattern:
            return True
        if pattern.endswith(":*") and value.startswith(pattern[:-1]) and value[len(pattern) - 1:].isdigit():
            return True
    return False


def origin_regex(origins: tuple[str, ...]) -> str:
    """The allowed origins as one regular expression for the CORS middleware (never a wildcard origin)."""
    parts = [re.escape(o[:-2]) + r":\d+" if o.endswith(":*") else re.escape(o) for o in origins]
    return "^(?:" + "|".join(parts) + ")$"


def uvicorn_config(app: ASGIApp, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, lifespan="on", log_config=None, access_log=False,
                          server_header=False, timeout_graceful_shutdown=5)


async def serve(settings: Settings, http: HttpSettings) -> None:
    """Run the endpoint until SIGINT/SIGTERM."""
    app = build_app(settings, http)
    gc.freeze()  # what start-up made (modules, schemas, tools) lives for good: full collections skip it
    await uvicorn.Server(uvicorn_config(app, http.host, http.port)).serve()


class _Embedded(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # signals belong to the host (a test, a benchmark)


@asynccontextmanager
async def running(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serve `app` on a loopback port inside the current event loop; yields its base URL."""
    server = _Embedded(uvicorn_config(app, host, port))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        with anyio.fail_after(20):
            while not server.started:
                await anyio.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"http://{host}:{bound}"
        finally:
            server.should_exit = True

