"""The platform tools: any-model tasks, task status and waiting, uploads, resources, account, history, models."""

from __future__ import annotations

from typing import Any

import mcp_types as types

from mcp_server import errors as E
from mcp_server.client import PHRASE_LANGUAGES, RESOURCES
from mcp_server.journal import JOURNAL_STATUSES
from mcp_server.results import TASK_OUTPUT_SCHEMA, data_result
from mcp_server.specs import find_model
from mcp_server.spend.budget import account_spending, spending_line
from mcp_server.tools import tasks
from mcp_server.tools.base import Call, Services, ToolDef
from mcp_server.untrusted import check_task_id
from mcp_server.validation import documented_deviation, validate_input
from mcp_server.waiting import normalise_status

READ = types.ToolAnnotations(read_only_hint=True, open_world_hint=True)
LOCAL_READ = types.ToolAnnotations(read_only_hint=True, open_world_hint=False)
CREATE = types.ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False,
                               open_world_hint=True)
# get_task / wait_for_task save a completed task's outputs to the output dir: they write, but only new files,
# and asking again saves nothing twice.
FETCH = types.ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True,
                              open_world_hint=True)
TASK_ID = {"type": "string", "minLength": 1, "description": "Task id returned when the task was created"}


def _obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


async def create_task(services: Services, call: Call) -> types.CallToolResult:
    args = call.arguments
    api_input = args["input"]
    warnings: list[str] = []
    if spec := find_model(args["model"]):  # documented models are checked exactly like their typed tool
        try:
            validate_input(spec, api_input)
        except E.InvalidInput:
            # ...except what a docs example sends against its own page: sent as documented, with a warning
            if (refused := documented_deviation(spec, api_input)) is None:
                raise
            warnings.append(f"Sent as the docs' own example sends it ({refused['title']}, docs line "
                            f"{refused['line']}), although it contradicts {spec.id}'s parameter table: "
                            f"{refused['reason']}. The typed tool {spec.tool} refuses it; the provider may too.")
    result = await tasks.run_task(services, call, args["model"], api_input, spec.url_fields if spec else None)
    return with_warnings(result, warnings)


def with_warnings(result: types.CallToolResult, warnings: list[str]) -> types.CallToolResult:
    """The result with each warning as a text block and in ``structured_content["warnings"]``."""
    if warnings:
        result.content = [*result.content, *(types.TextContent(type="text", text=f"Warning: {w}") for w in warnings)]
        earlier = (result.structured_content or {}).get("warnings") or []
        result.structured_content = {**(result.structured_content or {}), "warnings": [*earlier, *warnings]}
    return result


async def get_task(services: Services, call: Call) -> types.CallToolResult:
    task_id = check_task_id(call.arguments["task_id"])
    known = await services.journal.get(task_id, owner=services.scope)
    try:
        task = dict(await services.client.get_task(task_id))
    except E.UnificallyError as error:
        error.task_id = task_id
        raise
    task["status"] = normalise_status(task.get("status"))
    return await tasks.finish(services, task_id, tasks.journaled_model(known), task,
                              remaining=services.settings.max_wait_seconds,
                              journaled=known["status"] if known else None)


async def wait_for_task(services: Services, call: Call) -> types.CallToolResult:
    return await tasks.resume(services, call, check_task_id(call.arguments["task_id"]))


async def upload_file(services: Services, call: Call) -> types.CallToolResult:
    args = {k: v for k, v in call.arguments.items() if v not in (None, "")}
    sources = [name for name in ("path", "base64", "url") if name in args]
    if len(sources) != 1:
        given = ", ".join(sources) or "none"
        raise E.InvalidInput(f"upload_file: give exactly one of path, base64 or url (given: {given}).")
    source = sources[0]
    uploads = services.uploads
    if source == "path":
        file_url = await uploads.upload_path(args["path"])
    elif source == "base64":
        file_url = await uploads.upload_base64(args["base64"])
    else:
        file_url = await uploads.upload_url(args["url"])
    return data_result({"file_url": file_url}, f"Uploaded ({source}). Use this URL as a model input: {file_url}")


async def get_resources(services: Services, call: Call) -> types.CallToolResult:
    name, language = call.arguments["resource"], call.arguments.get("language")
    if language and name != "suno_verification_phrase":
        raise E.InvalidInput("language: only the suno_verification_phrase resource takes a language.")
    data = await services.client.get_resource(name, language)
    return data_result(data, f"{RESOURCES[name][1]}:")


async def get_account(services: Services, call: Call) -> types.CallToolResult:
    spending = await account_spending(services.settings, services.ledger, services.journal, services.owner)
    try:
        data = await services.client.get_account()
    except E.UnificallyError as error:  # the balance is unknown; the limits and the spend are still told
        error.message = f"{error.message.rstrip('.')}. The balance could not be read. {spending_line(spending)}"
        raise
    balance = data.get("balance_usd") if isinstance(data, dict) else None
    lines = [f"Balance: ${balance} USD" if balance is not None else "Account:", spending_line(spending)]
    return data_result({**(data if isinstance(data, dict) else {"account": data}), "spending": spending},
                       "\n".join(lines))


async def list_tasks(services: Services, call: Call) -> types.CallToolResult:
    args = call.arguments
    rows = await services.journal.list(status=args.get("status"), model=args.get("model"),
                                       limit=int(args.get("limit") or 20), owner=services.scope)
    where = "" if services.scoped else f" (journal: {services.journal.description})"  # hosted users: no paths
    lines = [f"{len(rows)} task(s), newest first{where}"]
    for row in rows:
        ident = row["task_id"] or f"(no id: {row['status']})"
        lines.append(f"- {ident} {row['model']} {row['status']}" + (f": {row['error']}" if row["error"] else ""))
    return types.CallToolResult(content=[types.TextContent(type="text", text="\n".join(lines))],
                                structured_content={"tasks": rows})


def platform_tools() -> list[ToolDef]:
    resource_names = list(RESOURCES)
    return [
        ToolDef("create_task", "Run any Unifically model by id with a raw `input` object (sent unchanged; "
                "documented models are checked like their typed tool; a docs example contradicting its page is sent "
                "with a warning). Prefer the typed tools. Waits up to "
                "wait_seconds, then returns the task_id to pass to wait_for_task.",
                _obj({"model": {"type": "string", "description": "Model id, e.g. google/veo-3.1-fast"},
                      "input": {"type": "object", "description": "The model's input parameters"},
                      **tasks.COMMON_PROPERTIES}, ("model", "input")),
                create_task, output_schema=TASK_OUTPUT_SCHEMA, annotations=CREATE, task_support="optional"),
        ToolDef("get_task", "Read a task's status and outputs once.", _obj({"task_id": TASK_ID}, ("task_id",)),
                get_task, output_schema=TASK_OUTPUT_SCHEMA, annotations=FETCH),
        ToolDef("wait_for_task", "Keep waiting for a running task (any task id, also after a restart), with "
                "progress. Returns when it ends or after wait_seconds; cancelling stops only the waiting, the "
                "task keeps running upstream.",
                _obj({"task_id": TASK_ID, "wait_seconds": tasks.COMMON_PROPERTIES["wait_seconds"]}, ("task_id",)),
                wait_for_task, output_schema=TASK_OUTPUT_SCHEMA, annotations=FETCH, task_support="optional"),
        ToolDef("upload_file", "Upload a file and get a hosted file_url for model inputs. Give exactly one of "
                "path (local file inside the allowed dirs), base64 (raw or data: URI) or url.",
                _obj({"path": {"type": "string"}, "base64": {"type": "string"},
                      "url": {"type": "string", "description": "Public http(s) URL to copy"}}),
                upload_file, annotations=CREATE),
        ToolDef("get_resources", "List presets to use as model inputs: voices, motions, sounds, camera "
                "settings, or a Suno verification phrase.",
                _obj({"resource": {"type": "string", "enum": resource_names, "description": (
                    "Feeds: higgsfield_motions: motion_id; higgsfield_voices: voice_id; higgsfield_sounds: sound_id; "
                    "camera_movements: camera_motion_id; camera_settings: camera_*_id; kling_voices: Kling voice_id; "
                    "veo_voices: Veo voice; elevenlabs_voices: ElevenLabs voice; suno_verification_phrase: "
                    "phrase_id")},
                      "language": {"type": "string", "enum": list(PHRASE_LANGUAGES),
                                   "description": "suno_verification_phrase only"}}, ("resource",)),
                get_resources, annotations=READ),
        ToolDef("get_account", "Account balance (USD), spending limits and spend so far.", _obj({}), get_account,
                annotations=READ),
        ToolDef("list_tasks", "Recent tasks from the local journal (survives restarts), newest first; "
                "status 'unknown' means a create whose outcome was lost.",
                _obj({"status": {"type": "string", "enum": list(JOURNAL_STATUSES)},
                      "model": {"type": "string"},
                      "limit": {"type": "integer", "minimum": 1, "maximum": 200}}),
                list_tasks, annotations=LOCAL_READ, needs_api=False),
    ]
