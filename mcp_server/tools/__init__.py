"""The tool registry: platform, catalog and typed family tools, filtered by toolsets and tool names."""

from __future__ import annotations

from mcp_server.errors import InvalidInput
from mcp_server.settings import Settings
from mcp_server.tools.base import ToolDef
from mcp_server.tools.catalog import catalog_tools
from mcp_server.tools.family import family_tools
from mcp_server.tools.platform import platform_tools
from mcp_server.tools.tasks import wait_schema


def build_tools(settings: Settings) -> dict[str, ToolDef]:
    """All tools the settings select: `toolsets` (image, video, audio, platform) and/or explicit `tools`."""
    every = platform_tools() + catalog_tools() + family_tools()
    names = {tool.name for tool in every}
    unknown = [name for name in settings.tools if name not in names]
    if unknown:
        raise InvalidInput(f"unknown tool(s) {', '.join(unknown)}; available: {', '.join(sorted(names))}")
    if settings.tools:
        chosen = [tool for tool in every if tool.name in settings.tools]
    else:
        chosen = [tool for tool in every if tool.toolset in settings.toolsets]
    for tool in chosen:  # the configured wait cap is what every schema shows
        if "wait_seconds" in tool.input_schema.get("properties", {}):
            tool.input_schema["properties"]["wait_seconds"] = wait_schema(settings)
    return {tool.name: tool for tool in chosen}
