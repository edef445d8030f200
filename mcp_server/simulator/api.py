"""Routes of the simulated api.unifically.com: tasks, account, resources, and the served files."""

from __future__ import annotations

import json
import re
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import envelope
from .catalog import kind_of, price_of
from .media import content_type_for, sample_bytes
from .outputs import OutputBuilder
from .resources import STATIC_RESOURCES, VERIFICATION_PHRASE_PATH, VERIFICATION_PHRASES, verification_phrase
from .state import SimState
from .webhooks import WebhookSender

OUTPUT_FILE = re.compile(r"^out-(?P<task_id>[0-9a-f-]{36})-\d+\.(?P<ext>png|wav|mp4)$")
USER_ID = 12345
EMAIL = "simulator@example.com"


def base_url(request: Request) -> str:
    """Scheme and Host of the request, so generated URLs work in-process and on loopback alike."""
    return str(request.base_url).rstrip("/")


class ApiRoutes:
    """Handlers bound to one ``SimState``."""

    def __init__(self, state: SimState, webhooks: WebhookSender) -> None:
        self.state = state
        self.webhooks = webhooks

    def routes(self) -> list[BaseRoute]:
        """Starlette routes for every API endpoint (auth is enforced by the middleware)."""
        routes: list[BaseRoute] = [
            Route("/v1/tasks", self.create_task, methods=["POST"]),
            Route("/v1/tasks/{task_id}", self.get_task, methods=["GET"]),
            Route("/account", self.account, methods=["GET"]),
            Route("/v1/account", self.account, methods=["GET"]),
            Route(VERIFICATION_PHRASE_PATH, self.phrase, methods=["GET"]),
            Route("/files/{name}", self.file, methods=["GET"]),
        ]
        routes += [Route(path, self.static_resource, methods=["GET"]) for path in STATIC_RESOURCES]
        return routes

    async def create_task(self, request: Request) -> JSONResponse:
        """``POST /v1/tasks``: validate, price, and create (or only price, with ``dry_run``)."""
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return envelope.error(400, "Invalid JSON body")
        problem = _validate_create(body)
        if problem is not None:
            return envelope.error(422, problem)
        model: str = body["model"]
        kind = kind_of(model)
        if kind is None:
            return envelope.error(404, f"Model not found: {model}")
        cost = price_of(model, self.state.config.prices)
        if body.get("dry_run") is True:
            return envelope.ok({"cost": cost})
        if self.state.balance_usd < cost:
            return envelope.error(402, "Insufficient balance")
        task = self.state.create_task(model, kind, body["input"], body.get("callback_url"), cost)
        self.webhooks.expect(task, base_url(request))
        if self.state.config.state_path is not None:
            await anyio.to_thread.run_sync(self.state.write, self.state.snapshot())
        return envelope.ok({"task_id": task.task_id, "status": "pending"})

    async def get_task(self, request: Request) -> JSONResponse:
        """``GET /v1/tasks/{task_id}``: status computed from the clock; output once completed."""
        task = self.state.tasks.get(request.path_params["task_id"])
        if task is None:
            return envelope.error(404, "Task not found")
        status = task.status_at(self.state.now())
        data: dict[str, Any] = {"task_id": task.task_id, "status": status}
        if status == "completed":
            data.update(OutputBuilder(task, base_url(request)).completed_fields())
        elif status == "failed":
            message = task.fail_message or "Task failed"
            if task.model == "suno-ai/voice":  # documented: a rejected voice answers 400 on the status poll
                return envelope.error(400, message, status="failed", task_id=task.task_id)
            data["error_message"] = message
        return envelope.ok(data)

    async def account(self, request: Request) -> JSONResponse:
        """``GET /account`` (documented) and ``GET /v1/account``."""
        return envelope.ok(
            {
                "user_id": USER_ID,
                "balance_usd": round(self.state.balance_usd, 4),
                "email": EMAIL,
                "created_at": self.state.created_wall,
                "updated_at": self.state.updated_wall,
            }
        )

    async def static_resource(self, request: Request) -> JSONResponse:
        """The eight resource lists with fixed sample data."""
        return envelope.ok(STATIC_RESOURCES[request.url.path])

    async def phrase(self, request: Request) -> JSONResponse:
        """Suno voice verification phrase in the requested ``language`` (default ``en``)."""
        language = request.query_params.get("language", "en")
        phrase = verification_phrase(language)
        if phrase is None:
            allowed = ", ".join(VERIFICATION_PHRASES)
            return envelope.error(422, f"Invalid parameter: language must be one of {allowed}")
        return envelope.ok(phrase)

    async def file(self, request: Request) -> Response:
        """``GET /files/{name}`` (no auth): an uploaded file, or the sample media behind a task output URL."""
        name = request.path_params["name"]
        found = lookup_file(self.state, name)
        if found is None:
            return envelope.upload_error(404, f"File not found: {name}")
        return Response(found[0], media_type=found[1])


def lookup_file(state: SimState, name: str) -> tuple[bytes, str] | None:
    """Bytes and content type served at ``/files/<name>``: an upload or a task output's sample media."""
    stored = state.uploads.get(name)
    if stored is not None:
        return stored.content, stored.content_type
    match = OUTPUT_FILE.match(name)
    if match is not None and match["task_id"] in state.tasks:
        return sample_bytes(match["ext"]), content_type_for(match["ext"])
    return None


def _validate_create(body: Any) -> str | None:
    """The 422 message for a malformed create-task body, or None when it is well-formed."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    if body.get("model") in (None, ""):
        return "Missing required parameter: model"
    if not isinstance(body["model"], str):
        return "Invalid parameter: model must be a string"
    if body.get("input") is None:
        return "Missing required parameter: input"
    if not isinstance(body["input"], dict):
        return "Invalid parameter: input must be an object"
    if body.get("callback_url") is not None and not isinstance(body["callback_url"], str):
        return "Invalid parameter: callback_url must be a string"
    if body.get("dry_run") is not None and not isinstance(body["dry_run"], bool):
        return "Invalid parameter: dry_run must be a boolean"
    return None
