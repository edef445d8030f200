"""Who a request is for, in hosted multi-user mode: the caller's owner id and own API key, carried from the HTTP
layer to the handlers.

The HTTP transport (`mcp_server.transports.auth`) authenticates each request and puts a `Caller` into its ASGI
scope. `scope_to_caller`, a server middleware, hands every handler of that request the services acting for the
caller (`Services.for_owner`: journal rows, task ids, resources, files and polling limited to the owner; API
calls made with the caller's own key) and removes the key from whatever goes back. A request without a caller
(stdio, or HTTP with one shared token) runs with the server's own services, as its one user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError

from mcp_server.errors import redact
from mcp_server.tools.base import Services

SCOPE_KEY = "unifically.caller"
# Answers that are the same for everyone and never carry a caller's data: not scrubbed (tools/list is large).
STATIC_METHODS = frozenset({"initialize", "ping", "server/discover", "tools/list", "resources/templates/list",
                            "prompts/list"})


@dataclass(frozen=True)
class Caller:
    """An authenticated hosted user: `owner` is a keyed hash of `key` (never the key itself)."""

    owner: str
    key: str = field(repr=False)


def attach(scope: dict[str, Any], caller: Caller) -> None:
    """Mark an ASGI request as made by `caller` (the HTTP transport does this after authenticating it)."""
    scope[SCOPE_KEY] = caller


def caller_of(request: Any) -> Caller | None:
    """The caller of an HTTP request (`ctx.request`), None for stdio and single-user HTTP."""
    scope = getattr(request, "scope", None)
    caller = scope.get(SCOPE_KEY) if isinstance(scope, Mapping) else None
    return caller if isinstance(caller, Caller) else None


async def scope_to_caller(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Server middleware: run the request with the caller's services; their key never leaves in an answer."""
    caller = caller_of(ctx.request)
    services = ctx.lifespan_context
    if caller is None or not isinstance(services, Services):
        return await call_next(ctx)
    try:
        result = await call_next(replace(ctx, lifespan_context=services.for_owner(caller.owner, caller.key)))
    except MCPError as error:
        raise MCPError(error.code, redact(error.message, caller.key), scrub(error.data, caller.key)) from None
    return result if ctx.method in STATIC_METHODS else scrub(result, caller.key)


def scrub(value: Any, key: str) -> Any:
    """`value` (a wire answer: dicts, lists, strings) with every occurrence of `key` redacted."""
    if isinstance(value, str):
        return redact(value, key) if key in value else value
    if isinstance(value, dict):
        return {k: scrub(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, key) for v in value]
    return value
