"""Shared fixtures: a simulator, settings pointing at it, the server, and an MCP client in both protocol eras."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client
from pydantic import SecretStr

from mcp_server.server import build_server
from mcp_server.settings import Settings
from mcp_server.simulator import ScaledClock, Simulator, SimulatorConfig
from tests.pg import Backend, database_url, fresh_schema

API_KEY = "sk-test-0123456789abcdef-SECRET"
# Simulated seconds per real second, for the simulator and the server alike: tests keep realistic durations,
# budgets and polling schedules without sleeping through them.
SCALE = 20.0


@pytest.fixture(autouse=True, scope="session")
def _private_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A server built with default settings keeps its journal and outputs in a throwaway folder, never in the
    user data dir of whoever runs the tests."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on anyio's pytest plugin (`pytestmark = pytest.mark.anyio` in each module): unlike
    pytest-asyncio it sets up and tears down an async fixture in one task, which the MCP Client needs."""
    return "asyncio"


def make_sim(**config: Any) -> Simulator:
    """A simulator whose tasks run on the tests' scaled clock (task_seconds are simulated seconds)."""
    config.setdefault("clock", ScaledClock(SCALE))
    return Simulator(SimulatorConfig(**config))


@pytest.fixture
def sim() -> Simulator:
    return make_sim(task_seconds=0.6)


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("data", "out", "in")}
    for path in paths.values():
        path.mkdir()
    return paths


def make_settings(dirs: dict[str, Path], **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(api_key=SecretStr(API_KEY), base_url="http://api.test",
                                  upload_url="http://files.test/upload", data_dir=dirs["data"],
                                  output_dir=dirs["out"], allowed_dirs=(dirs["in"], dirs["out"]), wait_seconds=10,
                                  time_scale=SCALE)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(dirs: dict[str, Path]) -> Settings:
    return make_settings(dirs)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (skipped without a test database)."""
    async with fresh_schema(database_url()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """The journal store a test runs against: every journal test runs on both backends."""
    if request.param == "sqlite":
        yield Backend("sqlite", path=tmp_path / "data" / "tasks.sqlite3")
        return
    async with fresh_schema(database_url()) as url:
        yield Backend("postgres", url=url)


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def client(settings: Settings, sim: Simulator, mode: str) -> AsyncIterator[Client]:
    async with Client(build_server(settings, sim.transport()), mode=mode) as connected:
        yield connected


def posts(sim: Simulator) -> list[Any]:
    """The create-task requests the simulator received."""
    return [r for r in sim.requests if r.method == "POST" and r.path == "/v1/tasks"]


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")


def dump(result: Any) -> str:
    """Everything a result carries, as one string (for 'the key never appears' checks)."""
    return json.dumps(result.model_dump(mode="json", by_alias=True), ensure_ascii=False)
