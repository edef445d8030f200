"""One replica for the concurrency benchmark: `unifically-mcp serve` on stdio (settings from the environment),
plus, with UNIFICALLY_PUBLIC_URL (http://127.0.0.1:<port>), the webhook route on that loopback port (the HTTP
transport is not on this branch), and a monitor of its own event loop and RSS.

The benchmark steers the monitor through files in BENCH_DIR: `mark` starts the measurement (RSS baseline, lag
samples from then on), `stop` ends it and has `stats-<pid>.json` written.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Generator
from pathlib import Path

import anyio
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hosting import Monitor, live_services, rss_mb  # noqa: E402
from mcp_server import webhooks  # noqa: E402
from mcp_server.server import build_server  # noqa: E402
from mcp_server.settings import Settings  # noqa: E402
from mcp_server.transports.stdio import stdio_transport  # noqa: E402

FOLDER = Path(os.environ["BENCH_DIR"])


class _Embedded(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # signals stay with the process (the benchmark ends it by closing stdin)


async def measure(monitor: Monitor) -> None:
    while not (FOLDER / "mark").exists():
        await anyio.sleep(0.01)
    monitor.reset()
    async with anyio.create_task_group() as group:
        group.start_soon(monitor.run)
        while not (FOLDER / "stop").exists():
            await anyio.sleep(0.05)
        group.cancel_scope.cancel()
    (FOLDER / f"stats-{os.getpid()}.json").write_text(json.dumps(monitor.stats()))


async def main() -> None:
    from starlette.applications import Starlette

    settings = Settings.from_env()
    server = build_server(settings)
    services = live_services(server)
    async with anyio.create_task_group() as group:
        if settings.public_url:
            config = uvicorn.Config(Starlette(routes=webhooks.routes(services)), host="127.0.0.1",
                                    port=int(settings.public_url.rsplit(":", 1)[1]), log_config=None,
                                    access_log=False, lifespan="off")
            group.start_soon(_Embedded(config).serve)
        group.start_soon(measure, Monitor())
        async with stdio_transport(settings.message_limit) as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
        group.cancel_scope.cancel()
    print(f"replica done, rss {rss_mb():.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    anyio.run(main)
