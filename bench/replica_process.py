"""One replica of the concurrency benchmark, as hosted mode deploys it: `unifically-mcp serve --transport http`.

Run as a script, this is that command: the arguments after the script go to `mcp_server.cli.main` after
`serve --transport http`, settings come from the same `UNIFICALLY_*` variables, and the app served is the one
`mcp_server/transports/http.py` builds (`/mcp` behind the Host/Origin guard, `/healthz`, `/readyz` and the webhook
route), under uvicorn on a loopback port. One thing is added, in the same event loop: a monitor of that loop's
lag and of the process's RSS (`serve_http` is wrapped to run it beside the server). On loopback no token is
needed; the Host allow-list (loopback names, any port) accepts the clients' and the webhook deliveries' Host.

The benchmark steers the monitor through files in BENCH_DIR: `mark` starts the measurement (RSS baseline, lag
samples from then on), `stop` ends it and has `stats-<pid>.json` written. `replica()` is the benchmark's side:
start one on a given loopback port, wait until `/readyz` answers, terminate it at the end. With BENCH_PROFILE (a
folder; `bench/concurrency.py --profile`), pyinstrument profiles the event loop's thread during the measurement
and writes its text, HTML and session there.

    BENCH_DIR=/tmp/x UNIFICALLY_SIMULATE=1 python bench/replica_process.py --port 8123
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hosting import Monitor  # noqa: E402

START_SECONDS = 60.0


async def measure(folder: Path, monitor: Monitor) -> None:
    while not (folder / "mark").exists():
        await anyio.sleep(0.01)
    profiler = profile_start()
    monitor.reset()
    async with anyio.create_task_group() as group:
        group.start_soon(monitor.run)
        while not (folder / "stop").exists():
            await anyio.sleep(0.05)
        group.cancel_scope.cancel()
    profile_save(profiler)
    (folder / f"stats-{os.getpid()}.json").write_text(json.dumps(monitor.stats()))


def profile_start() -> Any:
    """With BENCH_PROFILE (a folder), pyinstrument samples this thread's stacks (1 ms) during the measurement."""
    if not os.environ.get("BENCH_PROFILE"):
        return None
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    return profiler


def profile_save(profiler: Any) -> None:
    if profiler is not None:
        profiler.stop()
        target = Path(os.environ["BENCH_PROFILE"]) / f"{os.environ.get('BENCH_LABEL', 'replica')}-{os.getpid()}"
        target.with_suffix(".txt").write_text(profiler.output_text(unicode=True, show_all=False))
        target.with_suffix(".html").write_text(profiler.output_html())
        profiler.last_session.save(str(target.with_suffix(".pyisession")))


def main() -> int:
    from mcp_server import cli
    from mcp_server.transports import cli as http_cli

    serve_http = http_cli.serve_http
    folder = Path(os.environ["BENCH_DIR"])

    async def serve_and_measure(settings: Any, http: Any) -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(measure, folder, Monitor())
            await serve_http(settings, http)  # until SIGTERM / SIGINT, as `serve` runs
            group.cancel_scope.cancel()

    http_cli.serve_http = serve_and_measure
    return cli.main(["serve", "--transport", "http", *sys.argv[1:]])


@asynccontextmanager
async def replica(env: dict[str, str], port: int, log: Path) -> AsyncIterator[str]:
    """A replica process serving on 127.0.0.1:`port` (its output in `log`); yields its base URL once ready."""
    import httpx2

    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as sink:
        process = await anyio.open_process([sys.executable, __file__, "--host", "127.0.0.1", "--port", str(port)],
                                           env=env, stdout=sink, stderr=sink)
    try:
        async with httpx2.AsyncClient(timeout=5) as probe:
            with anyio.fail_after(START_SECONDS):
                while True:
                    if process.returncode is not None:
                        raise RuntimeError(f"replica on port {port} exited ({process.returncode}):\n"
                                           + log.read_text()[-2000:])
                    try:
                        if (await probe.get(f"{base}/readyz")).status_code == 200:
                            break
                    except httpx2.TransportError:
                        pass
                    await anyio.sleep(0.05)
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
        with anyio.move_on_after(15, shield=True) as waited:
            await process.wait()
        if waited.cancelled_caught:
            process.kill()
            with anyio.CancelScope(shield=True):
                await process.wait()


if __name__ == "__main__":
    sys.exit(main())
