"""MCP resources: model pages, task records and saved output files.

- `unifically://models/{+model_id}`: the model's full documentation page (markdown); ids contain "/".
- `unifically://tasks/{task_id}`: the journal record of a task (JSON).
- `unifically://tasks/{task_id}/files/{n}`: the n-th saved output file of a task, with its real mime type; when
  nothing was saved (hosted mode), the n-th output read from its URL into memory (capped, never onto disk).
Every task read is limited to the caller's own journal rows (`Services.scope`).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx2
import mcp_types as types
from mcp.shared.exceptions import MCPError

from mcp_server.fetching import TooLarge, fetch_capped
from mcp_server.media import HEAD_BYTES, sniff_media, sniff_mime
from mcp_server.outputs import file_uri
from mcp_server.results import find_urls
from mcp_server.savedfiles import load_saved
from mcp_server.specs import find_model
from mcp_server.tools.base import Services
from mcp_server.tools.finishing import MAX_SAVED_OUTPUTS

RESOURCE_NOT_FOUND = -32002
_MODEL = re.compile(r"^unifically://models/(?P<id>[^?#]+)$")
_TASK = re.compile(r"^unifically://tasks/(?P<id>[^/?#]+)$")
_FILE = re.compile(r"^unifically://tasks/(?P<id>[^/?#]+)/files/(?P<n>\d+)$")

TEMPLATES = [
    types.ResourceTemplate(uri_template="unifically://models/{+model_id}", name="model",
                           description="Full documentation page of a model", mime_type="text/markdown"),
    types.ResourceTemplate(uri_template="unifically://tasks/{task_id}", name="task",
                           description="Journal record of a task (status, outputs, local files)",
                           mime_type="application/json"),
    types.ResourceTemplate(uri_template="unifically://tasks/{task_id}/files/{n}", name="task-file",
                           description="The n-th output file of a task"),
]


async def list_resources(services: Services) -> list[types.Resource]:
    """Recent tasks and their saved files (each with its mime type from its first bytes; gone files are left out)."""
    resources: list[types.Resource] = []
    for row in await services.journal.list(limit=20, owner=services.scope):
        if not row["task_id"]:
            continue
        resources.append(types.Resource(uri=f"unifically://tasks/{row['task_id']}", name=f"task {row['task_id']}",
                                        description=f"{row['model']} ({row['status']})",
                                        mime_type="application/json"))
        for index, name in enumerate(row["files"] or [], start=1):
            if probed := await _probe(name):
                head, size = probed
                resources.append(types.Resource(uri=file_uri(row["task_id"], index), name=Path(name).name,
                                                mime_type=sniff_mime(head), size=size))
    return resources


async def _probe(path: str) -> tuple[bytes, int] | None:
    """A saved file's first bytes and size, or None when it is gone (or no longer a regular file)."""
    try:
        return await load_saved(path, HEAD_BYTES)
    except OSError:
        return None


async def read_resource(services: Services, uri: str) -> list[types.TextResourceContents | types.BlobResourceContents]:
    uri = unquote(uri)  # clients may percent-encode the "/" inside model ids
    if match := _MODEL.match(uri):
        spec = find_model(match["id"])
        if spec is None:
            raise MCPError(RESOURCE_NOT_FOUND, f"No documented model {match['id']!r}; list_models shows them all.")
        return [types.TextResourceContents(uri=uri, mime_type="text/markdown", text=spec.page)]
    if match := _TASK.match(uri):
        row = await services.journal.get(match["id"], owner=services.scope)
        if row is None:
            raise MCPError(RESOURCE_NOT_FOUND, f"Task {match['id']} is not in the local journal.")
        return [types.TextResourceContents(uri=uri, mime_type="application/json",
                                           text=json.dumps(row, ensure_ascii=False, indent=1))]
    if match := _FILE.match(uri):
        row = await services.journal.get(match["id"], owner=services.scope)
        files = (row or {}).get("files") or []
        index = int(match["n"])
        if not files:  # nothing saved (hosted mode): the output itself, streamed from its URL
            return [await _read_output(services, uri, match["id"], row, index)]
        if not 1 <= index <= len(files):
            raise MCPError(RESOURCE_NOT_FOUND, f"Task {match['id']} has {len(files)} saved file(s); no file {index}.")
        return [await _read_saved(services, uri, files[index - 1])]
    raise MCPError(RESOURCE_NOT_FOUND, f"Unknown resource {uri!r}.")


async def _read_saved(services: Services, uri: str, path: str) -> types.BlobResourceContents:
    """A saved output from disk: a regular file (never through a symlink), media by its bytes, under the cap."""
    cap = services.settings.max_resource_bytes
    try:
        data, size = await load_saved(path, cap + 1)
    except OSError:
        raise MCPError(RESOURCE_NOT_FOUND, f"The saved file {path} no longer exists (or is no longer a regular "
                       "file).") from None
    if size > cap or len(data) > cap:
        raise MCPError(types.INVALID_PARAMS, f"The saved file {path} is larger than {cap / 1048576:g} MB "
                       "(UNIFICALLY_MAX_RESOURCE_MB); open it from disk.")
    mime = sniff_media(data[:HEAD_BYTES])
    if mime is None:
        raise MCPError(types.INVALID_PARAMS, f"The saved file {path} is no longer an image, audio or video file; "
                       "it is not served.")
    return types.BlobResourceContents(uri=uri, mime_type=mime, blob=base64.b64encode(data).decode())


async def _read_output(services: Services, uri: str, task_id: str, row: dict[str, Any] | None, index: int
                       ) -> types.BlobResourceContents:
    """The n-th output of a task of this caller's journal, read from its URL into memory under a size cap."""
    if row is None:
        raise MCPError(RESOURCE_NOT_FOUND, f"Task {task_id} is not in the journal; get_task brings it in.")
    urls = find_urls(row.get("output"))[:MAX_SAVED_OUTPUTS]
    if not 1 <= index <= len(urls):
        raise MCPError(RESOURCE_NOT_FOUND, f"Task {task_id} has {len(urls)} output file(s); no file {index}.")
    cap = services.settings.max_resource_bytes
    try:
        data, mime = await fetch_capped(services.client.http, urls[index - 1], cap,
                                        allow_private=services.settings.allow_private_urls)
    except TooLarge:
        raise MCPError(types.INVALID_PARAMS, f"Output {index} of task {task_id} is larger than "
                       f"{cap / 1048576:g} MB (UNIFICALLY_MAX_RESOURCE_MB); fetch it from its URL: "
                       f"{urls[index - 1]}") from None
    except (httpx2.HTTPError, ValueError) as exc:
        raise MCPError(types.INTERNAL_ERROR, f"Output {index} of task {task_id} could not be fetched "
                       f"({type(exc).__name__}); its URL is {urls[index - 1]}") from None
    return types.BlobResourceContents(uri=uri, mime_type=mime, blob=base64.b64encode(data).decode())
