"""MCP prompts: the workflow guides of `mcp_server.workflows` served as prompts/list and prompts/get.

A prompt is listed only when every step can be done with this server's tool selection, and its text names
only tools of that selection. prompts/get checks the arguments (required ones present; model ids and
languages among their documented choices) before rendering; a bad argument is a protocol error naming it.
"""

from __future__ import annotations

from collections.abc import Mapping

import mcp_types as types
from mcp.shared.exceptions import MCPError

from mcp_server.icons import toolset_icons
from mcp_server.tools.base import ToolDef
from mcp_server.workflows import WORKFLOWS, Argument, Guide, Unavailable, Workflow


class Prompts:
    def __init__(self, tools: Mapping[str, ToolDef]) -> None:
        self.tools = tools
        self.workflows = {flow.name: flow for flow in WORKFLOWS if self._offered(flow)}

    def _offered(self, flow: Workflow) -> bool:
        try:
            self.render(flow, {arg.name: f"<{arg.name}>" for arg in flow.arguments if arg.required})
        except Unavailable:
            return False
        return True

    def list(self) -> list[types.Prompt]:
        return [types.Prompt(name=flow.name, title=flow.title, description=flow.description,
                             arguments=[types.PromptArgument(name=arg.name, description=self._describe(arg),
                                                             required=arg.required) for arg in flow.arguments],
                             icons=toolset_icons(flow.category))
                for flow in self.workflows.values()]

    @staticmethod
    def _describe(arg: Argument) -> str:
        return f"{arg.description} (default: {arg.default})" if arg.default else arg.description

    def render(self, flow: Workflow, arguments: Mapping[str, str]) -> tuple[str, list[str]]:
        """The prompt text for `arguments` (defaults filled in) and the tools it names, in order."""
        values = {arg.name: arguments.get(arg.name) or arg.default or "" for arg in flow.arguments}
        guide = Guide(self.tools)
        steps = flow.steps(guide, values)
        text = (f"{flow.description} Use the Unifically tools, step by step:\n\n"
                + "\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1)))
        return text, guide.used

    def get(self, name: str, arguments: Mapping[str, str] | None) -> types.GetPromptResult:
        flow = self.workflows.get(name)
        if flow is None:
            raise MCPError(types.INVALID_PARAMS, f"Unknown prompt {name!r}; prompts/list shows "
                                                 f"{', '.join(self.workflows) or 'none'}.")
        arguments = {key: value for key, value in (arguments or {}).items() if value}
        for arg in flow.arguments:
            value = arguments.get(arg.name)
            if arg.required and not value:
                raise MCPError(types.INVALID_PARAMS, f"{name}: argument {arg.name!r} is required ({arg.description}).")
            if value and arg.choices and value not in (choices := arg.choices()):
                raise MCPError(types.INVALID_PARAMS, f"{name}: {arg.name} {value!r} is not one of: "
                                                     f"{', '.join(choices)}.")
        try:
            text, _ = self.render(flow, arguments)
        except Unavailable as missing:
            raise MCPError(types.INVALID_PARAMS, f"{name}: {missing} is not reachable with this server's tool "
                                                 "selection (UNIFICALLY_TOOLSETS / UNIFICALLY_TOOLS).") from None
        return types.GetPromptResult(description=flow.description, messages=[
            types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))])
