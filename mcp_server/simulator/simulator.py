"""``Simulator``: the offline Unifically API as one ASGI app plus the handles tests need to steer it."""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .admin import AdminRoutes
from .api import ApiRoutes
from .config import Clock, RecordedRequest, SimulatorConfig
from .envelope import error_for_path
from .faults import Fault
from .middleware import FaultMiddleware
from .state import SimState
from .transport import SimulatorTransport
from .uploads import UploadRoutes
from .webhooks import WebhookSender

logger = logging.getLogger(__name__)


class Simulator:
    """An in-memory Unifically API.

    ``app`` is the ASGI app (serve it with ``LoopbackSimulator`` or ``python -m mcp_server.simulator``);
    ``transport()`` gives an in-process httpx2 transport. State is per instance.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config if config is not None else SimulatorConfig()
        self.state = SimState(self.config)
        self.webhooks = WebhookSender(self.state)
        routes = (ApiRoutes(self.state, self.webhooks).routes() + UploadRoutes(self.state).routes()
                  + AdminRoutes(self.state).routes())
        starlette = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
        self.app = FaultMiddleware(starlette, self.state)

    def transport(self) -> SimulatorTransport:
        """A new in-process transport (drops become httpx2 exceptions; the read timeout is enforced)."""
        return SimulatorTransport(self.app)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Recorded API and upload requests, oldest first (the live list)."""
        return self.state.requests

    @property
    def faults(self) -> list[Fault]:
        """Injected faults in order of addition, each with its ``consumed`` count (the live list)."""
        return self.state.faults.faults

    @property
    def balance_usd(self) -> float:
        """The current simulated balance."""
        return self.state.balance_usd

    @property
    def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Every webhook POST attempted, oldest first: url, payload, and status_code or error."""
        return self.webhooks.deliveries

    def created_tasks(self) -> list[dict[str, Any]]:
        """Every task actually created (dry runs and refused requests make none), with current status."""
        return self.state.created_tasks()

    def add_fault(self, fault: Fault) -> Fault:
        """Inject a fault (applied after those added before it); returns it for inspecting ``consumed``."""
        self.state.faults.add(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove every fault."""
        self.state.faults.clear()

    def fail_model(self, model: str, message: str = "Content policy violation", times: int = -1) -> Fault:
        """Make tasks of ``model`` created from now on end ``failed`` with ``message``."""
        return self.add_fault(Fault(kind="fail_task", model=model, message=message, times=times))

    def set_clock(self, clock: Clock) -> None:
        """Replace the lifecycle clock (tasks created earlier keep their start time on the old clock)."""
        self.config.clock = clock

    def reset(self) -> None:
        """Forget tasks, uploads, faults and recorded requests; restore the starting balance."""
        self.state.reset()


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer in the API's error format instead of Starlette's plain text."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        message = f"Not found: {request.method} {request.url.path}"
    elif status == 405:
        message = f"Method not allowed: {request.method} {request.url.path}"
    else:
        message = str(getattr(exc, "detail", "")) or "Request failed"
    return error_for_path(request.url.path, status, message)
