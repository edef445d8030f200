"""The 2026-07-28 generation: the tasks extension `io.modelcontextprotocol/tasks` (SEP-2663; Claude Code).

Only for a request that lists the extension in its client capabilities; the server decides per call. A
generation call whose model typically takes longer than the call's wait budget, or any call with
`wait_seconds: 0`, is answered with a task (`resultType: "task"`) once its Unifically task exists; a fast
one, a dry run, a refused call or a task that already ended is answered inline as before. `tasks/get` returns
the status, a `statusMessage` a person can read and, once the task ended, the tool call's own result inlined
(a tool error is a `completed` task whose result has isError: this generation keeps `failed` for JSON-RPC
errors). `tasks/update` is acknowledged (these tasks never ask for input), `tasks/cancel` is acknowledged and
stops the following. There is no `tasks/result` and no `tasks/list` here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import CallNext, ServerRequestContext
from mcp.shared.exceptions import MCPError

from mcp_server import errors as E
from mcp_server.mcp_tasks import status as S
from mcp_server.mcp_tasks.common import known, refused, zero_wait
from mcp_server.mcp_tasks.runtime import RUNNING, TaskRuntime
from mcp_server.mcp_tasks.status import McpTask
from mcp_server.specs import find_tool
from mcp_server.tools.base import Services
from mcp_server.tools.tasks import budget_for

EXTENSION = "io.modelcontextprotocol/tasks"
METHODS = frozenset({"tasks/get", "tasks/update", "tasks/cancel"})


class UpdateTaskParams(types.RequestParams):
    task_id: str
    input_responses: dict[str, Any]


def declared(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether this request's client capabilities list the extension."""
    capabilities = ctx.session.client_capabilities
    return bool(capabilities and capabilities.extensions and EXTENSION in capabilities.extensions)


def require(ctx: ServerRequestContext[Any, Any]) -> None:
    if not declared(ctx):
        data = types.MissingRequiredClientCapabilityErrorData(
            required_capabilities=types.ClientCapabilities(extensions={EXTENSION: {}}))
        raise MCPError(types.MISSING_REQUIRED_CLIENT_CAPABILITY,
                       f"{ctx.method} needs the {EXTENSION} extension in the request's client capabilities",
                       data=data.model_dump(by_alias=True, mode="json", exclude_none=True))


async def wants_task(services: Services, tool: str, arguments: Mapping[str, Any]) -> bool:
    """Answer with a task when the call may not wait at all, or its model typically outlasts the budget."""
    try:
        budget = budget_for(services, dict(arguments))
    except E.InvalidInput:
        return False  # the plain call explains the bad budget
    if budget <= 0:
        return True
    model, age = await _model_of(services, tool, arguments)
    expected = S.expected_seconds(model)
    return expected is not None and expected - age > budget


async def _model_of(services: Services, tool: str, arguments: Mapping[str, Any]) -> tuple[str | None, float]:
    """The model a call runs (a typed tool's, `create_task`'s `model`) or follows (a journaled `task_id`)."""
    spec = find_tool(tool)
    if spec is not None:
        try:
            return spec.split(dict(arguments))[0], 0.0
        except E.InvalidInput:
            return None, 0.0
    if isinstance(arguments.get("model"), str):
        return arguments["model"], 0.0
    if isinstance(arguments.get("task_id"), str):
        known = await services.journal.get(arguments["task_id"], owner=services.scope)
        if known:
            return known["model"], services.time.age(known["created_at"])
    return None, 0.0


class Extension:
    def __init__(self, runtime: TaskRuntime, server_info: Callable[[], dict[str, Any]]) -> None:
        self.runtime = runtime
        self.server_info = server_info

    async def wire(self, services: Services, task: McpTask) -> dict[str, Any]:
        message, updated = await S.snapshot(services, task)
        data: dict[str, Any] = {
            "taskId": task.id, "status": "completed" if task.status == "failed" else task.status,
            "statusMessage": message, "createdAt": S.iso(task.created_at), "lastUpdatedAt": S.iso(updated),
            "ttlMs": task.ttl_ms}
        if not task.ended:
            data["pollIntervalMs"] = S.poll_interval_ms(services, task)
        elif task.status != "cancelled":
            data["result"] = task.result or {"content": [], "isError": True}
        return data

    async def call_tool(self, ctx: ServerRequestContext[Services, Any], call_next: CallNext,
                        params: Mapping[str, Any]) -> Any:
        services = ctx.lifespan_context
        name, arguments = str(params.get("name")), params.get("arguments")
        if not await wants_task(services, name, arguments if isinstance(arguments, Mapping) else {}):
            return await call_next(ctx)
        first = await call_next(dataclasses.replace(ctx, params=zero_wait(params)))
        if refused(first) or (first.get("structuredContent") or {}).get("status") not in RUNNING:
            return first  # nothing to wait for: the answer is complete as it is
        try:
            task = await self.runtime.open(services, name, first)
        except Exception:  # the handle could not be journaled: the plain answer still names the task
            return first
        return {"resultType": "task", **await self.wire(services, task),
                "_meta": {types.SERVER_INFO_META_KEY: self.server_info()}}

    async def get(self, ctx: ServerRequestContext[Services, Any], params: types.GetTaskRequestParams) -> Any:
        services = ctx.lifespan_context
        return await self.wire(services, await known(self.runtime.get(services, params.task_id)))

    async def update(self, ctx: ServerRequestContext[Services, Any], params: UpdateTaskParams) -> Any:
        await known(self.runtime.get(ctx.lifespan_context, params.task_id))
        return {}  # these tasks never wait for input: every response is for a key not outstanding

    async def cancel(self, ctx: ServerRequestContext[Services, Any], params: types.CancelTaskRequestParams) -> Any:
        await known(self.runtime.cancel(ctx.lifespan_context, params.task_id))
        return {}
