"""Typed model-family tools, built from the generated specs in `tool_specs/`, all served by one handler.

The handler splits the arguments into the model id and the API `input`, validates the input against that
model's own schema and cross-field rules (nothing is sent when that fails), then runs the shared task path.
"""

from __future__ import annotations

import copy
import functools

import mcp_types as types

from mcp_server.results import TASK_OUTPUT_SCHEMA
from mcp_server.specs import ModelSpec, ToolSpec, load_tool_specs
from mcp_server.tools import tasks
from mcp_server.tools.base import Call, Services, ToolDef
from mcp_server.tools.platform import CREATE
from mcp_server.validation import validate_input

MODELS_META_KEY = "unifically/models"


async def run_model_tool(spec: ToolSpec, services: Services, call: Call) -> types.CallToolResult:
    """The one handler behind every typed tool."""
    model, api_input = spec.split(call.arguments)
    model_spec = spec.models[model]
    validate_input(model_spec, api_input)
    return await run_validated(services, call, model_spec, api_input)


async def run_validated(services: Services, call: Call, model: ModelSpec, api_input: dict) -> types.CallToolResult:
    """Run the task of a validated input (typed and compact tools); its file and task references are resolved on
    the shared task path, after the duplicate check."""
    return await tasks.run_task(services, call, model.id, api_input, model.url_fields)


def family_tool(spec: ToolSpec) -> ToolDef:
    schema = copy.deepcopy(spec.input_schema)
    schema.setdefault("properties", {}).update(tasks.COMMON_PROPERTIES)
    return ToolDef(
        name=spec.name,
        description=spec.description,
        input_schema=schema,
        handler=functools.partial(run_model_tool, spec),
        toolset=spec.toolset,
        output_schema=TASK_OUTPUT_SCHEMA,
        annotations=CREATE,
        meta={MODELS_META_KEY: list(spec.models)},
        title=spec.title,
        task_support="optional",
    )


def family_tools() -> list[ToolDef]:
    return [family_tool(spec) for spec in load_tool_specs()]
