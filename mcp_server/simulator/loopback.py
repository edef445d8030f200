"""``LoopbackSimulator``: serve a ``Simulator`` over real HTTP on a loopback port, inside the current loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator
from types import TracebackType

import uvicorn

from .simulator import Simulator

logger = logging.getLogger(__name__)


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host (tests, the CLI)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Do not install signal handlers."""
        yield


class LoopbackSimulator:
    """Async context manager running uvicorn as a task of the current event loop.

    ``url`` ("http://127.0.0.1:<port>") is set once the socket is listening; port 0 picks a free port.
    Exiting sets ``should_exit`` and waits for the server to stop.
    """

    def __init__(self, sim: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sim = sim
        self.host = host
        self.port = port
        self.url = ""
        config = uvicorn.Config(
            sim.app,
            host=host,
            port=port,
            lifespan="off",
            log_config=None,
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=2,
        )
        self.server = _EmbeddedServer(config)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopbackSimulator:
        self._task = asyncio.create_task(self._serve())
        while not self.server.started:
            if self._task.done():
                self._task.result()  # re-raise the startup error (e.g. the port is taken)
                raise RuntimeError("simulator server stopped before it started")
            await asyncio.sleep(0.005)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{self.host}:{self.port}"
        logger.info("simulator listening on %s", self.url)
        return self

    async def _serve(self) -> None:
        try:
            await self.server.serve()
        except SystemExit as exc:  # uvicorn exits the process when it cannot bind; keep that inside the task
            raise OSError(f"simulator could not listen on {self.host}:{self.port}") from exc

    async def wait(self) -> None:
        """Wait until the server stops (``stop()`` or ``should_exit``)."""
        if self._task is not None:
            await self._task

    def stop(self) -> None:
        """Ask the server to shut down."""
        self.server.should_exit = True

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        await self.wait()
