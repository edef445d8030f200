"""Hosting pieces shared by the concurrency benchmark and the tests: the running server's services (for a webhook
route mounted outside the HTTP app: the in-process benchmark, the webhook tests), a fresh PostgreSQL schema, a
round-robin load balancer (webhook deliveries; requests to replicas in the HTTP tests), and the benchmark's
monitor of an event loop's lag and the process's RSS."""

from __future__ import annotations

import gc
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
import httpx2

TICK = 0.01  # the lag monitor's ticker (seconds)


def live_services(server: Any) -> Callable[[], Any]:
    """Wrap `server`'s lifespan; the returned function gives its services while it runs (None otherwise)."""
    current: dict[str, Any] = {}
    inner = server.lifespan

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with inner(app) as services:
            current["services"] = services
            try:
                yield services
            finally:
                current.clear()

    server.lifespan = lifespan
    return lambda: current.get("services")


def with_schema(url: str, schema: str) -> str:
    """`url` with its search_path set to `schema` (the journal lives there)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"] + [("search_path", schema)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@asynccontextmanager
async def fresh_schema(url: str) -> AsyncIterator[str]:
    """A new empty schema in the database at `url` for the block (dropped after); yields the URL using it."""
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        yield with_schema(url, schema)
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Balancer(httpx2.AsyncBaseTransport):
    """A load balancer without affinity in front of replicas on loopback: each request goes to the next base URL
    (its Host header stays the one of the URL it was sent to, as behind a proxy that passes Host)."""

    def __init__(self, bases: list[str]) -> None:
        self.targets = [httpx2.URL(base) for base in bases]
        self.sent = 0
        self.inner = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        target = self.targets[self.sent % len(self.targets)]
        self.sent += 1
        request.url = request.url.copy_with(host=target.host, port=target.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        pass  # a client that closes is not the balancer going away: `close` does that

    async def close(self) -> None:
        await self.inner.aclose()


class Monitor:
    """Event-loop lag (how late a 10 ms ticker wakes), peak RSS and garbage-collection pauses, from `reset` on."""

    def __init__(self) -> None:
        self.reset()
        self.gc_started = 0.0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.gc_started = time.perf_counter()
            return
        pause = time.perf_counter() - self.gc_started
        self.gc_total += pause
        if pause > self.gc_worst[0]:
            self.gc_worst = (pause, info["generation"])

    def reset(self) -> None:
        self.lags: list[float] = []
        self.worst = (0.0, 0.0, 0.0, 0.0)  # lag, its start from the reset, CPU and GC seconds meanwhile
        self.gc_total = 0.0
        self.gc_worst = (0.0, -1)  # the longest collection: seconds, generation
        self.origin = time.perf_counter()
        self.before = self.peak = rss_mb()

    async def run(self) -> None:
        while True:
            started, cpu, collecting = time.perf_counter(), time.process_time(), self.gc_total
            await anyio.sleep(TICK)
            self.lags.append(lag := time.perf_counter() - started - TICK)
            if lag >= self.worst[0]:
                self.worst = (lag, started - self.origin, time.process_time() - cpu, self.gc_total - collecting)
            if len(self.lags) % 10 == 0:
                self.peak = max(self.peak, rss_mb())

    def stats(self) -> dict[str, float]:
        """Lag max and p99; when the worst happened, the CPU the process used meanwhile (far below the lag: it
        waited for a core, not for its own code) and the part of it spent collecting garbage; ticks later than
        100 ms; the longest collection and its generation; RSS growth."""
        lags = sorted(self.lags) or [0.0]
        return {"lag_max_ms": lags[-1] * 1000, "lag_p99_ms": lags[int(len(lags) * 0.99)] * 1000,
                "lag_max_at_s": self.worst[1], "lag_max_cpu_ms": self.worst[2] * 1000,
                "lag_max_gc_ms": self.worst[3] * 1000, "lag_over_100ms": sum(lag > 0.1 for lag in lags),
                "gc_max_ms": self.gc_worst[0] * 1000, "gc_max_generation": self.gc_worst[1],
                "gc_total_ms": self.gc_total * 1000, "rss_growth_mb": max(self.peak, rss_mb()) - self.before}
