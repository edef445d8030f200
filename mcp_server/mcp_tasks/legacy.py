"""The 2025-11-25 generation: experimental tasks in the core protocol (VS Code, the MCP Inspector drive it).

Only on connections that negotiated 2025-11-25: `initialize` then declares `capabilities.tasks` (list, cancel,
`requests.tools.call`), the task-creating tools carry `execution.taskSupport: "optional"`, and a `tools/call`
with a `task` field answers at once with a `CreateTaskResult`. `tasks/get` reads the status, `tasks/result`
blocks until the task ended and returns the tool call's own result (a tool error makes the task `failed` and
is returned as that isError result), `tasks/list` pages through the caller's tasks, `tasks/cancel` stops the
following. The connection that created a task gets `notifications/tasks/status` on each change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import CallNext, ServerRequestContext
from mcp.shared.exceptions import MCPError

from mcp_server.mcp_tasks import status as S
from mcp_server.mcp_tasks.common import known, zero_wait
from mcp_server.mcp_tasks.runtime import BadCursor, TaskRuntime
from mcp_server.mcp_tasks.status import McpTask
from mcp_server.tools.base import Services

VERSION = "2025-11-25"
METHODS = frozenset({"tasks/get", "tasks/result", "tasks/list", "tasks/cancel"})
CAPABILITY: dict[str, Any] = {"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}}
RELATED_TASK = "io.modelcontextprotocol/related-task"
IMMEDIATE_RESPONSE = "io.modelcontextprotocol/model-immediate-response"


def advertise(result: dict[str, Any]) -> dict[str, Any]:
    """An `initialize` result, with the tasks capability when the negotiated version is this generation."""
    if result.get("protocolVersion") == VERSION and isinstance(result.get("capabilities"), dict):
        result["capabilities"] = {**result["capabilities"], "tasks": CAPABILITY}
    return result


class Legacy:
    def __init__(self, runtime: TaskRuntime) -> None:
        self.runtime = runtime

    async def wire(self, services: Services, task: McpTask) -> dict[str, Any]:
        message, updated = await S.snapshot(services, task)
        return types.Task(task_id=task.id, status=task.status, status_message=message,
                          created_at=S.iso(task.created_at), last_updated_at=S.iso(updated),
                          ttl=task.ttl_ms, poll_interval=None if task.ended else S.poll_interval_ms(services, task)
                          ).model_dump(by_alias=True, mode="json", exclude_none=True)

    async def call_tool(self, ctx: ServerRequestContext[Services, Any], call_next: CallNext,
                        params: Mapping[str, Any], task_params: Mapping[str, Any]) -> Any:
        services = ctx.lifespan_context
        first = await call_next(dataclasses.replace(ctx, params=zero_wait(params)))
        if not isinstance(first, dict):
            return first
        # A call refused before anything was created (bad arguments, no key, a declined price) is still answered
        # with a task, which has already failed: a client that sent `task` reads a CreateTaskResult (the TypeScript
        # SDK rejects anything else), and tasks/result returns the refusal, as the spec's tool errors are.
        session = ctx.session

        async def tell(task: McpTask) -> None:
            notification = types.TaskStatusNotification(
                params=types.TaskStatusNotificationParams.model_validate(await self.wire(services, task)))
            await session.send_notification(notification)  # type: ignore[arg-type]  # types-only in the SDK

        try:
            task = await self.runtime.open(services, str(params.get("name")), first, task_params.get("ttl"), tell)
        except Exception as exc:  # the handle could not be journaled: an error (never a CallToolResult) naming the task
            raise MCPError(types.INTERNAL_ERROR, _unrecorded(first, exc)) from None
        created = await self.wire(services, task)
        if task.ended:  # the spec: a task begins `working`; how it ended is what the next tasks/get tells
            created.update(status="working", statusMessage="Ended at once; tasks/get tells how.", pollInterval=1)
        return {"task": created, "_meta": {IMMEDIATE_RESPONSE: _immediate(task)}}

    async def get(self, ctx: ServerRequestContext[Services, Any], params: types.GetTaskRequestParams) -> Any:
        services = ctx.lifespan_context
        return await self.wire(services, await known(self.runtime.get(services, params.task_id)))

    async def result(self, ctx: ServerRequestContext[Services, Any], params: types.GetTaskRequestParams) -> Any:
        task = await known(self.runtime.wait_ended(ctx.lifespan_context, params.task_id))
        result = dict(task.result or {"content": [], "isError": True})
        result["_meta"] = {**(result.get("_meta") or {}), RELATED_TASK: {"taskId": task.id}}
        return result

    async def list_tasks(self, ctx: ServerRequestContext[Services, Any], params: types.PaginatedRequestParams) -> Any:
        services = ctx.lifespan_context
        try:
            tasks, cursor = await self.runtime.page(services, params.cursor)
        except BadCursor as exc:
            raise MCPError(types.INVALID_PARAMS, f"Failed to list tasks: {exc}") from None
        listed: dict[str, Any] = {"tasks": [await self.wire(services, task) for task in tasks]}
        if cursor:
            listed["nextCursor"] = cursor
        return listed

    async def cancel(self, ctx: ServerRequestContext[Services, Any], params: types.CancelTaskRequestParams) -> Any:
        services = ctx.lifespan_context
        task, cancelled = await known(self.runtime.cancel(services, params.task_id))
        if not cancelled:
            raise MCPError(types.INVALID_PARAMS, f"Cannot cancel task: already in terminal status '{task.status}'")
        return await self.wire(services, task)


def _immediate(task: McpTask) -> str:
    """What a host may hand the model at once (`model-immediate-response`)."""
    if not task.ended:
        return (f"Started {task.label} as MCP task {task.id} (Unifically task {task.task_id}); "
                "its result arrives when it ends.")
    return "Failed; tasks/result has the error." if task.status == "failed" else "Done; tasks/result has the result."


def _unrecorded(first: dict[str, Any], exc: Exception) -> str:
    """The error for a task call whose handle could not be journaled: the Unifically task it created, if any."""
    record = first.get("structuredContent") or {}
    task_id = record.get("task_id") if isinstance(record, dict) else None
    made = (f"Unifically task {task_id} was created and keeps running: wait_for_task with task_id=\"{task_id}\" "
            "gets its result." if task_id else "Nothing was created.")
    return f"No MCP task could be recorded ({exc}). {made}"
