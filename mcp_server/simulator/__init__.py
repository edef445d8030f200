"""An offline simulator of the Unifically REST API (tasks, resources, account, uploads, served files).

    from mcp_server.simulator import Simulator, SimulatorConfig, Fault, LoopbackSimulator

    sim = Simulator(SimulatorConfig(task_seconds=0.2))
    async with httpx2.AsyncClient(transport=sim.transport(), base_url="http://sim.test") as client: ...
    async with LoopbackSimulator(sim) as server: ...  # real HTTP on server.url

Or standalone: ``python -m mcp_server.simulator --port 0`` (prints ``SIMULATOR_URL=...``).
"""

from __future__ import annotations

from .catalog import MODEL_KINDS
from .clocks import FakeClock, ScaledClock
from .config import RecordedRequest, SimulatorConfig
from .faults import Fault
from .loopback import LoopbackSimulator
from .simulator import Simulator
from .transport import SimulatorTransport

__all__ = [
    "MODEL_KINDS",
    "FakeClock",
    "Fault",
    "LoopbackSimulator",
    "RecordedRequest",
    "ScaledClock",
    "Simulator",
    "SimulatorConfig",
    "SimulatorTransport",
]
