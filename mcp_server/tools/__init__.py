"""The tool registry and its selection: toolsets and/or tool names, closed over the tools results point to.

Toolsets: image, video, audio (the typed tools of a category), platform (tasks, uploads, resources, account,
catalog), or `compact` (one tool per category and verb, with the platform tools). Whatever is selected, a
tool whose result is a task brings the tools that result and its errors point to (wait_for_task, get_task,
list_tasks, get_account), and a tool whose description names a platform tool brings it (get_resources for the
voices and motions), so a model is never sent to a tool it does not have.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import replace

from mcp_server.errors import InvalidInput
from mcp_server.icons import toolset_icons
from mcp_server.results import TASK_OUTPUT_SCHEMA
from mcp_server.settings import COMPACT, Settings
from mcp_server.tools.base import ToolDef
from mcp_server.tools.catalog import catalog_tools
from mcp_server.tools.compact import compact_tools
from mcp_server.tools.family import MODELS_META_KEY, family_tools
from mcp_server.tools.platform import platform_tools
from mcp_server.tools.tasks import configure

# What a task result or a task error tells the model to call next.
TASK_TOOLS = ("wait_for_task", "get_task", "list_tasks", "get_account")


def every_tool() -> list[ToolDef]:
    return platform_tools() + catalog_tools() + family_tools() + compact_tools()


def build_tools(settings: Settings) -> dict[str, ToolDef]:
    """The tools the settings select: `toolsets` and/or explicit `tools`, plus the task tools they need."""
    every = every_tool()
    names = {tool.name for tool in every}
    unknown = [name for name in settings.tools if name not in names]
    if unknown:
        raise InvalidInput(f"unknown tool(s) {', '.join(unknown)}; available: {', '.join(sorted(names))}")
    if settings.tools:
        wanted = set(settings.tools)
    else:
        toolsets = set(settings.toolsets) | ({"platform"} if COMPACT in settings.toolsets else set())
        wanted = {tool.name for tool in every if tool.toolset in toolsets}
    if any(tool.output_schema == TASK_OUTPUT_SCHEMA for tool in every if tool.name in wanted):
        wanted |= set(TASK_TOOLS)
    wanted |= named_platform_tools([tool for tool in every if tool.name in wanted], every)
    chosen = {tool.name: tool for tool in every if tool.name in wanted}
    # The catalog names, for each model id, the tool of this selection that runs it.
    routed = {tool.name: tool for tool in catalog_tools(functools.partial(tool_for_model, chosen))}
    selected = {name: replace(routed.get(name, tool), icons=tool.icons or toolset_icons(tool.toolset))
                for name, tool in chosen.items()}
    for tool in selected.values():  # the common arguments as the settings have them (wait cap, confirm_spend)
        configure(tool.input_schema, settings)
    return selected


def named_platform_tools(chosen: list[ToolDef], every: list[ToolDef]) -> set[str]:
    """The platform tools a chosen tool's description or schema sends the model to (voices and motions come from
    get_resources)."""
    text = json.dumps([(tool.description, tool.input_schema) for tool in chosen])
    return {tool.name for tool in every if tool.toolset == "platform" and re.search(rf"\b{tool.name}\b", text)}


def tool_for_model(tools: Mapping[str, ToolDef], model_id: str) -> str | None:
    """The tool that runs `model_id` here: its typed tool, else a compact tool, else create_task, else None."""
    holders = [tool for tool in tools.values() if model_id in (tool.meta or {}).get(MODELS_META_KEY, ())]
    holders.sort(key=lambda tool: tool.toolset == COMPACT)
    if holders:
        return holders[0].name
    return "create_task" if "create_task" in tools else None
