"""Never twice: an identical request within the window gets the task the first one created.

A client that times out and calls again, a model told to "try again", a restarted server replaying a call: the
journal holds every create with its fingerprint, so the repeat finds it and the call continues with that task
(running or completed). A repeat that arrives while the first create is still in flight waits for its task id.
A first create whose outcome is unknown is named, never silently doubled; `allow_duplicate: true` skips all of
this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp_server.spend.budget import SpendRefused

if TYPE_CHECKING:
    from mcp_server.journal import Journal
    from mcp_server.timebase import TimeBase

POLL = 0.5  # seconds (time base) between looks at a create still in flight
AGAIN = "To create another one anyway, call again with allow_duplicate: true."


def ago(record: dict[str, Any], time: TimeBase) -> str:
    seconds = time.age(float(record.get("created_at") or 0))
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def note(record: dict[str, Any], time: TimeBase) -> str:
    return (f"An identical request (same model and input) created task {record['task_id']} {ago(record, time)}; this "
            f"is that task, nothing new was created or charged. {AGAIN}")


def existing_task(record: dict[str, Any], time: TimeBase) -> str:
    """The task id an identical request created; SpendRefused when there is none to continue with."""
    status = record.get("status")
    if status == "unknown" or (status != "sending" and not record.get("task_id")):
        reason = f" ({record['error']})" if record.get("error") else ""
        raise SpendRefused(f"An identical request was sent {ago(record, time)} but its outcome is unknown{reason}: "
                           "it may exist and be charged. It was not sent again. Check list_tasks (status unknown) "
                           f"and get_account before creating it again. {AGAIN}")
    if status == "sending":
        raise SpendRefused(f"An identical request is being created right now (sent {ago(record, time)}); nothing "
                           "new was created. Call again in a moment to get its task. " + AGAIN)
    return str(record["task_id"])


async def settle(journal: Journal, record: dict[str, Any] | None, fingerprint: str, *, owner: str, since: float,
                 time: TimeBase, budget: float) -> dict[str, Any] | None:
    """The identical request once its create has left `sending` (waiting at most `budget` seconds); None when
    that create was refused and its row discarded (no task exists: the caller may create one)."""
    waited = 0.0
    while record is not None and record.get("status") == "sending" and waited < budget:
        await time.sleep(POLL)
        waited += POLL
        record = await journal.find_duplicate(fingerprint, owner=owner, since=since)
    return record
