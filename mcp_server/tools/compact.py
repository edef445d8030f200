"""The `compact` toolset: one tool per category and verb, reaching every documented model in a few tools.

For clients with a tool cap (Cursor counts 40 tools across all servers, Windsurf 50). The grouping comes from
the specs, not from a list of ids: a typed tool's category is its toolset (image, video, audio) and its verb
is the first word of its name. Verbs that make new media (`generate`, `create`, `text` as in text_to_speech,
`train`) go to `generate_<category>`; every other verb (edit, extend, upscale, restyle, separate, export, ...)
changes existing media and goes to `edit_<category>`.

Each tool takes `model` (an enum of its ids) and `input` (that model's own parameters, validated exactly as
its typed tool validates them, then resolved and run on the same path), plus the common arguments. A refusal
lists the model's parameters; describe_model gives the full documentation.
"""

from __future__ import annotations

import functools

import mcp_types as types

from mcp_server.errors import InvalidInput
from mcp_server.icons import toolset_icons
from mcp_server.results import TASK_OUTPUT_SCHEMA
from mcp_server.settings import COMPACT
from mcp_server.specs import ModelSpec, ToolSpec, load_tool_specs
from mcp_server.tools import tasks
from mcp_server.tools.base import Call, Services, ToolDef
from mcp_server.tools.family import MODELS_META_KEY, run_validated
from mcp_server.tools.platform import CREATE
from mcp_server.validation import validate_input

GENERATE_VERBS = frozenset({"generate", "create", "text", "train"})


def compact_name(spec: ToolSpec) -> str:
    """The compact tool a typed tool's models belong to, e.g. extend_video_veo -> edit_video."""
    verb = "generate" if spec.name.split("_", 1)[0] in GENERATE_VERBS else "edit"
    return f"{verb}_{spec.toolset}"


def parameters_of(model: ModelSpec) -> str:
    """One line naming a model's parameters, required ones first."""
    properties = list(model.schema.get("properties", {}))
    required = [name for name in model.schema.get("required", []) if name in properties]
    names = [f"{name} (required)" for name in required] + [name for name in properties if name not in required]
    return (f"Parameters of {model.id} (pass them inside `input`): {', '.join(names) or 'none'}. "
            f"describe_model gives their types, limits and examples.")


async def run_compact(models: dict[str, ModelSpec], services: Services, call: Call) -> types.CallToolResult:
    model = models[call.arguments["model"]]  # the tool schema's enum has already checked the id
    api_input = call.arguments.get("input", {})
    try:
        validate_input(model, api_input)
    except InvalidInput as error:
        error.message += "\n" + parameters_of(model)
        raise
    return await run_validated(services, call, model, api_input)


def compact_tool(name: str, specs: list[ToolSpec]) -> ToolDef:
    verb, category = name.split("_", 1)
    models = {model_id: model for spec in specs for model_id, model in spec.models.items()}
    families = ", ".join(spec.title for spec in specs)
    what = "Make new" if verb == "generate" else "Change existing"
    description = (f"{what} {category} with any of {len(models)} models ({families}). Pick `model` (list_models "
                   "summarises them), call describe_model for its parameters and pass them as `input`. Waits up to "
                   "wait_seconds, then returns the task_id for wait_for_task.")
    schema = {
        "type": "object",
        "properties": {
            "model": {"type": "string", "enum": list(models)},
            "input": {"type": "object", "description": "The model's parameters (describe_model lists them)"},
            **tasks.COMMON_PROPERTIES,
        },
        "required": ["model", "input"],
        "additionalProperties": False,
    }
    return ToolDef(name=name, description=description, input_schema=schema,
                   handler=functools.partial(run_compact, models), toolset=COMPACT,
                   output_schema=TASK_OUTPUT_SCHEMA, annotations=CREATE, meta={MODELS_META_KEY: list(models)},
                   title=f"{verb.capitalize()} {category}", icons=toolset_icons(category), task_support="optional")


def compact_tools() -> list[ToolDef]:
    groups: dict[str, list[ToolSpec]] = {}
    for spec in load_tool_specs():
        groups.setdefault(compact_name(spec), []).append(spec)
    return [compact_tool(name, specs) for name, specs in sorted(groups.items())]
