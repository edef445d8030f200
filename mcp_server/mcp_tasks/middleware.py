"""Where MCP tasks meet the SDK: one server middleware and the `tasks/*` request handlers.

The middleware sees every request before the SDK validates it. It answers a task-creating `tools/call` itself
(a 2025-11-25 `CreateTaskResult` cannot come from a tool handler: the SDK checks that handler's result against
`CallToolResult`), after running the ordinary call with a zero wait, so that argument checks, refusals and the
create are exactly the plain call's. It decides which `tasks/*` methods a request may use: 2025-11-25
connections get the core ones, a 2026-07-28 request the extension's (-32021 when it did not declare the
extension), every other version none (-32601). It adds the 2025-11-25 tasks capability to `initialize`.
Everything else passes through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mcp_types as types
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel

from mcp_server.mcp_tasks import extension, legacy
from mcp_server.mcp_tasks.extension import Extension, UpdateTaskParams
from mcp_server.mcp_tasks.legacy import Legacy
from mcp_server.mcp_tasks.runtime import TaskRuntime

Handler = Callable[[ServerRequestContext[Any, Any], Any], Any]


class TasksMiddleware:
    def __init__(self, task_support: Mapping[str, str | None], server_info: Callable[[], dict[str, Any]]) -> None:
        """`task_support`: each tool's `execution.taskSupport` (None: none); `server_info`: the 2026 stamp."""
        self.task_tools = frozenset(name for name, support in task_support.items() if support)
        self.tool_names = frozenset(task_support)
        self.runtime = TaskRuntime()
        self.legacy = Legacy(self.runtime)
        self.extension = Extension(self.runtime, server_info)

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        method = ctx.method
        if ctx.request_id is None:  # a notification
            return await call_next(ctx)
        if method == "initialize":
            result = await call_next(ctx)
            return legacy.advertise(result) if isinstance(result, dict) else result
        if method == "tools/call" and isinstance(ctx.params, Mapping):
            return await self._tool_call(ctx, call_next, ctx.params)
        if method.startswith("tasks/"):
            self._admit(ctx)
        return await call_next(ctx)

    def _admit(self, ctx: ServerRequestContext[Any, Any]) -> None:
        """Refuse a `tasks/*` method this request's protocol generation does not have."""
        version, method = ctx.protocol_version, ctx.method
        if version in MODERN_PROTOCOL_VERSIONS and method in extension.METHODS:
            extension.require(ctx)
        elif not (version == legacy.VERSION and method in legacy.METHODS):
            raise MCPError(types.METHOD_NOT_FOUND, "Method not found", data=method)

    async def _tool_call(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext,
                         params: Mapping[str, Any]) -> HandlerResult:
        name = params.get("name")
        if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
            if name in self.task_tools and extension.declared(ctx):
                return await self.extension.call_tool(ctx, call_next, params)
        elif ctx.protocol_version == legacy.VERSION and isinstance(params.get("task"), Mapping):
            if name in self.task_tools:
                return await self.legacy.call_tool(ctx, call_next, params, params["task"])
            if name in self.tool_names:  # a tool that does not support tasks, asked to run as one
                raise MCPError(types.METHOD_NOT_FOUND, f"Tool {name!r} does not support task-augmented calls")
        return await call_next(ctx)

    def handlers(self) -> list[tuple[str, type[BaseModel], Handler]]:
        """The `tasks/*` request handlers, each serving the generation of the request's protocol version."""

        def by_generation(old: Handler | None, new: Handler | None) -> Handler:
            async def handle(ctx: ServerRequestContext[Any, Any], params: Any) -> Any:
                chosen = new if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS else old
                if chosen is None:  # unreachable past `_admit`; kept so a handler never guesses
                    raise MCPError(types.METHOD_NOT_FOUND, "Method not found", data=ctx.method)
                return await chosen(ctx, params)

            return handle

        return [
            ("tasks/get", types.GetTaskRequestParams, by_generation(self.legacy.get, self.extension.get)),
            ("tasks/result", types.GetTaskPayloadRequestParams, by_generation(self.legacy.result, None)),
            ("tasks/list", types.PaginatedRequestParams, by_generation(self.legacy.list_tasks, None)),
            ("tasks/cancel", types.CancelTaskRequestParams, by_generation(self.legacy.cancel, self.extension.cancel)),
            ("tasks/update", UpdateTaskParams, by_generation(None, self.extension.update)),
        ]
