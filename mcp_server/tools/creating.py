"""Creating a paid task exactly once: journal the intent, send one create, record the task id, whatever happens.

The journal row is written before the request is sent (no journal, no request). The create itself runs under
a shield bounded by `CREATE_SHIELD`: a client that cancels while it is in flight does not lose the task the API
is creating (and charging); the answer is awaited, its id journaled, and only then does the cancellation take
effect. A failure after the request may have arrived is never resent and stays visible as `unknown`. A journal
that fails to record the new id does not lose it either: the id goes back to the caller with a warning, and the
write is retried in the background.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import anyio

from mcp_server import errors as E
from mcp_server.tools.base import Services
from mcp_server.waiting import normalise_status
from mcp_server.webhooks import new_callback

log = logging.getLogger(__name__)

CREATE_SHIELD = 150.0  # real seconds a create may take under the shield, retries after a 429 included
JOURNAL_RETRIES = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0)
# Create failures after which the API provably holds no task: it answered with a refusal, or nothing was sent.
NOTHING_CREATED = (E.AuthError, E.InsufficientBalance, E.NotFound, E.BadRequest, E.RateLimited, E.ConnectionFailed,
                   E.MissingApiKey)
IN_FLIGHT = "interrupted while the create request was in flight; the task may exist"


@dataclass
class Created:
    task_id: str
    status: str
    warnings: list[str] = field(default_factory=list)
    webhook: bool = False  # it carries our callback URL: its webhook will say when it ends


async def create_once(services: Services, model: str, api_input: dict[str, Any], *,
                      callback_url: str | None = None, budget: float | None = None,
                      row: int | None = None) -> Created:
    """Create the task once, journaled as `row` (reserved by the spending gate) or as a new intent. Back-offs
    before a retry (after a 429, or a connection that never sent) and the retried attempt (its whole timeout,
    `create_timeout`) fit in `budget` seconds; the first attempt has its own timeout. Without a caller's callback
    URL, a hosted server (`public_url`) passes its own, journaled (hashed) before the send."""
    journal = services.journal
    ours = new_callback(services.settings.public_url) if callback_url is None else None
    if row is None:
        row = await journal.intent(model, api_input, owner=services.owner)
    if ours is not None:
        try:
            await journal.expect_webhook(row, ours.token_hash)
        except BaseException:
            await _quietly(journal.discard(row))  # nothing was sent
            raise
        callback_url = ours.url
    with anyio.CancelScope(shield=True) as shield:
        shield.deadline = anyio.current_time() + CREATE_SHIELD
        try:
            retry_until = None if budget is None else services.time.monotonic() + budget
            data = await services.client.create_task(model, api_input, callback_url=callback_url,
                                                     retry_until=retry_until)
        except NOTHING_CREATED:
            await _quietly(journal.discard(row))  # the API refused it, or it was never sent
            raise
        except E.UnificallyError as error:  # outcome unknown, or a 5xx after the request arrived
            if isinstance(error, E.ServerError):
                error.message += (" The task may or may not have been created; it was not resent. Check list_tasks "
                                  "and get_account before creating it again.")
            await _quietly(journal.unknown(row, error.message))
            raise
        except BaseException:  # the shield's own deadline, or a bug, while the request was in flight
            await _quietly(journal.unknown(row, IN_FLIGHT))
            raise
        task_id = str(data.get("task_id") or "") if isinstance(data, dict) else ""
        if not task_id:
            await _quietly(journal.unknown(row, "the API answered without a task_id"))
            raise E.ProtocolViolation(f"The API accepted the {model} request but returned no task_id; check "
                                      "list_tasks and get_account before trying again.")
        created = Created(task_id, normalise_status(data.get("status")), webhook=ours is not None)
        log.info("created task %s for %s", task_id, model)
        await _record(services, row, created)
    if shield.cancelled_caught:  # the create outlived its shield: never resent, kept as unknown
        raise E.OutcomeUnknown(f"create {model}: no answer within {CREATE_SHIELD:.0f} s; the task may or may not "
                               "exist. It was NOT resent; list_tasks shows it as unknown.")
    await anyio.lowlevel.checkpoint()  # a cancellation requested during the create takes effect now
    return created


async def _record(services: Services, row: int, created: Created) -> None:
    try:
        await services.journal.created(row, created.task_id, created.status)
    except Exception as exc:
        reason = exc.message if isinstance(exc, E.UnificallyError) else type(exc).__name__
        log.error("journal: could not record task %s (%s); retrying in the background", created.task_id, reason)
        created.warnings.append(f"The task was created (task_id {created.task_id}) but the local journal could not "
                                f"record it ({reason}); the write is retried in the background. Keep this task_id.")
        services.background.spawn(_retry_record, services, row, created, name=f"journal {created.task_id}")


async def _retry_record(services: Services, row: int, created: Created) -> None:
    for delay in JOURNAL_RETRIES:
        await services.time.sleep(delay)
        try:
            await services.journal.created(row, created.task_id, created.status)
            log.info("journal: task %s recorded after a retry", created.task_id)
            return
        except Exception as exc:
            log.warning("journal: task %s still not recorded: %s", created.task_id, exc)
    log.error("journal: gave up recording task %s; it exists upstream (get_task works with its id)",
              created.task_id)


async def _quietly(write: Any) -> None:
    """A journal write on a failure path: shielded (it must land even while the call is being cancelled); its
    own failure is logged and never hides the original error."""
    with anyio.CancelScope(shield=True):
        try:
            await write
        except Exception as exc:
            log.error("journal write failed on an error path: %s", exc)
