"""Native MCP Tasks, both generations, backed by the journal: one runtime (`runtime`), two wire adapters
(`legacy`: 2025-11-25, `extension`: 2026-07-28 `io.modelcontextprotocol/tasks`), wired in by `middleware`."""

from mcp_server.mcp_tasks.extension import EXTENSION
from mcp_server.mcp_tasks.middleware import TasksMiddleware

__all__ = ["EXTENSION", "TasksMiddleware"]
