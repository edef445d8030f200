"""Fixtures of the simulator tests: a fake clock, a simulator on it, and an httpx2 client in-process or on loopback.

They override the top-level `sim` and `client` fixtures (those drive the MCP server) inside this folder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from mcp_server.simulator import FakeClock, LoopbackSimulator, Simulator, SimulatorConfig
from tests.simulator.helpers import API_KEY, AUTH


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    return Simulator(SimulatorConfig(task_seconds=10.0, api_key=API_KEY, clock=clock))


@pytest.fixture(params=["inprocess", "loopback"])
async def client(request: pytest.FixtureRequest, sim: Simulator) -> AsyncIterator[httpx2.AsyncClient]:
    """An authenticated client talking to ``sim`` in-process or over a real loopback socket."""
    if request.param == "inprocess":
        async with httpx2.AsyncClient(transport=sim.transport(), base_url="http://sim.test", headers=AUTH) as c:
            yield c
    else:
        async with LoopbackSimulator(sim) as server, httpx2.AsyncClient(base_url=server.url, headers=AUTH) as c:
            yield c
