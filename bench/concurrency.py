"""Concurrency benchmark: N waiting calls on simulated 30 s tasks, one replica vs two sharing PostgreSQL.

Three setups, side by side: one replica (SQLite journal), two replicas sharing one PostgreSQL journal (the polling
of a task shared through the lease and LISTEN/NOTIFY), and the same two replicas with webhooks
(`UNIFICALLY_PUBLIC_URL`; the simulator delivers every webhook twice). For each N, N `wait_for_task` calls with
progress tokens wait for N / 5 tasks (each task has waiters on both replicas), beside one lone task with one
waiter: the baseline of the same run for status reads per task.

Two modes. `process` (the default, what the README reports) is the hosted shape as deployed: each replica is
`unifically-mcp serve --transport http` in its own process (`bench/replica_process.py`: the Streamable HTTP app
under uvicorn on a loopback port, its webhook route included, plus a monitor of its own event loop and RSS); the
clients and the simulator (loopback HTTP) run in this process. Clients: the SDK's Streamable HTTP client, 2026-07-28
requests by default (`--protocol 2025`: sessions opened with the initialize handshake), `--sessions` clients per
replica (4) taking that replica's waiting calls in turn. Each call is its own POST answered by its own SSE stream on
its own connection (the clients' pools have no cap), so the server sees N concurrent requests however many clients
send them; a 2026-07-28 request carries no session, so N clients would look the same to it. With webhooks, one
public URL for the deployment (the first replica's address) and a round-robin balancer before the replicas (the
two copies of a delivery land on different replicas). `inprocess`: the replicas are in-memory servers in this
process, so the loop lag measured includes the clients, both servers and the simulator: a pessimistic figure. Lag:
how late a 10 ms ticker wakes (max and p99, the worst replica); RSS growth: peak during the waits minus RSS before.

    python bench/concurrency.py                         # N = 50, 200, 500; 3 repetitions; time scale 5
    python bench/concurrency.py --sizes 50 --reps 1 --mode inprocess
PostgreSQL: --database-url, else UNIFICALLY_TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test
(each run uses a fresh schema, dropped after). Every run is a fresh process; the table shows median (range).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from itertools import cycle
from pathlib import Path
from typing import Any

import anyio
import httpx2
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hosting import Balancer, Monitor, free_port, fresh_schema, live_services  # noqa: E402

SETUPS = {"1 replica": (1, False), "2 replicas, PostgreSQL": (2, False), "2 replicas, PostgreSQL, webhooks": (2, True)}
TASK_SECONDS = 30.0
MODEL = "kuaishou/kling-2.6-video"  # no documented duration: polled on the age-based schedule
PER_TASK = 5
RESULTS = Path(__file__).resolve().parent / "results" / "concurrency.json"
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test"
PROTOCOL = "2026-07-28"  # process mode's default; "2025": sessions opened with the initialize handshake
SESSIONS = 4  # process mode: clients per replica


async def drive(clients: list[list[Any]], n: int, mark: Any, stop: Any) -> dict[str, Any]:
    """Create the tasks, then N waiting calls (and the lone one) at once; statuses and timings. `clients`: the
    clients of each replica; waiter i waits for task i mod T on replica (i div T) mod R (with 5 waiters per task,
    every task has waiters on every replica), through that replica's clients in turn."""
    replicas = len(clients)

    async def create(client: Any, prompt: str) -> str:  # distinct prompts: an identical request gets the same task
        result = await client.call_tool("create_task", {"model": MODEL, "input": {"prompt": prompt},
                                                        "wait_seconds": 0})
        return result.structured_content["task_id"]

    tasks = [await create(clients[i % replicas][0], f"bench {i}") for i in range(max(1, n // PER_TASK))]
    lone = await create(clients[0][0], "bench lone")
    if len({*tasks, lone}) != len(tasks) + 1:
        raise RuntimeError("the creates did not make distinct tasks")
    statuses: list[tuple[str, Any]] = []
    notes = [0]

    async def wait(client: Any, task_id: str) -> None:
        async def progress(value: float, total: float | None, message: str | None) -> None:
            notes[0] += 1

        result = await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 50},
                                        progress_callback=progress)
        statuses.append((task_id, (result.structured_content or {}).get("status")))

    await mark()
    started = time.perf_counter()
    async with anyio.create_task_group() as waits:
        waits.start_soon(wait, clients[0][0], lone)
        for i in range(n):
            own = clients[(i // len(tasks)) % replicas]
            waits.start_soon(wait, own[i % len(own)], tasks[i % len(tasks)])
    elapsed = time.perf_counter() - started
    stats = await stop()
    return {"tasks": tasks, "lone": lone, "statuses": statuses, "notes": notes[0], "seconds": elapsed, **stats}


async def in_process(setup: str, n: int, scale: float, database_url: str, sim: Any, folder: Path,
                     stack: AsyncExitStack) -> dict[str, Any]:
    from mcp.client import Client
    from starlette.applications import Starlette

    from mcp_server import webhooks
    from mcp_server.server import build_server
    from mcp_server.settings import Settings

    replicas, hooks = SETUPS[setup]
    hook_app = Starlette()
    sim.config.webhook_transport = httpx2.ASGITransport(app=hook_app)
    url = await stack.enter_async_context(fresh_schema(database_url)) if replicas > 1 else None
    settings = Settings(api_key=SecretStr("bench-key"), base_url="http://api.bench", data_dir=folder,
                        upload_url="http://api.bench/upload", output_dir=folder / "out", time_scale=scale,
                        wait_seconds=50, max_wait_seconds=50, download_outputs=False,
                        database_url=SecretStr(url) if url else None, public_url="https://mcp.bench" if hooks else None)
    servers = [build_server(settings, sim.transport()) for _ in range(replicas)]
    balance = cycle([live_services(server) for server in servers])  # a load balancer before the webhook route
    hook_app.router.routes.extend(webhooks.routes(lambda: next(balance)()))
    clients = [[await stack.enter_async_context(Client(server))] for server in servers]
    monitor = Monitor()
    group = await stack.enter_async_context(anyio.create_task_group())

    async def mark() -> None:
        gc.collect()
        monitor.reset()
        group.start_soon(monitor.run)

    async def stop() -> dict[str, Any]:
        group.cancel_scope.cancel()
        return monitor.stats()

    return await drive(clients, n, mark, stop)


@asynccontextmanager
async def http_client(url: str, mode: str) -> AsyncIterator[Any]:
    """An SDK client over Streamable HTTP whose connection pool has no cap: each waiting call holds its own
    connection (its POST's SSE answer) for the whole wait, as N users' calls would."""
    from mcp.client import Client
    from mcp.client.streamable_http import streamable_http_client

    limits = httpx2.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx2.AsyncClient(timeout=httpx2.Timeout(30, read=300), limits=limits) as http, \
            Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        await client.list_tools()  # as clients do first; else the first results each ask (the SDK checks schemas)
        yield client


async def in_processes(setup: str, n: int, scale: float, database_url: str, sim: Any, folder: Path,
                       stack: AsyncExitStack, protocol: str = PROTOCOL, sessions: int = SESSIONS,
                       profile: str | None = None) -> dict[str, Any]:
    from bench.replica_process import replica
    from mcp_server.simulator import LoopbackSimulator

    replicas, hooks = SETUPS[setup]
    loop = await stack.enter_async_context(LoopbackSimulator(sim))
    url = await stack.enter_async_context(fresh_schema(database_url)) if replicas > 1 else None
    bases = [f"http://127.0.0.1:{free_port()}" for _ in range(replicas)]
    if hooks:  # one public URL for the deployment, a load balancer before the replicas' webhook routes
        sim.config.webhook_transport = balancer = Balancer(bases)
        stack.push_async_callback(balancer.close)
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFICALLY_")}
    env.update(UNIFICALLY_API_KEY="bench-key", UNIFICALLY_BASE_URL=loop.url, UNIFICALLY_UPLOAD_URL=f"{loop.url}/upload",
               UNIFICALLY_OUTPUT_DIR=str(folder / "out"), UNIFICALLY_SIMULATOR_TIME_SCALE=str(scale),
               UNIFICALLY_ALLOW_PRIVATE_URLS="1", UNIFICALLY_WAIT_SECONDS="50", UNIFICALLY_MAX_WAIT_SECONDS="50",
               UNIFICALLY_DOWNLOAD="0", UNIFICALLY_LOG_LEVEL="WARNING", BENCH_DIR=str(folder))
    if profile:
        env.update(BENCH_PROFILE=str(Path(profile).resolve()))
    for i, base in enumerate(bases):
        extra = {"UNIFICALLY_DATA_DIR": str(folder / f"replica-{i}"),
                 "BENCH_LABEL": f"{setup.replace(' ', '').replace(',', '-')}-n{n}-replica{i}"}
        extra.update({"UNIFICALLY_DATABASE_URL": url} if url else {})
        extra.update({"UNIFICALLY_PUBLIC_URL": bases[0]} if hooks else {})
        await stack.enter_async_context(replica({**env, **extra}, int(base.rsplit(":", 1)[1]),
                                                folder / f"replica-{i}.log"))
    mode = "legacy" if protocol == "2025" else protocol
    clients = [[await stack.enter_async_context(http_client(f"{base}/mcp", mode)) for _ in range(sessions)]
               for base in bases]

    async def mark() -> None:
        (folder / "mark").touch()

    async def stop() -> dict[str, Any]:
        (folder / "stop").touch()
        with anyio.fail_after(20):
            while len(found := list(folder.glob("stats-*.json"))) < replicas:
                await anyio.sleep(0.05)
        stats = [json.loads(path.read_text()) for path in found]
        worst = max(stats, key=lambda s: s["lag_max_ms"])  # the worst replica, for each figure
        return {**{key: max(s[key] for s in stats) for key in stats[0]},
                **{key: worst[key] for key in ("lag_max_at_s", "lag_max_cpu_ms", "lag_max_gc_ms")}}

    return await drive(clients, n, mark, stop)


async def run_once(setup: str, n: int, scale: float, database_url: str, mode: str, protocol: str = PROTOCOL,
                   sessions: int = SESSIONS, profile: str | None = None) -> dict[str, Any]:
    """One measurement, in this process (its replicas in it, or in processes of their own)."""
    from mcp_server.simulator import ScaledClock, Simulator, SimulatorConfig

    sim = Simulator(SimulatorConfig(task_seconds=TASK_SECONDS, clock=ScaledClock(scale), webhook_copies=2))
    async with AsyncExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if mode == "inprocess":
            found = await in_process(setup, n, scale, database_url, sim, folder, stack)
        else:
            found = await in_processes(setup, n, scale, database_url, sim, folder, stack, protocol, sessions,
                                       profile)
    reads = {task_id: 0 for task_id in (*found["tasks"], found["lone"])}
    for request in sim.requests:
        task_id = request.path.rsplit("/", 1)[-1]
        if request.method == "GET" and task_id in reads:
            reads[task_id] += 1
    per_task = [reads[task_id] for task_id in found["tasks"]]
    done = sum(status == "completed" for task_id, status in found["statuses"] if task_id != found["lone"])
    return {"setup": setup, "n": n, "mode": mode, "protocol": protocol if mode == "process" else "in-memory",
            "tasks": len(per_task), "completed": done,
            "reads_median": statistics.median(per_task), "reads_max": max(per_task), "lone_reads": reads[found["lone"]],
            **{key: found[key] for key in ("lag_max_ms", "lag_p99_ms", "lag_max_at_s", "lag_max_cpu_ms",
                                           "lag_max_gc_ms", "lag_over_100ms", "gc_max_ms", "gc_total_ms")},
            "rss_growth_mb": found["rss_growth_mb"], "progress_notifications": found["notes"],
            "seconds": found["seconds"], "webhooks": len(sim.webhook_deliveries),
            "statuses": dict(Counter(status for _, status in found["statuses"]))}


def summary(runs: list[dict[str, Any]], key: str) -> str:
    values = [run[key] for run in runs]
    text = f"{statistics.median(values):.1f}"
    return text if len(values) == 1 else f"{text} ({min(values):.1f}-{max(values):.1f})"


def report(runs: list[dict[str, Any]], args: argparse.Namespace) -> None:
    shape = f"process, Streamable HTTP {args.protocol}, {args.sessions} clients/replica" if args.mode == "process" \
        else args.mode
    print(f"Concurrency benchmark ({shape}): {TASK_SECONDS:.0f} s simulated tasks at time scale {args.scale}, "
          f"{PER_TASK} waiters per task, {args.reps} repetition(s); median (range)")
    print(f"{'setup':<33} {'N':>4} {'done':>8} {'reads/task':>15} {'max':>4} {'lone':>5} {'lag p99 ms':>16} "
          f"{'lag max ms':>18} {'RSS +MB':>16}")
    for setup in SETUPS:
        for n in args.sizes:
            group = [run for run in runs if run["setup"] == setup and run["n"] == n]
            if group:
                print(f"{setup:<33} {n:>4} {min(r['completed'] for r in group):>4}/{n:<3} "
                      f"{summary(group, 'reads_median'):>15} {max(r['reads_max'] for r in group):>4} "
                      f"{max(r['lone_reads'] for r in group):>5} {summary(group, 'lag_p99_ms'):>16} "
                      f"{summary(group, 'lag_max_ms'):>18} {summary(group, 'rss_growth_mb'):>16}")


def machine() -> dict[str, Any]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--scale", type=float, default=5.0, help="simulated seconds per real second")
    parser.add_argument("--mode", choices=("process", "inprocess"), default="process")
    parser.add_argument("--setups", nargs="+", default=list(SETUPS), choices=list(SETUPS))
    parser.add_argument("--protocol", choices=(PROTOCOL, "2025"), default=PROTOCOL,
                        help="process mode: 2026-07-28 requests, or 2025-era sessions (initialize handshake)")
    parser.add_argument("--sessions", type=int, default=SESSIONS, help="process mode: clients per replica")
    parser.add_argument("--profile", metavar="DIR", help="process mode: pyinstrument profiles of the replicas there "
                        "(pip install pyinstrument; lag figures then include its overhead)")
    parser.add_argument("--database-url", default=os.environ.get("UNIFICALLY_TEST_DATABASE_URL") or DEFAULT_DB)
    parser.add_argument("--child", nargs=2, metavar=("SETUP", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(anyio.run(run_once, args.child[0], int(args.child[1]), args.scale, args.database_url,
                                   args.mode, args.protocol, args.sessions, args.profile)))
        return
    runs = []
    for rep in range(args.reps):
        for setup in args.setups:
            for n in args.sizes:
                out = subprocess.run([sys.executable, __file__, "--child", setup, str(n), "--scale", str(args.scale),
                                      "--mode", args.mode, "--database-url", args.database_url,
                                      "--protocol", args.protocol, "--sessions", str(args.sessions),
                                      *(["--profile", args.profile] if args.profile else [])],
                                     capture_output=True, text=True, check=True)
                runs.append({**json.loads(out.stdout.strip().splitlines()[-1]), "rep": rep})
                run = runs[-1]
                print(f"  rep {rep + 1}: {setup}, N={n}: {run['seconds']:.1f} s; worst lag {run['lag_max_ms']:.0f} ms "
                      f"at {run['lag_max_at_s']:.2f} s (process CPU meanwhile {run['lag_max_cpu_ms']:.0f} ms, "
                      f"GC {run['lag_max_gc_ms']:.0f} ms), {run['lag_over_100ms']} tick(s) over 100 ms; longest GC "
                      f"{run['gc_max_ms']:.0f} ms", file=sys.stderr)
    report(runs, args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    suffix = "-2025" if args.mode == "process" and args.protocol == "2025" else ""
    target = RESULTS.with_name(f"concurrency-{args.mode}{suffix}.json")
    target.write_text(json.dumps({"machine": machine(), "scale": args.scale, "task_seconds": TASK_SECONDS,
                                  "per_task": PER_TASK, "command": " ".join(sys.argv), "runs": runs}, indent=1))
    print(f"written {target}")


if __name__ == "__main__":
    main()
