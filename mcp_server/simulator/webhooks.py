"""Webhook deliveries, as the docs describe them ("Webhooks & Callbacks").

A task created with a ``callback_url`` gets one POST there when it completes or fails, with a JSON body:
``{"task_id", "status": "completed", "data": {<output fields>}}`` or ``{"task_id", "status": "failed",
"error_message"}``. The docs warn that the same webhook may be delivered more than once: ``webhook_copies``
sends each one that many times. No signature is documented, so none is sent. A delivery is attempted once per
copy (an answer other than 2xx, or a connection error, is recorded, not retried).

Deliveries run in the event loop of whoever created the task (the in-process transport's, or the loopback
server's): a watcher wakes every ``POLL_SECONDS`` while any task awaits its webhook, and posts concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx2

from .outputs import OutputBuilder
from .state import SimState, TaskRecord

log = logging.getLogger(__name__)
POLL_SECONDS = 0.02
CONCURRENCY = 50


class WebhookSender:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self.deliveries: list[dict[str, Any]] = []  # every POST attempted: url, payload, status or error
        self._pending: dict[str, tuple[TaskRecord, str]] = {}
        self._runner: asyncio.Task[None] | None = None

    def expect(self, task: TaskRecord, base_url: str) -> None:
        """Deliver `task`'s webhook when it ends; `base_url` is where its output files are served."""
        if not task.callback_url:
            return
        self._pending[task.task_id] = (task, base_url)
        if self._runner is None or self._runner.done():
            self._runner = asyncio.get_running_loop().create_task(self._run())

    def payload(self, task: TaskRecord, base_url: str) -> dict[str, Any]:
        status = task.status_at(self.state.now())
        if status == "failed":
            return {"task_id": task.task_id, "status": "failed", "error_message": task.fail_message or "Task failed"}
        fields = OutputBuilder(task, base_url).completed_fields()
        return {"task_id": task.task_id, "status": "completed", "data": fields.get("output", fields)}

    async def _run(self) -> None:
        config = self.state.config
        limit = asyncio.Semaphore(CONCURRENCY)
        async with httpx2.AsyncClient(transport=config.webhook_transport, timeout=10.0) as client:
            while self._pending:
                now = self.state.now()
                due = [task_id for task_id, (task, _) in self._pending.items()
                       if task.status_at(now) in ("completed", "failed")]
                posts = []
                for task_id in due:
                    task, base_url = self._pending.pop(task_id)
                    body = self.payload(task, base_url)
                    posts += [self._post(client, limit, str(task.callback_url), body)
                              for _ in range(max(1, config.webhook_copies))]
                if posts:
                    await asyncio.gather(*posts)
                await asyncio.sleep(POLL_SECONDS)

    async def _post(self, client: httpx2.AsyncClient, limit: asyncio.Semaphore, url: str,
                    body: dict[str, Any]) -> None:
        record: dict[str, Any] = {"url": url, "payload": body, "time": time.time()}
        async with limit:
            try:
                response = await client.post(url, json=body)
                record["status_code"] = response.status_code
            except httpx2.HTTPError as exc:
                record["error"] = type(exc).__name__
                log.info("webhook to %s failed: %s", url, exc)
        self.deliveries.append(record)
