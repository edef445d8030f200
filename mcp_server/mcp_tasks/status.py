"""What an MCP task says about itself, in either generation: ids, lifetimes, timestamps, the sentence a person
reads, and how often to poll.

Seconds here are those of the server's `TimeBase` (real, or the simulator's scaled seconds); lifetimes,
timestamps and poll intervals on the wire are real wall-clock values.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mcp_server.specs import find_model, find_tool
from mcp_server.tools.base import Services
from mcp_server.waiting import describe

WORKING = "working"
ENDED = ("completed", "failed", "cancelled")
TTL_DEFAULT_MS = 24 * 3600 * 1000  # a task handle outlives any generation by far; the journal row stays anyway
TTL_MIN_MS = 3600 * 1000  # a shorter ttl asked for is raised to this: a paid result must not expire mid-run
TTL_MAX_MS = 7 * 24 * 3600 * 1000
CANCELLED = ("Cancelled: stopped following Unifically task {task_id}. A Unifically task cannot be cancelled: it "
             "keeps running and is charged as usual; wait_for_task with task_id=\"{task_id}\" still gets its "
             "result.")


def new_id() -> str:
    """An unguessable task id (192 random bits), never the upstream id."""
    return "mt_" + secrets.token_urlsafe(24)


def ttl_for(requested: Any) -> int:
    """The lifetime granted for a requested one (ms): the default when none or nonsense, else clamped."""
    if isinstance(requested, bool) or not isinstance(requested, int | float) or requested <= 0:
        return TTL_DEFAULT_MS
    return int(min(max(requested, TTL_MIN_MS), TTL_MAX_MS))


def iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class McpTask:
    """One MCP task as the journal holds it."""

    id: str
    owner: str
    tool: str
    task_id: str | None  # the Unifically task; None for a dry run
    model: str | None
    status: str  # working | completed | failed (the tool result has isError) | cancelled
    message: str | None
    result: dict[str, Any] | None  # the final CallToolResult, wire-shaped; while working, the first answer
    ttl_ms: int | None
    created_at: float
    updated_at: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> McpTask:
        return cls(**{name: row.get(name) for name in cls.__dataclass_fields__})

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def expired(self) -> bool:
        return self.ttl_ms is not None and time.time() > self.created_at + self.ttl_ms / 1000

    @property
    def label(self) -> str:
        return (self.model or self.tool).split("/")[-1]


def typical_seconds(model: str | None) -> float | None:
    """The model's documented typical duration (the docs' figure, also against the simulator)."""
    spec = find_model(model) if model else None
    return float(spec.typical_seconds) if spec and spec.typical_seconds else None


VIDEO_EXPECTED = 100.0  # the shortest documented video duration (Veo 3.1 fast); other video models take as long


def expected_seconds(model: str | None) -> float | None:
    """How long a model's task is expected to take, for deciding whether to answer with a task: the documented
    typical duration, else for a video model the shortest one the docs give for video, else unknown."""
    typical = typical_seconds(model)
    if typical is not None or not model:
        return typical
    spec = find_model(model)
    tool = find_tool(spec.tool) if spec else None
    return VIDEO_EXPECTED if tool is not None and tool.toolset == "video" else None


def upstream_status(services: Services, task: McpTask, journaled: dict[str, Any] | None) -> str:
    """The Unifically task's latest status: the live poller's, else the journal's."""
    watch = services.watchers.peek((services.owner, task.task_id))
    if watch is not None and watch.latest is not None:
        return str(watch.latest["status"])
    return str(journaled["status"]) if journaled else "pending"


async def snapshot(services: Services, task: McpTask) -> tuple[str, float]:
    """A sentence for a person (model, status, time waited, typical duration; an ended task keeps its own) and
    when the task last changed (wall seconds; a running one changes with its Unifically task's status)."""
    if task.ended or not task.task_id:
        return task.message or f"{task.label}: {task.status}", task.updated_at
    journaled = await services.journal.get(task.task_id, owner=services.scope)
    status = upstream_status(services, task, journaled)
    waited = services.time.age(task.created_at)
    message = f"{describe(status, waited, typical_seconds(task.model), task.label)}; Unifically task {task.task_id}"
    return message, max(task.updated_at, float(journaled["updated_at"]) if journaled else 0.0)


def end_message(services: Services, task: McpTask, result: dict[str, Any]) -> str:
    """The sentence an ended task keeps."""
    waited = services.time.age(task.created_at)
    record = result.get("structuredContent") or {}
    if not result.get("isError"):
        files = len(record.get("files") or [])
        saved = f", {files} file(s) saved" if files else ""
        return f"{task.label}: completed after {waited:.0f} s{saved}; the result has the outputs"
    reason = record.get("error") or _first_text(result) or "the tool reported an error"
    return f"{task.label}: failed after {waited:.0f} s: {reason}"[:1000]


def poll_interval_ms(services: Services, task: McpTask) -> int:
    """How long a client should wait before asking again: the server's own polling gap for this task (shaped by
    its age and the model's typical duration), in real milliseconds."""
    typical = None if services.settings.simulate else typical_seconds(task.model)  # as the upstream poller does
    gap = services.watchers.schedule.next_gap(services.time.age(task.created_at), typical)
    return max(100, int(services.time.real(gap) * 1000))


def _first_text(result: dict[str, Any]) -> str | None:
    for block in result.get("content") or []:
        if isinstance(block, dict) and block.get("type") == "text" and block.get("text"):
            return str(block["text"]).splitlines()[0]
    return None
