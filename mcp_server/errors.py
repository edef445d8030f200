"""One small hierarchy for everything that can go wrong on the way to the Unifically API.

Every error carries a message written for the model (and the person behind it): what happened, and what to
do next. None of them ever contains the API key: messages are built from our own text and the API's answers,
which are sanitised and redacted once on their way in (`mcp_server.untrusted`). `redact` below is the one
implementation of redaction, used there, by the log filter (`mcp_server.keys`) and at the tool boundary.
"""

from __future__ import annotations

import functools
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


REDACTED = "[redacted]"
MIN_FRAGMENT = 8  # a run of this many characters of a key is treated as the key
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


_UNSAFE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sanitize(text: str) -> str:
    """`text` without what cannot be encoded (a lone surrogate) or would forge log lines (NUL and other
    control characters but tab, CR and LF): each becomes U+FFFD."""
    return _UNSAFE.sub("\ufffd", text)


def redact(text: str, *secrets: str | None) -> str:
    """Remove every API key (and any bearer token) from text that is about to leave the server.

    The only implementation of redaction. A key is found in any case, percent-encoded or not (also partly),
    and so is any run of `MIN_FRAGMENT` or more of its characters, so that a truncated or split echo of the
    key leaves nothing behind either.
    """
    spans: list[tuple[int, int]] = []
    keys = [s for s in secrets if s and len(text) >= min(len(s), MIN_FRAGMENT)]
    if keys:
        view, origin = _decoded_view(text)
        lowered = view.translate(_ASCII_LOWER)
        for key in keys:
            spans += _fragment_spans(lowered, _pieces(key))
        if origin is not None:
            spans = [(origin[start], origin[end]) for start, end in spans]
    return _BEARER.sub(r"\1" + REDACTED, _cut(text, spans))


def _decoded_view(text: str) -> tuple[str, list[int] | None]:
    """`text` with ASCII %XX escapes decoded, and for each of its positions (plus the end) where it starts
    in `text` (None: the same place); non-ASCII escapes become NUL, which no key contains."""
    if "%" not in text:
        return text, None
    parts: list[str] = []
    origin: list[int] = []
    done = 0
    for match in _ESCAPE.finditer(text):
        parts.append(text[done:match.start()])
        origin.extend(range(done, match.start()))
        byte = int(match.group(1), 16)
        parts.append(chr(byte) if byte < 0x80 else "\0")
        origin.append(match.start())
        done = match.end()
    parts.append(text[done:])
    origin.extend(range(done, len(text) + 1))
    return "".join(parts), origin


@functools.lru_cache(maxsize=256)
def _pieces(key: str) -> tuple[str, ...]:
    """Every `MIN_FRAGMENT`-long piece of a key (the whole key, when shorter), lower-cased."""
    key = key.translate(_ASCII_LOWER)
    width = min(len(key), MIN_FRAGMENT)
    return tuple(dict.fromkeys(key[i:i + width] for i in range(len(key) - width + 1)))


def _fragment_spans(haystack: str, pieces: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where any of the pieces occurs in `haystack`."""
    spans = []
    for piece in pieces:
        found = haystack.find(piece)
        while found >= 0:
            spans.append((found, found + len(piece)))
            found = haystack.find(piece, found + 1)
    return spans


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each run of overlapping or touching spans replaced by one REDACTED."""
    if not spans:
        return text
    out, done = [], 0
    start, end = None, -1
    for s, e in sorted(spans):
        if start is not None and s <= end:
            end = max(end, e)
            continue
        if start is not None:
            out += [text[done:start], REDACTED]
            done = end
        start, end = s, e
    out += [text[done:start], REDACTED, text[end:]]
    return "".join(out)
