"""One small hierarchy for everything that can go wrong on the way to the Unifically API.

Every error carries a message written for the model (and the person behind it): what happened, and what to
do next. None of them ever contains the API key: messages are built from our own text and the API's
`data.message`, which is scrubbed once more by `redact` before it leaves the server.
"""

from __future__ import annotations

import re


class UnificallyError(Exception):
    """Base class. `message` is safe to show; `task_id` is set when a paid task exists."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, task_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.task_id = task_id

    def __str__(self) -> str:
        return self.message


class InvalidInput(UnificallyError):
    """Arguments refused before any request is sent (schema, cross-field rule, bad file reference)."""


class MissingApiKey(UnificallyError):
    """No key configured: explain how to set it, or how to try the simulator instead."""


class AuthError(UnificallyError):
    """401: the key was refused."""


class InsufficientBalance(UnificallyError):
    """402: top up the account."""


class NotFound(UnificallyError):
    """404: unknown task or model."""


class BadRequest(UnificallyError):
    """400/422: the API refused the request; its message is kept verbatim."""


class RateLimited(UnificallyError):
    """429: `retry_after` seconds parsed from "lifted in: N seconds" when present."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, task_id: str | None = None) -> None:
        super().__init__(message, status=429, task_id=task_id)
        self.retry_after = retry_after


class ServerError(UnificallyError):
    """5xx from the API."""

    retryable = True


class ConnectionFailed(UnificallyError):
    """The request never reached the API (DNS, refused connection, TLS): nothing was created."""

    retryable = True


class OutcomeUnknown(UnificallyError):
    """A create request may have reached the API but no answer came back (timeout, dropped connection).

    It is never resent automatically: resending could pay for the same task twice.
    """


class RequestTimeout(UnificallyError):
    """A read request timed out."""

    retryable = True


class ProtocolViolation(UnificallyError):
    """The API answered with something that is not JSON or not the documented envelope."""


class TaskFailed(UnificallyError):
    """The task reached status `failed`; `message` carries the API's reason."""


class FileRejected(InvalidInput):
    """A local file, data URI or task reference that cannot be used (outside allowed dirs, too large, ...)."""


_LIFTED_IN = re.compile(r"lifted in:?\s*(\d+(?:\.\d+)?)\s*(second|sec|s\b|minute|min)", re.IGNORECASE)


def parse_lifted_in(message: str) -> float | None:
    """Seconds from the API's "...will be lifted in: 45 seconds" rate-limit message, if present."""
    match = _LIFTED_IN.search(message or "")
    if not match:
        return None
    value = float(match.group(1))
    return value * 60 if match.group(2).lower().startswith("min") else value


def redact(text: str, secret: str | None) -> str:
    """Remove the API key (and any bearer token) from text that is about to leave the server."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return re.sub(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}", r"\1[redacted]", text)
