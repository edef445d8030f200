"""What a stream transport remembers between lines: the negotiated protocol version, and open batches.

`incoming` turns a decoded line (`wire.Frame`) into the messages to serve and the lines to answer at once;
`outgoing` turns a message of the server into the line to write, holding back answers that belong to a batch.

- JSON that is not a valid JSON-RPC message gets -32600 Invalid Request, with its id when one can be read and
  `null` otherwise. A malformed *response* (no method) is dropped and logged: a response is never answered.
- A JSON array is a batch only where the negotiated protocol has JSON-RPC batching, that is 2025-03-26 (added
  there, removed in 2025-06-18; the version is read from the server's answer to `initialize`). Its elements
  are served like single messages and the answers to its requests go out as one array once all are in (a
  request the client cancels is never answered, so the batch stops waiting for it). Elsewhere, before
  `initialize` settled a version, and for an empty array: one -32600 Invalid Request with id `null`.
- A message of the server that cannot be serialised (a string no UTF-8 can carry) never stops the transport:
  a response becomes a -32603 Internal error for its id, anything else is dropped and logged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from mcp_types import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    ErrorData,
    JSONRPCError,
    JSONRPCMessage,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
    jsonrpc_message_adapter,
)
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from mcp_server.transports.wire import Frame

log = logging.getLogger(__name__)
BATCH_VERSIONS = frozenset({"2025-03-26"})
NOT_A_MESSAGE = ('Invalid Request: expected a JSON-RPC 2.0 request or notification, e.g. {"jsonrpc": "2.0", '
                 '"id": 1, "method": "tools/list"}')


def answer(code: int, message: str, request_id: Any = None) -> str:
    """The line of a JSON-RPC error response (id null unless the request's id could be read)."""
    return dump(JSONRPCError(jsonrpc="2.0", id=request_id, error=ErrorData(code=code, message=message)))


def dump(message: JSONRPCMessage) -> str:
    return message.model_dump_json(by_alias=True, exclude_unset=True)


def _key(request_id: Any) -> str:
    return json.dumps(request_id)  # 1 and "1" are different ids


@dataclass
class _Batch:
    slots: list[str | None]  # one answer per answered element, in element order; None while awaited
    waiting: dict[str, int]  # id key of an awaited request -> its slot

    def line(self) -> str:
        return "[" + ",".join(slot for slot in self.slots if slot is not None) + "]"


class Exchange:
    def __init__(self) -> None:
        self.version: str | None = None
        self._initialize_ids: set[str] = set()
        self._batches: list[_Batch] = []

    # ----- client -> server ------------------------------------------------------------------------------
    def incoming(self, frame: Frame) -> tuple[list[JSONRPCMessage], list[str]]:
        """(messages for the server, lines to write now) for one line."""
        if frame.code is not None:
            return [], [answer(frame.code, frame.message)]
        if frame.blank:
            return [], []
        if isinstance(frame.value, list):
            return self._batch(frame.value)
        item = _validate(frame.value)
        if item is None:
            return [], []
        if isinstance(item, str):
            return [], [item]
        if isinstance(item, JSONRPCRequest) and item.method == "initialize":
            self._initialize_ids.add(_key(item.id))
        return [item], self._stop_waiting(item)

    def _batch(self, elements: list[Any]) -> tuple[list[JSONRPCMessage], list[str]]:
        if not elements:
            return [], [answer(INVALID_REQUEST, "Invalid Request: an empty batch")]
        if self.version not in BATCH_VERSIONS:
            return [], [answer(INVALID_REQUEST, f"Invalid Request: protocol {self.version or '(not yet negotiated)'} "
                                                "has no JSON-RPC batches; send one message per line")]
        batch, messages, ready = _Batch([], {}), [], []
        for element in elements:
            item = _validate(element)
            if isinstance(item, JSONRPCRequest):
                key = _key(item.id)
                if key in batch.waiting or any(key in other.waiting for other in self._batches):
                    item = answer(INVALID_REQUEST, f"Invalid Request: id {key} is already in use", item.id)
                else:
                    batch.waiting[key] = len(batch.slots)
                    batch.slots.append(None)
            if isinstance(item, str):
                batch.slots.append(item)
            elif item is not None:
                messages.append(item)
                ready += self._stop_waiting(item)
        if batch.waiting:
            self._batches.append(batch)
        elif batch.slots:
            ready.append(batch.line())
        return messages, ready

    def _stop_waiting(self, message: JSONRPCMessage) -> list[str]:
        """A cancelled request is never answered: drop it from its batch, whose line is returned if complete."""
        if isinstance(message, JSONRPCNotification) and message.method == "notifications/cancelled":
            line = self._settle(_key((message.params or {}).get("requestId")), None)
            return [line] if line else []
        return []

    # ----- server -> client ------------------------------------------------------------------------------
    def outgoing(self, message: JSONRPCMessage) -> str | None:
        """The line to write for a message of the server; None while it waits for the rest of its batch."""
        text = _dump_or_error(message)
        if text is None or not isinstance(message, JSONRPCResponse | JSONRPCError) or message.id is None:
            return text
        key = _key(message.id)
        if isinstance(message, JSONRPCResponse) and key in self._initialize_ids:
            self._initialize_ids.discard(key)
            version = message.result.get("protocolVersion")
            self.version = version if isinstance(version, str) else None
        if not any(key in batch.waiting for batch in self._batches):
            return text
        return self._settle(key, text)

    def _settle(self, key: str, text: str | None) -> str | None:
        """Fill (or drop, with text None) the awaited slot `key`; the batch's line once nothing is awaited."""
        for batch in self._batches:
            if key in batch.waiting:
                batch.slots[batch.waiting.pop(key)] = text
                if batch.waiting:
                    return None
                self._batches.remove(batch)
                return batch.line() if any(slot is not None for slot in batch.slots) else None
        return None


def _dump_or_error(message: JSONRPCMessage) -> str | None:
    """The line of a message; for a response that cannot be serialised, an Internal error for its id; None
    (logged) when not even that can be written."""
    try:
        return dump(message)
    except (PydanticSerializationError, UnicodeError, ValueError) as exc:
        failure = exc
    request_id = getattr(message, "id", None)
    log.error("a %s could not be serialised (%s); %s", type(message).__name__, failure,
              "answered with an internal error" if request_id is not None else "dropped")
    if request_id is None:
        return None
    try:
        return answer(INTERNAL_ERROR, "Internal error: the answer could not be serialised", request_id)
    except (PydanticSerializationError, UnicodeError, ValueError):
        return None


def _validate(value: Any) -> JSONRPCMessage | str | None:
    """The message, or the line answering an invalid one, or None for a malformed response (never answered)."""
    try:
        return jsonrpc_message_adapter.validate_python(value, by_name=False)
    except ValidationError:
        pass
    if isinstance(value, dict) and "method" not in value and ("result" in value or "error" in value):
        log.warning("dropped a malformed JSON-RPC response (id %r)", value.get("id"))
        return None
    request_id = value.get("id") if isinstance(value, dict) else None
    if isinstance(request_id, bool) or not isinstance(request_id, int | str):
        request_id = None
    return answer(INVALID_REQUEST, NOT_A_MESSAGE, request_id)
