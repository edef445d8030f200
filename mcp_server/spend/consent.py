"""Asking the person before an expensive task: the question, and the two ways a client can carry it.

Up to 2025-11-25 the server sends `elicitation/create` during the call (`ElicitConsent`). From 2026-07-28 the
server cannot send requests, so the call answers with an `InputRequiredResult` carrying the same form, and the
client calls again with the answer (`RoundTripConsent`). The state that round trip carries names exactly this
request (model, input fingerprint, price), an expiry and a one-time token; the SDK's `RequestStateBoundary`
seals it (AES-GCM) and binds it to the tool name and arguments, and the journal accepts each token once, so an
answer can be neither altered, nor moved to another request, nor replayed for a second task.

Every path fails closed: only an explicit accept (the form's `confirm` ticked) goes ahead; a decline, a
cancel, a client without form elicitation, an error or no answer within the timeout create nothing.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import anyio
import mcp_types as types
from mcp.server.request_state import RequestStateSecurity
from mcp_types.version import is_version_at_least

from mcp_server.spend.pricing import usd
from mcp_server.timebase import REAL_TIME, TimeBase

if TYPE_CHECKING:
    from mcp_server.settings import Settings

log = logging.getLogger(__name__)
KEY = "unifically/confirm_spend"  # the input request's key in the round trip
ROUND_TRIP_VERSION = "2026-07-28"
STATE_GRACE = 60.0  # real seconds the sealed state outlives the question (so a late answer hears why)
Outcome = Literal["accept", "decline", "cancel", "timeout", "unsupported", "failed"]


@dataclass(frozen=True)
class Question:
    """What the person is asked: this model, this price, these parameters."""

    model: str
    price: float
    fingerprint: str
    parameters: tuple[str, ...] = ()
    spent: str = ""

    def message(self) -> str:
        lines = [f"Spend {usd(self.price)} on a {self.model} task?", *self.parameters]
        if self.spent:
            lines.append(f"Spent so far: {self.spent}.")
        lines.append("Nothing is created unless you accept.")
        return "\n".join(lines)

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "required": ["confirm"], "properties": {"confirm": {
            "type": "boolean", "title": f"Yes, spend {usd(self.price)}", "default": False,
            "description": f"Create the {self.model} task for {usd(self.price)}"}}}

    def elicit_request(self) -> types.ElicitRequest:
        return types.ElicitRequest(params=types.ElicitRequestFormParams(message=self.message(),
                                                                         requested_schema=self.schema()))


def main_parameters(api_input: Mapping[str, Any], limit: int = 8, width: int = 80) -> tuple[str, ...]:
    """The request's parameters as short lines for the question: the prompt first, long values cut."""
    keys = sorted(api_input, key=lambda key: (key != "prompt", list(api_input).index(key)))
    lines = []
    for key in keys[:limit]:
        value = api_input[key]
        if isinstance(value, list):
            text = f"{len(value)} item(s)" if any(isinstance(item, (dict, list)) for item in value) else \
                ", ".join(str(item) for item in value)
        else:
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
        if text.startswith("data:"):
            text = text.split(",", 1)[0] + ",..."
        lines.append(f"{key}: {text if len(text) <= width else text[:width - 3] + '...'}")
    if len(keys) > limit:
        lines.append(f"(and {len(keys) - limit} more)")
    return tuple(lines)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    token: str | None = None  # one-time: the journal refuses a second task with the same token


def decide(action: Any, content: Any, token: str) -> Decision:
    if action == "accept":
        confirmed = isinstance(content, Mapping) and content.get("confirm") is True
        return Decision("accept", token) if confirmed else Decision("decline")
    return Decision("decline" if action == "decline" else "cancel")


class Consent(Protocol):
    async def ask(self, question: Question, timeout: float) -> Decision:
        """The person's decision; `timeout` is in the server's time base."""
        ...


class NoConsent:
    """A client that cannot show a form: the answer is always no."""

    async def ask(self, question: Question, timeout: float) -> Decision:
        return Decision("unsupported")


class ElicitConsent:
    """2025-era sessions: an `elicitation/create` request sent during the call, bounded by the timeout."""

    def __init__(self, elicit: Callable[[str, dict[str, Any]], Awaitable[Any]], time: TimeBase = REAL_TIME) -> None:
        self.elicit, self.time = elicit, time

    async def ask(self, question: Question, timeout: float) -> Decision:
        result = None
        try:
            with anyio.move_on_after(self.time.real(timeout)):
                result = await self.elicit(question.message(), question.schema())
        except Exception as exc:  # an error answer, a malformed result, a lost back-channel: no consent
            log.info("confirmation failed: %s", type(exc).__name__)
            return Decision("failed")
        if result is None:
            return Decision("timeout")
        return decide(result.action, result.content, uuid.uuid4().hex)


class InputRequired(Exception):  # noqa: N818 - a result, not a failure
    """Raised by `RoundTripConsent` to end this round: the server answers the call with `result`."""

    def __init__(self, result: types.InputRequiredResult) -> None:
        super().__init__("input required")
        self.result = result


class RoundTripConsent:
    """2026-07-28 sessions: ask through an `InputRequiredResult`; decide when the client calls again."""

    def __init__(self, *, supported: bool, responses: Mapping[str, Any] | None, state: str | None,
                 time: TimeBase = REAL_TIME) -> None:
        self.supported, self.responses, self.state, self.time = supported, responses or {}, state, time

    async def ask(self, question: Question, timeout: float) -> Decision:
        recorded = _load(self.state)
        answer = self.responses.get(KEY)
        if recorded is not None and answer is not None and _names(recorded, question):
            if time.time() > recorded["exp"]:
                return Decision("timeout")
            content = answer.get("content") if isinstance(answer, Mapping) else getattr(answer, "content", None)
            action = answer.get("action") if isinstance(answer, Mapping) else getattr(answer, "action", None)
            return decide(action, content, recorded["nonce"])
        if not self.supported:
            return Decision("unsupported")
        state = {"v": 1, "fp": question.fingerprint, "model": question.model, "price": question.price,
                 "exp": time.time() + self.time.real(timeout), "nonce": uuid.uuid4().hex}
        raise InputRequired(types.InputRequiredResult(input_requests={KEY: question.elicit_request()},
                                                      request_state=json.dumps(state)))


def _load(state: str | None) -> dict[str, Any] | None:
    """Our own state (the boundary verified and unsealed it), or None for anything else."""
    try:
        data = json.loads(state) if state else None
    except ValueError:
        return None
    keys = ("fp", "model", "price", "exp", "nonce")
    return data if isinstance(data, dict) and data.get("v") == 1 and all(k in data for k in keys) else None


def _names(recorded: dict[str, Any], question: Question) -> bool:
    """True when the answered question was about exactly this request at this price."""
    return (recorded["fp"] == question.fingerprint and recorded["model"] == question.model
            and recorded["price"] == question.price)


def uses_round_trip(protocol_version: str | None) -> bool:
    return bool(protocol_version) and is_version_at_least(protocol_version, ROUND_TRIP_VERSION)


def can_show_forms(capabilities: types.ClientCapabilities | None) -> bool:
    """True when the client declared form elicitation (a bare `elicitation: {}` means form)."""
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def state_security(settings: Settings) -> RequestStateSecurity:
    """Seals the round trip's state: `UNIFICALLY_REQUEST_STATE_KEY` (shared by replicas), else a key made now."""
    ttl = settings.timebase.real(settings.confirm_timeout) + STATE_GRACE
    key = settings.request_state_key
    if key is None:
        return RequestStateSecurity.ephemeral(ttl=ttl)
    return RequestStateSecurity(keys=[key.get_secret_value()], ttl=ttl)
