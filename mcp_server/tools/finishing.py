"""Finishing a task's result: journal what was seen, save a completed task's outputs, attach links and previews.

Saving (or, when nothing is saved, fetching previews) happens inside the call's wait budget plus `SAVE_GRACE`.
When the budget would be exceeded the result goes out at once with the output URLs, and the downloads finish in
the background (one job per task, however many calls ask): the
journal, and so a later `get_task` / `wait_for_task`, then shows the saved files. A journal that cannot be
written never costs the caller its result: the result says so instead. Outputs that were not saved (hosted
mode saves none by default) are linked all the same, `resources/read` serving them from their URLs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types

from mcp_server import errors as E
from mcp_server.attachments import PREVIEW_FETCH_SECONDS, attachments, url_attachments
from mcp_server.results import task_record, task_result
from mcp_server.tools.base import Services

log = logging.getLogger(__name__)

MAX_SAVED_OUTPUTS = 20  # files saved per task; further outputs stay reachable by URL
SAVE_GRACE = 2.0  # seconds saving may use beyond the budget (a task seen completed at the budget's very end)
STILL_SAVING = ("The outputs are still being saved in the background (the wait budget ran out); the URLs work "
                "now, and get_task or wait_for_task will show the saved files.")


async def finish(services: Services, task_id: str, model: str | None, task: dict[str, Any], *,
                 waited: float | None = None, remaining: float | None = None,
                 warnings: list[str] | None = None, journaled: str | None = None) -> types.CallToolResult:
    """The result for a task as last seen; `remaining` is how much of the wait budget saving may still use.
    `journaled`: the status the journal already holds for it (a running task's unchanged status is not
    written again)."""
    task.setdefault("task_id", task_id)
    ends = None if remaining is None else anyio.current_time() + services.time.real(max(0.0, remaining) + SAVE_GRACE)
    record = task_record(task, model, waited=waited)
    notes = list(warnings or [])
    extra: list[Any] = []
    files: list[str] | None = None
    if record["status"] == "completed" and record["urls"]:  # files saved earlier are reused, never fetched again
        known = await _journal(services.journal.get(task_id, owner=services.scope), notes)
        files = known.get("files") if known else None
        if not files and services.settings.download_outputs:
            files = await save_outputs(services, task_id, model, record["urls"], remaining, notes)
        if files:
            record["files"] = files
            extra = await attachments(task_id, [Path(f) for f in files], services.settings.previews)
        else:  # nothing saved (hosted mode, downloads off or still running): links served from the URLs
            seconds = PREVIEW_FETCH_SECONDS if ends is None else min(PREVIEW_FETCH_SECONDS,
                                                                     max(0.0, ends - anyio.current_time()))
            extra = await url_attachments(services.client.http, task_id, record["urls"][:MAX_SAVED_OUTPUTS],
                                          services.settings.previews, seconds=seconds,
                                          allow_private=services.settings.allow_private_urls)
    if not (record["status"] in ("pending", "processing") and record["status"] == journaled):
        await _journal(services.journal.update(task_id, status=record["status"], output=record["output"],
                                               error=record["error"], files=files, model=model, owner=services.owner),
                       notes)
    if notes:
        record["warnings"] = notes
    return task_result(record, extra)


async def save_outputs(services: Services, task_id: str, model: str | None, urls: list[str],
                       remaining: float | None, notes: list[str]) -> list[str] | None:
    """Save the outputs (joining a save already running for this task) for at most `remaining` seconds."""
    job = services.background.single_flight(("outputs", services.owner, task_id), _save, services, task_id,
                                            model, urls[:MAX_SAVED_OUTPUTS])
    timeout = None if remaining is None else services.time.real(max(0.0, remaining) + SAVE_GRACE)
    if not await job.wait(timeout):
        notes.append(STILL_SAVING)
        return None
    if job.error is not None:
        notes.append(f"The outputs could not be saved locally ({type(job.error).__name__}); the URLs still work.")
        return None
    return job.result or None


async def _save(services: Services, task_id: str, model: str | None, urls: list[str]) -> list[str]:
    paths = await services.outputs.download_all(model or "task", task_id, urls)
    files = [str(path) for path in paths]
    if files:  # the journal learns the files even when the call that started the download is long gone
        await _journal(services.journal.update(task_id, status="completed", files=files, model=model,
                                               owner=services.owner), [])
    return files


async def _journal(operation: Any, notes: list[str]) -> Any:
    """Run a journal read or write; a journal failure becomes a note on the result, never a failed call."""
    try:
        return await operation
    except E.UnificallyError as error:
        log.warning("journal: %s", error.message)
        note = f"The local journal could not be updated: {error.message}"
        if note not in notes:
            notes.append(note)
    return None
