"""Webhooks instead of polling (hosted mode: `UNIFICALLY_PUBLIC_URL`).

A task we create carries our own callback URL, `<public url>/webhooks/unifically/<token>`, unless the caller
gave theirs (then it is sent unchanged and we poll as usual). The token is unguessable, fresh per task, and
kept only as its SHA-256, journaled with the create before it is sent.

A delivery is a hint, never trusted as such (no signature is documented, and the URL could leak):
- an unknown token, or a token that does not belong to the task the body names, is refused (404);
- it is recorded in the journal by one guarded update, so repeated deliveries (the docs warn of them) and news of
  a task already known to have ended are answered 200 and do nothing more;
- otherwise the answer is 202 at once, and the task's status is confirmed by `GET /v1/tasks/{id}`, with the
  owner's key: by the task's poller wherever it runs (a waiter here, or on another replica, which is poked), or,
  when the server acts for one user with its own key, by a read made here. In multi-user mode a key is held only
  while its owner's work runs: with no waiter anywhere the hint stays recorded, and the next waiter's first read
  confirms it. Whatever that read says is the truth: a delivery claiming `completed` for a task that is still
  running upstream changes nothing.

`routes(get_services)` is the ASGI route for the HTTP transport to mount (`get_services` returns the running
server's services, or None while it starts); `receive` is the transport-independent handler.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mcp_server.errors import UnificallyError
from mcp_server.journal.coordination import Key
from mcp_server.untrusted import is_task_id
from mcp_server.waiting import normalise_status

log = logging.getLogger(__name__)
PATH = "/webhooks/unifically/{token}"
TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")
MAX_BODY = 256 * 1024
CONFIRM_LEASE = 30.0  # real seconds the confirming read may hold the task's poller lease


@dataclass(frozen=True)
class Callback:
    url: str
    token_hash: str


class WebhookServices(Protocol):
    """What the handler uses of the server's services (`tools.base.Services`)."""

    journal: Any
    client: Any
    watchers: Any
    background: Any
    owner: str


def new_callback(public_url: str | None) -> Callback | None:
    """Our callback for a new task, or None without a public URL."""
    if not public_url:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return Callback(f"{public_url}{PATH.format(token=token)}", token_hash(token))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def receive(services: WebhookServices, token: str, body: bytes) -> tuple[int, str]:
    """Handle one delivery: (HTTP status, a word for the sender). Never raises."""
    if not TOKEN_SHAPE.fullmatch(token):
        log.warning("webhook refused: not a token of ours")
        return 404, "unknown"
    news = _parse(body)
    if news is None:
        log.warning("webhook refused: the body is not a task's news")
        return 400, "malformed"
    task_id, status = news
    try:
        hint = await services.journal.webhook_hint(token_hash(token), task_id, status)
    except UnificallyError as error:  # the sender may deliver again later
        log.warning("webhook for %s not recorded: %s", task_id, error.message)
        return 503, "unavailable"
    if hint is None:
        log.warning("webhook refused: no task of ours has this token and task id")
        return 404, "unknown"
    if not hint.fresh:
        log.info("webhook for %s: a duplicate, ignored", task_id)
        return 200, "duplicate"
    log.info("webhook for %s says %s; confirming", task_id, status)
    services.background.spawn(confirm, services, (hint.owner, hint.task_id), name=f"webhook {task_id}")
    return 202, "accepted"


async def confirm(services: WebhookServices, key: Key) -> None:
    """Have the task's status read upstream, once, by whoever may: its poller, or this server with its key.
    A failure leaves the hint recorded: the next waiter's read confirms it."""
    coordination = services.watchers.coordination
    try:
        if services.watchers.hint(key):
            return  # a waiter here: its poller reads now (or asks the replica that polls)
        if key[0] != services.owner or not services.client.has_key:
            await coordination.poke(key, hint=True)  # a replica whose waiter holds the owner's key reads
            return
        claim = await coordination.claim(key, CONFIRM_LEASE)
        if not claim.held:
            await coordination.poke(key, hint=True)  # another replica polls this task: it reads now
            return
        try:
            data = dict(await services.client.get_task(key[1]))
            data["status"] = normalise_status(data.get("status"))
            await services.journal.update(key[1], status=data["status"], owner=key[0],
                                          error=data.get("error_message") if data["status"] == "failed" else None)
            await coordination.publish(key, data)
            log.info("webhook for %s: the API says %s", key[1], data["status"])
        finally:
            await coordination.release(key)
    except UnificallyError as error:
        log.warning("webhook for %s: the status could not be confirmed: %s", key[1], error.message)
    except Exception as exc:  # the journal's coordination failed: the hint stays recorded
        log.warning("webhook for %s: the status could not be confirmed (%s)", key[1], type(exc).__name__)


def _parse(body: bytes) -> tuple[str, str] | None:
    """(task_id, normalised status) from a delivery body, or None when it is not the documented shape."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; nesting past the stack too
        return None
    if not isinstance(data, dict) or not is_task_id(data.get("task_id")):
        return None
    return str(data["task_id"]), normalise_status(data.get("status"))


def routes(get_services: Callable[[], WebhookServices | None]) -> list[Route]:
    """The webhook route, for the HTTP transport's app: `Starlette(routes=[..., *webhooks.routes(get)])`."""

    async def endpoint(request: Request) -> JSONResponse:
        services = get_services()
        if services is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return JSONResponse({"status": "too large"}, status_code=413)
        status, word = await receive(services, request.path_params["token"], body)
        return JSONResponse({"status": word}, status_code=status)

    return [Route(PATH, endpoint, methods=["POST"])]
