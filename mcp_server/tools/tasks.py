"""The one path every task takes: pass the spending gate, create once, wait a bounded time, finish the result.

Used by every typed model tool, `create_task` and `wait_for_task`. Before anything is paid for, the gate
(`mcp_server.spend`) finds an identical recent request (whose task is continued instead), prices the request,
applies the limits, asks the person above the threshold and reserves the spend with the journal row. Creating is
`creating.create_once` (journal first, never resent after an ambiguous failure, shielded from cancellation);
finishing is `finishing.finish` (outputs saved within the budget). A task still running when the budget ends
comes back as a normal result carrying its id and the instruction to call `wait_for_task`.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import mcp_types as types

from mcp_server import errors as E
from mcp_server import spend
from mcp_server.inputs import references, resolve_ids, resolve_inputs
from mcp_server.localfiles import ReadOnce
from mcp_server.results import task_result
from mcp_server.settings import DEFAULT_MAX_WAIT, Settings
from mcp_server.specs import COMMON_ARGS, find_model
from mcp_server.spend import dedup
from mcp_server.tools.base import Call, Services
from mcp_server.tools.creating import NOTHING_CREATED, create_once
from mcp_server.tools.finishing import finish
from mcp_server.waiting import Progress

log = logging.getLogger(__name__)
STALE_READ = ("The API did not answer a status read within the wait budget; the status shown is the last one "
              "known.")


def common_properties(settings: Settings | None) -> dict[str, Any]:
    """The common arguments every task-creating tool takes, kept terse: they are repeated in every typed tool,
    and the server instructions explain them once (callback_url is the webhook, dry_run prices only,
    allow_duplicate skips the duplicate check). confirm_spend exists only where a confirmation threshold is set."""
    schemas: dict[str, Any] = {
        "callback_url": {"type": "string"},
        "dry_run": {"type": "boolean"},
        "wait_seconds": wait_schema(settings),
        "allow_duplicate": {"type": "boolean"},
        "confirm_spend": {"type": "boolean", "description": "Person agreed to the price"},
    }
    if settings is not None and settings.confirm_above is None:
        del schemas["confirm_spend"]
    return {name: schemas[name] for name in COMMON_ARGS if name in schemas}  # one list of names: specs.COMMON_ARGS


def wait_schema(settings: Settings | None) -> dict[str, Any]:
    cap = settings.max_wait_seconds if settings else DEFAULT_MAX_WAIT
    return {"type": "number", "minimum": 0, "maximum": cap, "description": "Max wait (s)"}


# With the default cap and every argument; `build_tools` applies the settings (`configure`) to the listed tools.
COMMON_PROPERTIES = common_properties(None)


def configure(schema: dict[str, Any], settings: Settings) -> None:
    """A tool's input schema as these settings show it (as `common_properties(settings)` has them): the
    configured wait cap; confirm_spend only when a confirmation threshold is set."""
    properties = schema.get("properties", {})
    if "wait_seconds" in properties:
        properties["wait_seconds"] = wait_schema(settings)
    if settings.confirm_above is None:
        properties.pop("confirm_spend", None)


def budget_for(services: Services, arguments: dict[str, Any]) -> float:
    value = arguments.get("wait_seconds")
    budget = float(services.settings.wait_seconds if value is None else value)
    if not math.isfinite(budget) or budget < 0:
        raise E.InvalidInput(f"wait_seconds: {value!r} is not a number of seconds; allowed 0–"
                             f"{services.settings.max_wait_seconds:g}")
    return min(budget, services.settings.max_wait_seconds)


async def run_task(services: Services, call: Call, model: str, api_input: dict[str, Any],
                   url_fields: tuple[str, ...] | None = None) -> types.CallToolResult:
    """Create a task (or price it with dry_run) and wait for it within the call's budget.

    `api_input` is checked but not resolved: with `url_fields` (a documented model) its local files, data URIs
    and task references are uploaded or resolved here, after the duplicate check (a repeat uploads nothing);
    without, it is sent as given."""
    args = call.arguments
    budget = budget_for(services, args)  # a bad budget is refused before anything is sent
    callback_url = args.get("callback_url")
    files = ReadOnce(services.uploads.files)  # each local file is read once: the bytes compared are those sent
    if args.get("dry_run"):
        cost = await spend.quote(services.client, model, await _resolved(services, api_input, url_fields, files),
                                 callback_url)
        record = {"task_id": None, "model": model, "status": "dry_run", "output": None, "urls": [],
                  "cost": cost, "error": None, "next_step": "Call again without dry_run to create the task."}
        return task_result(record)
    started = services.time.monotonic()

    def left() -> float:  # the gate (duplicates, price, the question) and back-offs count against the budget
        return max(0.0, budget - (services.time.monotonic() - started))

    gate = spend.Gate(services.settings, services.journal, services.client, services.ledger, owner=services.owner,
                      time=services.time, patience=budget)
    allow = bool(args.get("allow_duplicate"))
    refs = references(api_input, url_fields or ())
    request = await gate.request(model, api_input, callback_url, refs, files)
    # Found first, an identical request spares the uploads, the price and the question; without those, the
    # reservation's own atomic check is enough.
    if (refs or gate.limits.priced) and (found := await gate.duplicate(request, allow)) is not None:
        return await _same_task(services, call, found, left())
    sent = await _resolved(services, api_input, url_fields, files)
    admitted = await gate.admit(request, sent, consent=call.consent, confirmed=bool(args.get("confirm_spend")),
                                allow_duplicate=allow)
    if admitted.duplicate is not None:
        return await _same_task(services, call, admitted.duplicate, left())
    try:
        created = await create_once(services, model, sent, callback_url=callback_url, row=admitted.row,
                                    budget=left())
    except NOTHING_CREATED as error:  # refused or never sent: the reserved spend is released, nothing retried
        admitted.release()
        if isinstance(error, E.InsufficientBalance):
            await spend.explain_insufficient(error, services.client, model, sent, admitted.price)
        raise
    result = await wait(services, call, created.task_id, model, {"task_id": created.task_id,
                                                                 "status": created.status},
                        just_created=True, warnings=created.warnings + admitted.notes, budget=left(),
                        webhook=created.webhook)
    if admitted.price is not None and isinstance(result.structured_content, dict):
        result.structured_content.setdefault("cost", admitted.price)
    return result


async def _resolved(services: Services, api_input: dict[str, Any], url_fields: tuple[str, ...] | None,
                    files: ReadOnce) -> dict[str, Any]:
    if url_fields is None:
        return api_input
    return await resolve_inputs(services, await resolve_ids(services, api_input), url_fields, files)


async def _same_task(services: Services, call: Call, record: dict[str, Any], budget: float
                     ) -> types.CallToolResult:
    """Continue with the task an identical request created, instead of paying for another."""
    task_id = dedup.existing_task(record, services.time)
    first = {"task_id": task_id, "status": record["status"]} if record["status"] in ("pending", "processing") \
        else None
    return await wait(services, call, task_id, journaled_model(record), first=first,
                      age=services.time.age(record["created_at"]), warnings=[dedup.note(record, services.time)],
                      budget=budget, webhook=await _expects_webhook(services, task_id, first))


async def _expects_webhook(services: Services, task_id: str, first: dict[str, Any] | None) -> bool:
    """Whether a running task carries our callback URL (then its webhook, not polling, tells when it ends)."""
    return bool(first and services.settings.public_url) and await services.journal.expects_webhook(
        task_id, owner=services.owner)


async def wait(services: Services, call: Call, task_id: str, model: str | None,
               first: dict[str, Any] | None = None, age: float = 0.0, just_created: bool = False,
               warnings: list[str] | None = None, budget: float | None = None, webhook: bool = False,
               since: float | None = None) -> types.CallToolResult:
    """Wait up to the call's budget for a task; finish it (outputs, journal) and build the result.

    `first` is the status known before waiting (the create's answer, or the journal's); with a zero budget a
    task `just_created` is returned as created, any other gets exactly one status read. While our `webhook` is
    expected, the task is polled far apart (its delivery pokes the poller). `since`: when the call began."""
    budget = budget_for(services, call.arguments) if budget is None else budget
    spec = find_model(model) if model else None
    # The docs' typical durations shape the schedule; simulated tasks don't follow them.
    documented = spec and spec.typical_seconds and not services.settings.simulate
    typical = float(spec.typical_seconds) if documented else None
    time = services.time
    progress = Progress(call.report, clock=time.monotonic)
    started = time.monotonic()
    label = (model or "task").split("/")[-1]
    warnings = list(warnings or [])
    if first is not None and just_created and budget <= 0:
        task = first
        await progress(f"{label}: {task['status']}, task {task_id} created")
    else:
        async def record(seen: dict[str, Any]) -> None:  # every new status, as the one poller sees it
            await services.journal.update(task_id, status=seen["status"], model=model, owner=services.owner)

        try:
            task = await services.watchers.wait((services.owner, task_id), services.client.get_task, task_id,
                                                budget, progress, typical=typical, age=age, on_change=record,
                                                fallback=first, label=label, webhook=webhook, since=since)
        except E.UnificallyError as error:
            error.task_id = task_id
            raise
    remaining = budget - (time.monotonic() - started)
    if task.get("stale"):
        warnings.append(STALE_READ)
    # A running status is in the journal already: the create recorded it, or the poller did as it saw it.
    return await finish(services, task_id, model, task, waited=progress.elapsed, remaining=remaining,
                        warnings=warnings, journaled=None if task.get("stale") else task["status"])


def journaled_model(known: dict[str, Any] | None) -> str | None:
    """The model of a journal record, None when the task is not journaled or was created elsewhere."""
    return known["model"] if known and known["model"] != "unknown" else None


async def resume(services: Services, call: Call, task_id: str) -> types.CallToolResult:
    """`wait_for_task`: continue waiting for any task, journaled or not."""
    called = services.time.monotonic()  # a status read from then on is fresh for this call
    known = await services.journal.get(task_id, owner=services.scope)
    age = services.time.age(known["created_at"]) if known else 0.0
    first = {"task_id": task_id, "status": known["status"]} if known and known["status"] in (
        "pending", "processing") else None
    return await wait(services, call, task_id, journaled_model(known), first=first, age=age,
                      webhook=await _expects_webhook(services, task_id, first), since=called)
