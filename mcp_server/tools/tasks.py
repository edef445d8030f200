"""The one path every task takes: journal the intent, create once, wait a bounded time, finish the result.

Used by every typed model tool, `create_task` and `wait_for_task`. A create is journaled before it is sent
and never resent after an ambiguous failure; a task still running when the budget ends comes back as a normal
result carrying its id and the instruction to call `wait_for_task`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types

from mcp_server import errors as E
from mcp_server.results import task_record, task_result
from mcp_server.settings import MAX_WAIT_SECONDS
from mcp_server.specs import COMMON_ARGS, find_model
from mcp_server.tools.base import Call, Services
from mcp_server.waiting import Progress, normalise_status, poll_until_done

log = logging.getLogger(__name__)

# The common arguments every task-creating tool takes, kept terse: they are repeated in every typed tool,
# and the server instructions explain them once (callback_url is the webhook, dry_run prices only).
_COMMON_SCHEMAS: dict[str, Any] = {
    "callback_url": {"type": "string"},
    "dry_run": {"type": "boolean", "description": "Only price it"},
    "wait_seconds": {"type": "number", "minimum": 0, "maximum": MAX_WAIT_SECONDS, "description": "Max wait (s)"},
}
# One list of names (specs.COMMON_ARGS, which ToolSpec.split strips from the API input), schemas from here.
COMMON_PROPERTIES = {name: _COMMON_SCHEMAS[name] for name in COMMON_ARGS}
# Create failures after which the API provably holds no task: it answered with a refusal, or nothing was sent.
NOTHING_CREATED = (E.AuthError, E.InsufficientBalance, E.NotFound, E.BadRequest, E.RateLimited, E.ConnectionFailed,
                   E.MissingApiKey)


def budget_for(services: Services, arguments: dict[str, Any]) -> float:
    value = arguments.get("wait_seconds")
    return float(services.settings.wait_seconds if value is None else value)


async def run_task(services: Services, call: Call, model: str, api_input: dict[str, Any]) -> types.CallToolResult:
    """Create a task (or price it with dry_run) and wait for it within the call's budget."""
    args = call.arguments
    client, journal = services.client, services.journal
    if args.get("dry_run"):
        data = await client.create_task(model, api_input, callback_url=args.get("callback_url"), dry_run=True)
        cost = data.get("cost") if isinstance(data, dict) else None
        record = {"task_id": None, "model": model, "status": "dry_run", "output": None, "urls": [],
                  "cost": cost, "error": None, "next_step": "Call again without dry_run to create the task."}
        return task_result(record)
    row = await journal.intent(model, api_input)
    try:
        data = await client.create_task(model, api_input, callback_url=args.get("callback_url"))
    except NOTHING_CREATED:
        await journal.discard(row)  # the API refused it, or it was never sent
        raise
    except E.UnificallyError as error:  # outcome unknown, or a 5xx after the request arrived
        if isinstance(error, E.ServerError):
            error.message += (" The task may or may not have been created; it was not resent. Check list_tasks and "
                              "get_account before creating it again.")
        await journal.unknown(row, error.message)
        raise
    except BaseException:  # cancelled (or a bug) while the request was in flight: keep it visible
        with anyio.CancelScope(shield=True):
            await journal.unknown(row, "interrupted while the create request was in flight; the task may exist")
        raise
    task_id = str(data.get("task_id") or "")
    if not task_id:
        await journal.unknown(row, "the API answered without a task_id")
        raise E.ProtocolViolation(f"The API accepted the {model} request but returned no task_id; check "
                                  "list_tasks and get_account before trying again.")
    status = normalise_status(data.get("status"))
    await journal.created(row, task_id, status)
    log.info("created task %s for %s", task_id, model)
    return await wait(services, call, task_id, model, {"task_id": task_id, "status": status}, age=0.0)


async def wait(services: Services, call: Call, task_id: str, model: str | None,
               first: dict[str, Any] | None = None, age: float = 0.0) -> types.CallToolResult:
    """Wait up to the call's budget for a task; finish it (outputs, journal) and build the result."""
    budget = budget_for(services, call.arguments)
    spec = find_model(model) if model else None
    # The docs' typical durations shape the schedule; simulated tasks don't follow them.
    documented = spec and spec.typical_seconds and not services.settings.simulate
    typical = float(spec.typical_seconds) if documented else None
    progress = Progress(call.report, clock=services.time.monotonic)
    if first is not None and budget <= 0:
        task = first
        await progress(f"{task['status']} - task {task_id} created")
    else:
        try:
            task = await poll_until_done(services.client.get_task, task_id, budget=budget, progress=progress,
                                         typical=typical, age=age, clock=services.time.monotonic,
                                         sleep=services.time.sleep)
        except E.UnificallyError as error:
            error.task_id = task_id
            raise
    return await finish(services, task_id, model, task, waited=progress.elapsed)


async def finish(services: Services, task_id: str, model: str | None, task: dict[str, Any],
                 waited: float | None = None) -> types.CallToolResult:
    """Journal what was seen; for a completed task, save the outputs and attach links and previews."""
    task.setdefault("task_id", task_id)
    record = task_record(task, model, waited=waited)
    extra: list[Any] = []
    known = await services.journal.get(task_id)
    files: list[str] | None = None
    if record["status"] == "completed" and record["urls"]:
        if known and known.get("files"):
            files = known["files"]
        elif services.settings.download_outputs:
            paths = await services.outputs.download_all(model or "task", task_id, record["urls"])
            files = [str(path) for path in paths]
        if files:
            record["files"] = files
            extra += await services.outputs.attachments(task_id, [Path(f) for f in files])
    await services.journal.update(task_id, status=record["status"], output=record["output"], error=record["error"],
                                  files=files, model=model)
    return task_result(record, extra)


def journaled_model(known: dict[str, Any] | None) -> str | None:
    """The model of a journal record, None when the task is not journaled or was created elsewhere."""
    return known["model"] if known and known["model"] != "unknown" else None


async def resume(services: Services, call: Call, task_id: str) -> types.CallToolResult:
    """`wait_for_task`: continue waiting for any task, journaled or not."""
    known = await services.journal.get(task_id)
    age = services.time.age(known["created_at"]) if known else 0.0
    return await wait(services, call, task_id, journaled_model(known), age=age)
