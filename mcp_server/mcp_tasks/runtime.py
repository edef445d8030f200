"""The one task runtime behind both MCP task generations (the wire adapters are `legacy` and `extension`).

An MCP task is opened after the tool call itself created its Unifically task (`creating.create_once`: journal
first, one create), from that call's first answer; the handle row is journaled before the handle goes out, so
every handle names a paid task that exists, or, for a dry run, carries its result. Its id is unguessable and
owned (`services.owner`): another owner's task reads as unknown.

A follower in the server's background (`services.background`, not the request) keeps waiting through
`tools.tasks.resume`, the same shared poller (`Watchers`) every other waiter of that Unifically task joins,
until the task ends; it then stores the CallToolResult that `finish` built, exactly what the tool call returns
without a task. A server that restarted starts a follower again on the first read of a handle that is still
working. Statuses: working, then completed, failed (the tool result has isError) or cancelled (the following
stopped; the Unifically task cannot be cancelled and keeps running). The first end wins.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import mcp_types as types

from mcp_server import errors as E
from mcp_server.errors import redact
from mcp_server.mcp_tasks import status as S
from mcp_server.mcp_tasks.status import McpTask
from mcp_server.results import error_result, task_result
from mcp_server.tools.base import Call, Services
from mcp_server.tools.finishing import STILL_SAVING
from mcp_server.tools.tasks import STALE_READ, resume

log = logging.getLogger(__name__)
Listener = Callable[[McpTask], Awaitable[None]]
RUNNING = ("pending", "processing")
RETRY_DELAYS = (2.0, 5.0, 15.0, 30.0, 60.0)  # time-base seconds between tries after a passing API failure
PAGE = 50


class TaskUnknown(Exception):
    """No such task for this owner (never created, another owner's, or expired and purged)."""


class BadCursor(Exception):
    """A tasks/list cursor this server did not hand out."""


@dataclass
class Follower:
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    done: anyio.Event = field(default_factory=anyio.Event)


class TaskRuntime:
    def __init__(self) -> None:
        self._followers: dict[str, Follower] = {}
        self._listeners: dict[str, Listener] = {}

    # ----- creating and reading --------------------------------------------------------------------------
    async def open(self, services: Services, tool: str, first: dict[str, Any], ttl: Any = None,
                   listener: Listener | None = None) -> McpTask:
        """Journal a task handle for a tool call's first (zero-wait) answer, and follow it while it runs."""
        record = first.get("structuredContent") or {}
        running = bool(record.get("task_id")) and record.get("status") in RUNNING
        now = time.time()
        task = McpTask(id=S.new_id(), owner=services.owner, tool=tool, task_id=record.get("task_id"),
                       model=record.get("model"), status=S.WORKING, message=None, result=None,
                       ttl_ms=S.ttl_for(ttl), created_at=now, updated_at=now)
        task.result = stored(first)  # while working: the create's answer, whose price and notes the end keeps
        if not running:  # a dry run, or a task that had already ended: the handle is born with its result
            task.status = "failed" if first.get("isError") else "completed"
            task.message = S.end_message(services, task, task.result)
        await services.journal.purge_mcp_tasks(now)
        await services.journal.create_mcp_task(vars(task))
        log.info("MCP task %s opened for %s task %s", task.id, task.tool, task.task_id)
        if listener is not None:
            self._listeners[task.id] = listener
        if running:
            self.follow(services, task)
        return task

    async def get(self, services: Services, mcp_id: str, *, follow: bool = True) -> McpTask:
        """The caller's task; a running one is followed (again, after a restart) unless `follow` is False."""
        row = await services.journal.get_mcp_task(mcp_id, owner=services.owner)
        if row is None:
            raise TaskUnknown("Task not found")
        task = McpTask.from_row(row)
        if task.expired:
            raise TaskUnknown("Task has expired")
        if follow and not task.ended:
            self.follow(services, task)
        return task

    async def wait_ended(self, services: Services, mcp_id: str) -> McpTask:
        """Block until the task has ended (cancelling this wait leaves the task alone)."""
        task = await self.get(services, mcp_id)
        follower = self._followers.get(mcp_id)
        if task.ended:
            return task
        if follower is None:  # get() follows every working task: only a failed spawn leaves none
            raise RuntimeError(f"MCP task {mcp_id} is not being followed")
        await follower.done.wait()
        task = await self.get(services, mcp_id)
        if not task.ended:  # the follower stopped without recording an end: a journal fault, or shutting down
            raise RuntimeError(f"MCP task {mcp_id}: its end could not be recorded")
        return task

    async def page(self, services: Services, cursor: str | None) -> tuple[list[McpTask], str | None]:
        """One page of the caller's live tasks, newest first, and the cursor of the next page."""
        before = _decode_cursor(cursor) if cursor else None
        await services.journal.purge_mcp_tasks(time.time())
        rows = await services.journal.list_mcp_tasks(owner=services.owner, before=before, limit=PAGE + 1)
        tasks = [task for task in (McpTask.from_row(row) for row in rows[:PAGE]) if not task.expired]
        following = _encode_cursor(rows[PAGE - 1]["seq"]) if len(rows) > PAGE else None
        for task in tasks:  # a listed task that is still working is followed (again, after a restart), as by get
            self.follow(services, task)
        return tasks, following

    # ----- cancelling ------------------------------------------------------------------------------------
    async def cancel(self, services: Services, mcp_id: str) -> tuple[McpTask, bool]:
        """Stop following the task; returns it and whether this call cancelled it (False: it had ended)."""
        task = await self.get(services, mcp_id, follow=False)
        if task.ended:
            return task, False
        message = S.CANCELLED.format(task_id=task.task_id)
        result = types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)
        cancelled = await services.journal.end_mcp_task(mcp_id, owner=services.owner, status="cancelled",
                                                        message=message, result=stored(result))
        follower = self._followers.get(mcp_id)
        if follower is not None:
            follower.scope.cancel()
        task = await self.get(services, mcp_id, follow=False)
        if cancelled:
            log.info("MCP task %s cancelled; Unifically task %s keeps running", mcp_id, task.task_id)
            await self._tell(task)
        return task, cancelled

    # ----- following -------------------------------------------------------------------------------------
    def follow(self, services: Services, task: McpTask) -> None:
        """Start the background follower of a working task unless one runs."""
        if task.id in self._followers or task.ended or not task.task_id:
            return
        follower = self._followers[task.id] = Follower()
        services.background.spawn(self._follow, services, task, follower, name=f"MCP task {task.id}")

    async def _follow(self, services: Services, task: McpTask, follower: Follower) -> None:
        try:
            with follower.scope:
                first = task.result or (await services.journal.get_mcp_task(task.id, owner=task.owner) or {}).get(
                    "result")  # a listed row comes without it
                result = carried(first, await self._outcome(services, task))
                payload = stored(result)
                if await services.journal.end_mcp_task(task.id, owner=task.owner, message=S.end_message(
                        services, task, payload), status="failed" if result.is_error else "completed",
                        result=payload):
                    await self._tell(await self.get(services, task.id))
        finally:
            if self._followers.get(task.id) is follower:
                del self._followers[task.id]
            follower.done.set()

    async def _outcome(self, services: Services, task: McpTask) -> types.CallToolResult:
        """Wait (in budget-sized rounds) until the Unifically task ended and its outputs are saved."""
        assert task.task_id is not None
        arguments = {"task_id": task.task_id, "wait_seconds": services.settings.max_wait_seconds}
        seen: list[str] = []

        async def report(progress: float, total: float | None, message: str | None) -> None:
            watch = services.watchers.peek((services.owner, task.task_id))
            latest = watch.latest["status"] if watch is not None and watch.latest is not None else None
            if latest is not None and latest not in seen:  # a new upstream status: tell the listener
                seen.append(latest)
                await self._tell(task)

        failures = 0
        while True:
            try:
                result = await resume(services, Call(dict(arguments), report), task.task_id)
            except E.UnificallyError as error:
                if error.retryable and failures < len(RETRY_DELAYS):
                    await services.time.sleep(RETRY_DELAYS[failures])
                    failures += 1
                    continue
                return error_result(redact(error.message, services.settings.key()), task_id=task.task_id)
            except Exception as error:  # a bug of ours: the task ends with a plain error result, never a crash
                log.exception("following MCP task %s failed", task.id)
                return error_result(f"unifically-mcp hit an internal error following task {task.task_id} "
                                    f"({type(error).__name__}); wait_for_task with this task_id still works.")
            failures = 0
            record = result.structured_content or {}
            if record.get("status") not in RUNNING and STILL_SAVING not in (record.get("warnings") or []):
                return result
            await services.time.sleep(services.watchers.schedule.min_gap)  # never spins on a zero budget

    async def _tell(self, task: McpTask) -> None:
        listener = self._listeners.get(task.id)
        if listener is None:
            return
        if task.ended:
            self._listeners.pop(task.id, None)
        try:
            await listener(task)
        except Exception as exc:  # a client that went away never disturbs the task
            log.debug("status of MCP task %s not delivered: %s", task.id, exc)


def carried(first: dict[str, Any] | None, outcome: types.CallToolResult) -> types.CallToolResult:
    """The outcome as the plain call would have returned it: with the price and the notes of the create's own
    answer (`first`), which the following (a `wait_for_task`) does not know."""
    seed = (first or {}).get("structuredContent")
    record = outcome.structured_content
    if not isinstance(seed, dict) or not isinstance(record, dict) or "status" not in record:
        return outcome
    known = list(record.get("warnings") or [])
    notes = [note for note in seed.get("warnings") or [] if note not in known and note != STALE_READ]
    if not notes and (seed.get("cost") is None or "cost" in record):
        return outcome
    record = {**record, **({"warnings": notes + known} if notes else {})}
    if seed.get("cost") is not None:
        record.setdefault("cost", seed["cost"])
    return task_result(record, outcome.content[1:])  # the text again (its notes), then the same links


def stored(result: types.CallToolResult | dict[str, Any]) -> dict[str, Any]:
    """A tool result as a task keeps it: the CallToolResult's JSON, without a response envelope."""
    data = result.model_dump(by_alias=True, mode="json", exclude_none=True) if isinstance(
        result, types.CallToolResult) else dict(result)
    data.pop("resultType", None)
    meta = {k: v for k, v in (data.pop("_meta", None) or {}).items() if k != types.SERVER_INFO_META_KEY}
    return {**data, "_meta": meta} if meta else data


def _encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith("seq:") and text[4:].isdigit():
            return int(text[4:])
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise BadCursor("Invalid cursor")
