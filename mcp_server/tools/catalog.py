"""Model discovery: `list_models` (every id with a one-line summary) and `describe_model` (the full page).

Models the docs list without a page are listed too, marked undocumented, with `create_task` as their tool.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import mcp_types as types

from mcp_server.errors import InvalidInput
from mcp_server.specs import ModelSpec, all_model_ids, find_model, load_tool_specs, undocumented_models
from mcp_server.tools.base import Call, Services, ToolDef
from mcp_server.tools.platform import LOCAL_READ, _obj

CATEGORIES = ("image", "video", "audio")
# The tool of this server's selection that runs a model id (its typed tool, a compact tool or create_task).
Route = Callable[[str], "str | None"]


def _typed(model_id: str) -> str | None:
    spec = find_model(model_id)
    return spec.tool if spec else None


async def list_models(services: Services, call: Call, route: Route = _typed) -> types.CallToolResult:
    category = call.arguments.get("category")
    rows = [{"model": model_id, "tool": route(model_id), "category": spec.toolset, "summary": model.summary,
             "documented": True}
            for spec in load_tool_specs() if category in (None, spec.toolset)
            for model_id, model in spec.models.items()]
    rows += [{"model": model_id, "tool": "create_task", "category": info["category"],
              "summary": f"{info['title']}: undocumented (listed without a page); create_task only.",
              "documented": False}
             for model_id, info in undocumented_models().items() if category in (None, info["category"])]
    lines = [f"{len(rows)} model(s); describe_model gives a model's full documentation."]
    lines += [f"- {row['model']} [{row['tool']}]: {row['summary']}" for row in rows]
    return types.CallToolResult(content=[types.TextContent(type="text", text="\n".join(lines))],
                                structured_content={"models": rows})


def _undocumented(model_id: str, info: dict) -> types.CallToolResult:
    text = (f"Model {model_id} ({info['title']}) is listed by the docs but has no documentation page: no "
            f"parameters, limits or examples ({info['reason']}). There is no typed tool; use create_task with "
            f"model={model_id!r} and the input object the provider expects - it is sent unchecked.")
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                structured_content={"model": model_id, "tool": "create_task", "documented": False})


def _caveats(spec: ModelSpec) -> list[dict]:
    """Docs examples that contradict their own page: refused by the typed tool, sent by create_task with a
    warning."""
    return [{"title": e["title"], "input": e["input"], "caveat": e["reason"],
             "create_task": "sent as documented, with a warning"} for e in spec.refused_examples]


async def describe_model(services: Services, call: Call, route: Route = _typed) -> types.CallToolResult:
    model_id = call.arguments["model"]
    spec = find_model(model_id)
    if spec is None and (info := undocumented_models().get(model_id)):
        return _undocumented(model_id, info)
    if spec is None:
        close = [m for m in [*all_model_ids(), *undocumented_models()] if model_id.split("/")[-1][:4] in m][:8]
        hint = f" Similar: {', '.join(close)}." if close else " list_models shows every id."
        raise InvalidInput(f"model: {model_id!r} is not a documented model.{hint}")
    tool = route(spec.id)
    if tool is None:
        how = "no tool of this server's selection runs it"
    elif tool == spec.tool:
        how = f"typed tool: {tool}"
    else:
        how = f"tool: {tool} with model=\"{spec.id}\" and these parameters in `input`"
    header = f"Model {spec.id} - {how}. Resource: unifically://models/{spec.id}\n\n"
    return types.CallToolResult(content=[types.TextContent(type="text", text=header + spec.page)],
                                structured_content={"model": spec.id, "tool": tool, "documented": True,
                                                    "schema": spec.schema, "rules": list(spec.rules),
                                                    "examples": [e["input"] for e in spec.examples],
                                                    "caveats": _caveats(spec)})


def catalog_tools(route: Route = _typed) -> list[ToolDef]:
    return [
        ToolDef("list_models", "Every model id with the tool that runs it and a one-line summary.",
                _obj({"category": {"type": "string", "enum": list(CATEGORIES)}}),
                functools.partial(list_models, route=route), annotations=LOCAL_READ, needs_api=False),
        ToolDef("describe_model", "A model's full documentation: parameters, limits, examples.",
                _obj({"model": {"type": "string", "description": "Model id"}}, ("model",)),
                functools.partial(describe_model, route=route),
                annotations=LOCAL_READ, needs_api=False),
    ]
