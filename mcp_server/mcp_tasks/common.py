"""What both task generations share on the wire side: the zero-wait call that creates a task, telling a refused
call from a created task, and the spec's error for an unknown task."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mcp_types as types
from mcp.shared.exceptions import MCPError

from mcp_server.mcp_tasks.runtime import TaskUnknown


def zero_wait(params: Mapping[str, Any]) -> dict[str, Any]:
    """`tools/call` params that create (or read) the task and return at once, without `task`."""
    arguments = params.get("arguments")
    arguments = dict(arguments) if isinstance(arguments, Mapping) else {}
    return {**{k: v for k, v in params.items() if k != "task"}, "arguments": {**arguments, "wait_seconds": 0}}


def refused(first: Any) -> bool:
    """A zero-wait answer that names no Unifically task and is an error: nothing was created."""
    if not isinstance(first, dict):
        return True
    record = first.get("structuredContent")
    return bool(first.get("isError")) and not (isinstance(record, dict) and record.get("task_id"))


async def known(pending: Any) -> Any:
    """Await a runtime read; an unknown, foreign or expired task is the spec's -32602."""
    try:
        return await pending
    except TaskUnknown as exc:
        raise MCPError(types.INVALID_PARAMS, f"Failed to retrieve task: {exc}") from None
