"""Polling benchmark: status requests per task and detection delay, our schedule vs a fixed 2-second poll.

Runs the simulator on loopback HTTP with a scaled clock (minutes of simulated time in seconds of real time), and
the server's own polling loop (`mcp_server.waiting.poll_until_done`) on the same scaled time base, side by side
in one run. Detection delay = when we saw `completed` minus when the task completed, in simulated seconds.

    python bench/polling.py            # default scale 0.02: a 240 s task takes 4.8 s of real time
    python bench/polling.py --scale 0.05 --tasks 7
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import anyio
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mcp_server.client import UnificallyClient  # noqa: E402
from mcp_server.settings import Settings  # noqa: E402
from mcp_server.simulator import LoopbackSimulator, Simulator, SimulatorConfig  # noqa: E402
from mcp_server.timebase import TimeBase  # noqa: E402
from mcp_server.waiting import PollSchedule, Progress  # noqa: E402
from mcp_server.watching import poll_until_done  # noqa: E402


class FixedSchedule(PollSchedule):
    """The naive baseline: poll every 2 seconds."""

    def next_gap(self, age: float, typical: float | None) -> float:
        return 2.0


@dataclass(frozen=True)
class Case:
    label: str
    model: str
    seconds: float
    typical: float | None  # what the docs tell us about this model's duration


CASES = (
    Case("5 s image (no documented duration)", "black-forest-labs/flux.2-pro", 5, None),
    Case("60 s video (no documented duration)", "kuaishou/kling-2.6-video", 60, None),
    Case("240 s video (no documented duration)", "kuaishou/kling-3.0-video", 240, None),
    Case("240 s Veo quality (docs: ~240 s)", "google/veo-3.1-quality", 240, 240),
)


async def measure(client: UnificallyClient, sim: Simulator, case: Case, schedule: PollSchedule, scale: float,
                  tasks: int) -> tuple[float, list[float]]:
    """(status requests per task, detection delays) for `tasks` concurrent tasks of one case."""
    clock = sim.config.clock
    delays: list[float] = []

    async def one() -> None:
        created = await client.create_task(case.model, {"prompt": "bench"})
        created_at = clock()
        task = await poll_until_done(client.get_task, created["task_id"], budget=case.seconds * 3,
                                     progress=Progress(None, clock), typical=case.typical, schedule=schedule,
                                     time=TimeBase(1 / scale))
        assert task["status"] == "completed", task
        delays.append(clock() - (created_at + case.seconds))

    before = len([r for r in sim.requests if r.method == "GET"])
    async with anyio.create_task_group() as group:
        for _ in range(tasks):
            group.start_soon(one)
    gets = len([r for r in sim.requests if r.method == "GET"]) - before
    return gets / tasks, delays


async def main(scale: float, tasks: int) -> None:
    origin = time.monotonic()
    config = SimulatorConfig(durations={case.model: case.seconds for case in CASES},
                             clock=lambda: (time.monotonic() - origin) / scale)
    sim = Simulator(config)
    async with LoopbackSimulator(sim) as server:
        settings = Settings(api_key=SecretStr("bench-key"), base_url=server.url, upload_url=server.url + "/upload")
        client = UnificallyClient(settings)
        rows = []
        for case in CASES:
            for name, schedule in (("ours", PollSchedule()), ("fixed 2 s", FixedSchedule())):
                requests, delays = await measure(client, sim, case, schedule, scale, tasks)
                rows.append((case.label, name, requests, statistics.median(delays), max(delays)))
        await client.aclose()
    print(f"Polling benchmark: simulator on loopback, time scale {scale} ({tasks} tasks per row, simulated seconds)")
    print(f"{'task':<38} {'strategy':<10} {'requests/task':>13} {'median delay':>13} {'max delay':>10}")
    for label, name, requests, median, worst in rows:
        print(f"{label:<38} {name:<10} {requests:>13.1f} {median:>12.1f}s {worst:>9.1f}s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02, help="real seconds per simulated second")
    parser.add_argument("--tasks", type=int, default=5, help="concurrent tasks per row")
    args = parser.parse_args()
    anyio.run(main, args.scale, args.tasks)
