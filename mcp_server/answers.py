"""What an API answer means: the `{success, code, data}` envelope, the upload shape, or a mapped error.

The body reaching here is already decoded and cleaned (`mcp_server.untrusted`). For a create, only a provable
refusal counts as "nothing created": an HTTP 408 or 5xx is ambiguous whatever code the body names, and an
envelope whose `success` is not a boolean is unreadable. Error messages are found in every shape an API or a
proxy in front of it uses: the envelope's `data.message`, `{"error": {"message"}}`, `{"error": "..."}`,
`{"message": ...}`, `{"detail": ...}` (also FastAPI's list of problems), or plain text.
"""

from __future__ import annotations

from typing import Any

from mcp_server import errors as E

SNIPPET = 300  # characters of an unrecognised error body quoted in a message


def parse_answer(status: int, body: Any, text: str, reason: str, *, what: str, creates_task: bool = False,
                 upload: bool = False, task_read: bool = False) -> Any:
    """The `data` of a successful answer, or raise the mapped error. `body` is the cleaned JSON (None when
    the body was not JSON), `text` the cleaned body as text."""
    if isinstance(body, dict) and isinstance(body.get("success"), bool):
        data = body.get("data")
        if body["success"] is True and status < 400:
            return body if upload and "file_url" in body else data
        code = body.get("code") if isinstance(body.get("code"), int) and body.get("code") >= 400 else status
        message = message_of(data) or message_of(body)
        if task_read and isinstance(data, dict) and str(data.get("status", "")).lower() == "failed":
            return {**data, "error_message": message}  # some models report a failed task as an error answer
        if creates_task and 408 in (code, status):
            raise E.OutcomeUnknown(outcome_unknown_message(what, f"HTTP 408: {message or 'request timeout'}"))
        if creates_task and status >= 500:
            code = status  # the HTTP layer failed, whatever the body claims: the create may have arrived
        raise error_for(code if code >= 400 else 400, message or "no message", what)
    if status == 408 and creates_task:
        raise E.OutcomeUnknown(outcome_unknown_message(what, "HTTP 408 request timeout"))
    if status >= 400:
        message = message_of(body) if body is not None else None
        raise error_for(status, message or _snippet(text if body is None else str(body)) or reason, what)
    described = message_of(body) if body is not None else None
    detail = f": {described}" if described else ""
    if creates_task:
        raise E.OutcomeUnknown(outcome_unknown_message(what, f"unreadable HTTP {status} answer{detail}"))
    kind = "a non-JSON body" if body is None else "JSON outside the documented envelope"
    raise E.ProtocolViolation(f"{what}: the API answered HTTP {status} with {kind}{detail}; cannot interpret it.")


def message_of(node: Any) -> str | None:
    """The error message in any of the shapes listed in the module docstring, else None."""
    if not isinstance(node, dict):
        return None
    for field in ("message", "error", "detail", "error_message", "msg"):
        value = node.get(field)
        if isinstance(value, str) and value.strip():
            return _snippet(value)
        if isinstance(value, dict) and (inner := message_of(value)):
            return inner
        if isinstance(value, list) and value:
            parts = [message_of(item) or (item if isinstance(item, str) else None) for item in value]
            if found := [part for part in parts if part]:
                return _snippet("; ".join(found))
    return None


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "..."


def error_for(status: int, message: str, what: str) -> E.UnificallyError:
    """The error class and message for an API error status."""
    if status == 401:
        return E.AuthError(f"The Unifically API refused the API key (401: {message}). Check the key: "
                           "UNIFICALLY_API_KEY for a server you run yourself, or, for a hosted server, the key your "
                           "client sends (X-Unifically-Key); keys come from https://unifically.com/dashboard.",
                           status=401)
    if status == 402:
        return E.InsufficientBalance(f"Insufficient balance (402: {message}). Top up at "
                                     "https://unifically.com/dashboard; get_account shows the balance and "
                                     "dry_run=true shows a request's price.", status=402)
    if status == 404:
        return E.NotFound(f"{what}: not found (404: {message}). Check the task id (list_tasks shows recent "
                          "tasks) or the model id (list_models shows every model).", status=404)
    if status == 408:
        return E.RequestTimeout(f"{what}: the API timed out (408: {message}).", status=408)
    if status == 429:
        seconds = E.parse_lifted_in(message)
        hint = f" Try again in {seconds:g} s." if seconds is not None else " Try again shortly."
        return E.RateLimited(f"Rate limited by the Unifically API (429: {message}).{hint}", retry_after=seconds)
    if status >= 500:
        return E.ServerError(f"{what}: the Unifically API failed with HTTP {status}: {message}", status=status)
    return E.BadRequest(f"{what}: the API rejected the request ({status}): {message}", status=status)


def outcome_unknown_message(what: str, reason: str) -> str:
    return (f"{what}: the request was sent but no usable answer came back ({reason}). The task may or may not "
            "have been created (and charged); it was NOT resent, to avoid paying twice. Check list_tasks or "
            "get_account (balance) before creating it again.")
