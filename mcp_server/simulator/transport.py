"""An in-process httpx2 transport that behaves like a network for the simulator's faults.

Wraps ``httpx2.ASGITransport`` and adds what a socket would give a client:
* ``drop_before`` -> ``httpx2.ConnectError``; ``drop_after`` -> ``httpx2.RemoteProtocolError``.
* The client's read timeout is enforced (ASGITransport ignores timeouts): a ``slow`` fault longer than
  the timeout raises ``httpx2.ReadTimeout`` while the request has already been processed.
"""

from __future__ import annotations

from contextlib import nullcontext

import anyio
import httpx2

from .middleware import ASGIApp, SimulatedDrop

DISCONNECTED = "Server disconnected without sending a response."


class SimulatorTransport(httpx2.AsyncBaseTransport):
    """``httpx2.AsyncBaseTransport`` for ``httpx2.AsyncClient(transport=sim.transport(), base_url=...)``."""

    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx2.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Run the request through the app, mapping simulated drops and timeouts to httpx2 errors."""
        timeout = request.extensions.get("timeout", {}).get("read")
        try:
            with anyio.fail_after(timeout) if timeout is not None else nullcontext():
                return await self._inner.handle_async_request(request)
        except SimulatedDrop as exc:
            if exc.after:
                raise httpx2.RemoteProtocolError(DISCONNECTED, request=request) from None
            raise httpx2.ConnectError("[Errno 111] Connection refused", request=request) from None
        except TimeoutError:
            raise httpx2.ReadTimeout("timed out", request=request) from None

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()
