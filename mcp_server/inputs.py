"""Media inputs from anywhere: every URL-typed input also takes a local path, a `data:` URI or `task:<id>[#n]`.

The URL fields come from the specs (`ModelSpec.url_fields`, e.g. `elements[].image_urls[]`), not a hand list.
Resolution is two-phase: first every reference is checked (a local file is read once, under the rules of
`mcp_server.localfiles`; a data URI decodes to media; task completed and index in range) so that a bad one
fails before anything is uploaded or created; then exactly the checked bytes are uploaded and references
replaced by plain URLs. `resolve_ids` does the same for the id inputs
that name an earlier task (`task_id`) or one of its Suno clips (`clip_id`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from mcp_server.errors import FileRejected, UnificallyError
from mcp_server.localfiles import ReadOnce
from mcp_server.results import find_urls, output_of
from mcp_server.tools.base import Services
from mcp_server.uploads import Prepared
from mcp_server.waiting import normalise_status

_TASK_REF = re.compile(r"^task:(?P<id>[^#\s]+)(?:#(?P<n>\d+))?$")


def _visit(node: Any, parts: list[str], where: str, fn: Callable[[str, str], None]) -> None:
    """Call fn(value, dotted_path) for each string at `parts` (a url_fields path split on '.') inside node."""
    if not parts or not isinstance(node, dict):
        return
    head, rest = parts[0], parts[1:]
    is_list = head.endswith("[]")
    key = head[:-2] if is_list else head
    if key not in node:
        return
    value, path = node[key], f"{where}.{key}" if where else key
    items = list(enumerate(value)) if is_list and isinstance(value, list) else [(None, value)]
    for index, item in items:
        item_path = f"{path}[{index}]" if index is not None else path
        if rest:
            _visit(item, rest, item_path, fn)
        elif isinstance(item, str):
            fn(item, item_path)


def references(api_input: dict[str, Any], url_fields: tuple[str, ...]) -> list[tuple[str, str]]:
    """(value, path) of every URL-typed input whose value is not already an http(s) URL."""
    found: list[tuple[str, str]] = []
    for field in url_fields:
        _visit(api_input, field.split("."), "", lambda value, path: found.append((value, path)))
    return [(value, path) for value, path in found if not value.startswith(("http://", "https://"))]


def _replace(node: Any, path: str, url: str) -> None:
    tokens = re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    for key, index in tokens[:-1]:
        node = node[int(index)] if index else node[key]
    key, index = tokens[-1]
    node[int(index) if index else key] = url


async def completed_output(services: Services, task_id: str, value: str, param: str) -> dict[str, Any]:
    """The output of a completed task: from the journal, else from the API."""
    known = await services.journal.get(task_id, owner=services.scope)
    if known and known["status"] == "completed" and known.get("output"):
        return known["output"]
    try:
        task = await services.client.get_task(task_id)
    except UnificallyError as error:
        raise FileRejected(f"{param}: cannot use {value!r}: {error.message}") from None
    status = normalise_status(task.get("status"))
    if status != "completed":
        raise FileRejected(f"{param}: task {task_id} is {status}, not completed; wait_for_task first.")
    return output_of(task) or {}


async def task_output_url(services: Services, value: str, param: str) -> str:
    """The URL behind `task:<id>[#n]`; the task must be completed and have an n-th output."""
    match = _TASK_REF.match(value)
    assert match is not None
    task_id, index = match["id"], int(match["n"] or 1)
    urls = find_urls(await completed_output(services, task_id, value, param))
    if not 1 <= index <= len(urls):
        raise FileRejected(f"{param}: task {task_id} has {len(urls)} output(s); #{index} is out of range "
                           f"(use task:{task_id}#1..#{len(urls)}).")
    return urls[index - 1]


async def resolve_inputs(services: Services, api_input: dict[str, Any], url_fields: tuple[str, ...],
                         files: ReadOnce | None = None) -> dict[str, Any]:
    """A copy of api_input with every local path, data URI and task reference replaced by a URL."""
    refs = references(api_input, url_fields)
    if not refs:
        return api_input
    uploads = services.uploads
    resolved: dict[str, str] = {}
    pending: list[tuple[Prepared, str]] = []
    for value, path in refs:  # phase 1: check everything before anything is sent
        if _TASK_REF.match(value):
            resolved[path] = await task_output_url(services, value, path)
        else:  # a local file is read here, once: phase 2 sends these bytes and never reopens the path
            pending.append((await uploads.prepare(value, path, files), path))
    for item, path in pending:  # phase 2: upload
        resolved[path] = await uploads.send(item)
    result = copy.deepcopy(api_input)
    for path, url in resolved.items():
        _replace(result, path, url)
    return result


async def resolve_ids(services: Services, api_input: dict[str, Any]) -> dict[str, Any]:
    """`task:<id>` in a `task_id` input becomes the id of that completed task; `task:<id>[#n]` in a `clip_id`
    input becomes the n-th Suno clip of that task. Plain ids are sent as given."""
    result = api_input
    for param in ("task_id", "clip_id"):
        value = api_input.get(param)
        match = _TASK_REF.match(value) if isinstance(value, str) else None
        if not match:
            continue
        output = await completed_output(services, match["id"], value, param)
        if param == "task_id":
            if match["n"]:
                raise FileRejected(f"task_id: {value!r} names an output; give the task as task:{match['id']}.")
            resolved = match["id"]
        else:
            clips = [c.get("clip_id") or c.get("id") for c in output.get("clips", []) if isinstance(c, dict)]
            index = int(match["n"] or 1)
            if not 1 <= index <= len(clips):
                raise FileRejected(f"clip_id: task {match['id']} has {len(clips)} clip(s); #{index} is out of range.")
            resolved = clips[index - 1]
        result = {**result, param: resolved}
    return result
