"""Tool results: text for the model plus `structured_content` that matches one shared output schema.

Every task-shaped result (typed tools, `create_task`, `get_task`, `wait_for_task`) carries `task_id`, `model`,
`status` (pending | processing | completed | failed, or dry_run for a price check), the API's raw `output`, and
`urls` (every output URL found in it, in order). A failed task is an `isError` result naming the task id.
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types

from mcp_server.errors import UnificallyError

TASK_OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "task_id": {"type": ["string", "null"]},
        "model": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": ["pending", "processing", "completed", "failed", "dry_run"]},
        "output": {"type": ["object", "null"]},
        "urls": {"type": "array", "items": {"type": "string"}},
        "files": {"type": "array", "items": {"type": "string"}},
        "cost": {"type": ["number", "null"]},
        "error": {"type": ["string", "null"]},
        "next_step": {"type": ["string", "null"]},
        "warnings": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["task_id", "model", "status", "output", "urls"],
}


_ENVELOPE_KEYS = frozenset({"task_id", "status", "output", "error_message", "error", "message"})


def output_of(task: dict[str, Any]) -> dict[str, Any] | None:
    """A completed task's results: its `output` object, or for the models that put their results beside
    task_id/status instead (Suno voice, custom model), those fields."""
    if isinstance(task.get("output"), dict):
        return task["output"]
    return {k: v for k, v in task.items() if k not in _ENVELOPE_KEYS} or None


def find_urls(value: Any) -> list[str]:
    """Every http(s) URL inside an output object, depth first, in document order, without duplicates."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            if node.startswith(("http://", "https://")) and node not in found:
                found.append(node)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(value)
    return found


def task_record(task: dict[str, Any], model: str | None, *, waited: float | None = None) -> dict[str, Any]:
    """The structured content for a task as the API returned it (status already normalised)."""
    status = task.get("status", "pending")
    output = output_of(task) if status == "completed" else task.get("output")
    output = output if isinstance(output, dict) else None
    record: dict[str, Any] = {
        "task_id": task.get("task_id"),
        "model": model,
        "status": status,
        "output": output,
        "urls": find_urls(output) if output else [],
        "error": None,
        "next_step": None,
    }
    if status == "failed":
        record["error"] = str(task.get("error_message") or task.get("error") or task.get("message")
                              or "the API gave no reason")
    elif status in ("pending", "processing"):
        after = f" after {waited:.0f}s" if waited is not None else ""
        record["next_step"] = (f"The task is still {status}{after} and keeps running upstream. Call "
                               f"wait_for_task with task_id=\"{record['task_id']}\" to keep waiting; nothing is "
                               "lost and nothing is charged again.")
    return record


def task_result(record: dict[str, Any], extra: list[Any] | None = None) -> types.CallToolResult:
    """A CallToolResult for a task record; `isError` when the task failed."""
    ident = f"Task {record['task_id']} ({record['model']})" if record.get("task_id") else str(record["model"])
    status = record["status"]
    lines: list[str]
    if status == "completed":
        lines = [f"{ident} completed."]
        if record.get("files"):
            lines += ["Saved files:"] + [f"- {path}" for path in record["files"]]
        if record["urls"]:
            lines += ["Output URLs:"] + [f"- {url}" for url in record["urls"]]
        if record.get("output") and _has_data(record["output"]):
            lines.append("Output: " + json.dumps(record["output"], ensure_ascii=False)[:4000])
    elif status == "failed":
        lines = [f"{ident} failed: {record['error']}",
                 "Nothing more will happen with this task; adjust the input and create a new one."]
    elif status == "dry_run":
        cost = record.get("cost")
        price = f"would cost ${cost}" if cost is not None else "was accepted, but the API quoted no price for it"
        lines = [f"Dry run for {record['model']}: this request {price} (nothing was created or charged)."]
    else:
        lines = [f"{ident} is {status}.", record["next_step"] or ""]
    lines += [f"Note: {warning}" for warning in record.get("warnings") or []]
    content: list[Any] = [types.TextContent(type="text", text="\n".join(line for line in lines if line))]
    content += extra or []
    return types.CallToolResult(content=content, structured_content=record, is_error=status == "failed")


def _has_data(output: dict[str, Any]) -> bool:
    """True when the output holds more than URLs (lyrics, transcripts, ids the next call needs)."""
    return any(not (isinstance(v, str) and v.startswith(("http://", "https://"))) for v in output.values())


def error_result(error: UnificallyError | str, *, task_id: str | None = None) -> types.CallToolResult:
    """An `isError` result the model can act on; includes the task id when a task exists."""
    message = error.message if isinstance(error, UnificallyError) else error
    task_id = task_id or (error.task_id if isinstance(error, UnificallyError) else None)
    if task_id and task_id not in message:
        message = f"{message} (task_id: {task_id})"
    return types.CallToolResult(content=[types.TextContent(type="text", text=message)], is_error=True)


def data_result(data: Any, summary: str) -> types.CallToolResult:
    """A plain data result (resources, account, uploads): a short summary plus the JSON, structured too."""
    structured = data if isinstance(data, dict) else {"items": data}
    text = summary + "\n" + json.dumps(data, ensure_ascii=False, indent=1)[:20000]
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=structured)
