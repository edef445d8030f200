"""``/_sim/...`` admin endpoints for driving a simulator that runs in another process.

No auth, not recorded, plain JSON (not the API envelope):
``POST /_sim/faults`` (a Fault as JSON), ``GET /_sim/faults``, ``DELETE /_sim/faults``,
``GET /_sim/requests``, ``GET /_sim/tasks``, ``POST /_sim/reset``.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from .faults import Fault
from .state import SimState


class AdminRoutes:
    """Admin handlers bound to one ``SimState``."""

    def __init__(self, state: SimState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Starlette routes of the admin API."""
        return [
            Route("/_sim/faults", self.add_fault, methods=["POST"]),
            Route("/_sim/faults", self.list_faults, methods=["GET"]),
            Route("/_sim/faults", self.clear_faults, methods=["DELETE"]),
            Route("/_sim/requests", self.requests, methods=["GET"]),
            Route("/_sim/tasks", self.tasks, methods=["GET"]),
            Route("/_sim/reset", self.reset, methods=["POST"]),
        ]

    async def add_fault(self, request: Request) -> JSONResponse:
        """Add the fault described by the JSON body; 400 with ``error`` when it is not a valid fault."""
        try:
            data = json.loads(await request.body())
            if not isinstance(data, dict):
                raise ValueError("body must be a JSON object")
            fault = Fault.from_dict(data)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        self.state.faults.add(fault)
        return JSONResponse({"ok": True, "fault": fault.to_dict()})

    async def list_faults(self, request: Request) -> JSONResponse:
        """Every fault with its ``consumed`` count."""
        return JSONResponse([fault.to_dict() for fault in self.state.faults.faults])

    async def clear_faults(self, request: Request) -> JSONResponse:
        """Remove every fault."""
        self.state.faults.clear()
        return JSONResponse({"ok": True})

    async def requests(self, request: Request) -> JSONResponse:
        """Recorded API and upload requests, oldest first."""
        return JSONResponse([recorded.to_dict() for recorded in self.state.requests])

    async def tasks(self, request: Request) -> JSONResponse:
        """Created tasks with their current status."""
        return JSONResponse(self.state.created_tasks())

    async def reset(self, request: Request) -> JSONResponse:
        """Forget tasks, uploads, faults and requests; restore the balance."""
        self.state.reset()
        return JSONResponse({"ok": True})
