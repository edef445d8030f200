"""Work that outlives the tool call that started it: downloads finishing after a result went out, journal
writes being retried. One task group per server, opened by the lifespan; at shutdown pending work gets a
short grace period, then is cancelled (whatever it had not written stays recoverable from the journal).

`single_flight` runs at most one job per key (e.g. saving one task's outputs): a second caller with the same
key joins the running job instead of starting its own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 5.0


class Job:
    """A running or finished single-flight job: wait for it with a timeout, read its result."""

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    async def wait(self, timeout: float | None) -> bool:
        """True when the job finished within `timeout` real seconds (None: no limit)."""
        with anyio.move_on_after(timeout):
            await self.done.wait()
        return self.done.is_set()


class Background:
    def __init__(self) -> None:
        self._group: anyio.abc.TaskGroup | None = None
        self._jobs: dict[Any, Job] = {}

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Background]:
        async with anyio.create_task_group() as group:
            self._group = group
            try:
                yield self
            finally:
                with anyio.move_on_after(SHUTDOWN_GRACE, shield=True):
                    while self._jobs:
                        await next(iter(self._jobs.values())).done.wait()
                group.cancel_scope.cancel()
                self._group = None

    def spawn(self, fn: Callable[..., Awaitable[Any]], *args: Any, name: str = "background") -> None:
        """Run `fn(*args)` beside the calls; failures are logged, never raised into a call."""
        if self._group is None:
            raise RuntimeError("background work needs the server's lifespan")

        async def guarded() -> None:
            try:
                await fn(*args)
            except anyio.get_cancelled_exc_class():
                raise
            except Exception:
                log.exception("%s failed", name)

        self._group.start_soon(guarded, name=name)

    def single_flight(self, key: Any, fn: Callable[..., Awaitable[Any]], *args: Any) -> Job:
        """The job for `key`: the running one, or a new one running `fn(*args)` in the background."""
        job = self._jobs.get(key)
        if job is not None:
            return job
        job = self._jobs[key] = Job()

        async def run() -> None:
            try:
                job.result = await fn(*args)
            except BaseException as exc:  # kept for the waiters; cancellation still propagates
                job.error = exc
                if not isinstance(exc, Exception):
                    raise
                log.warning("background job %s failed: %s", key, exc)
            finally:
                self._jobs.pop(key, None)
                job.done.set()

        self.spawn(run, name=f"job {key}")
        return job
