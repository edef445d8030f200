"""What every tool is made of: a definition (schema, annotations, handler) and the services it runs with.

Arguments are checked against the tool's JSON schema here, before a handler runs, so a bad argument never
costs a request; messages name the parameter, what was wrong and what is allowed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mcp_types as types
from jsonschema import Draft202012Validator

from mcp_server.errors import InvalidInput
from mcp_server.waiting import ReportFn

if TYPE_CHECKING:
    from mcp_server.client import UnificallyClient
    from mcp_server.journal import Journal
    from mcp_server.outputs import Outputs
    from mcp_server.settings import Settings
    from mcp_server.uploads import Uploads


@dataclass
class Services:
    """Everything a handler may use; built once per server by `mcp_server.server`."""

    settings: Settings
    client: UnificallyClient
    journal: Journal
    outputs: Outputs
    uploads: Uploads


@dataclass
class Call:
    """One tool call: its arguments and a progress reporter (a no-op when the client sent no token)."""

    arguments: dict[str, Any]
    report: ReportFn | None = None


Handler = Callable[[Services, Call], Awaitable[types.CallToolResult]]


@dataclass
class ToolDef:
    name: str
    description: str
    input_schema: dict[str, Any]
    handler: Handler
    toolset: str = "platform"
    output_schema: dict[str, Any] | None = None
    annotations: types.ToolAnnotations | None = None
    meta: dict[str, Any] | None = None
    title: str | None = None
    needs_api: bool = True  # False for tools answered locally (journal, catalog): they work without a key
    _validator: Draft202012Validator | None = field(default=None, repr=False)

    def to_mcp(self) -> types.Tool:
        return types.Tool(name=self.name, title=self.title, description=self.description,
                          input_schema=self.input_schema, output_schema=self.output_schema,
                          annotations=self.annotations, _meta=self.meta)

    def check(self, arguments: dict[str, Any]) -> None:
        """Raise InvalidInput listing every schema violation of `arguments`."""
        if self._validator is None:
            self._validator = Draft202012Validator(self.input_schema)
        problems = [describe_schema_error(err) for err in
                    sorted(self._validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))]
        if problems:
            raise InvalidInput(f"Invalid arguments for {self.name}:\n- " + "\n- ".join(problems))


def describe_schema_error(error: Any) -> str:
    """One line naming the parameter, what was wrong, and what is allowed."""
    path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in error.absolute_path).replace(".[", "[")
    where = path or "arguments"
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind, value = error.validator, error.instance
    if kind == "required":
        missing = [name for name in error.validator_value if not isinstance(value, dict) or name not in value]
        prefix = f"{where}." if path else ""
        return "; ".join(f"{prefix}{name}: required but missing" for name in missing)
    if kind == "additionalProperties":
        allowed = ", ".join(sorted(schema.get("properties", {}))) or "none"
        extra = sorted(set(value) - set(schema.get("properties", {}))) if isinstance(value, dict) else []
        return f"{where}: unknown parameter(s) {', '.join(map(repr, extra))}; allowed: {allowed}"
    if kind == "enum":
        return f"{where}: {value!r} is not allowed; allowed: {', '.join(map(repr, error.validator_value))}"
    if kind == "type":
        return f"{where}: expected {error.validator_value}, got {type(value).__name__} {_short(value)}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        bounds = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
        return f"{where}: {value!r} is out of range; allowed {bounds}"
    if kind in ("maxLength", "minLength"):
        return f"{where}: length {len(value)} is not allowed; {kind} is {error.validator_value} characters"
    if kind in ("maxItems", "minItems"):
        return f"{where}: {len(value)} item(s) given; {kind} is {error.validator_value}"
    if kind == "oneOf" and isinstance(error.validator_value, list):
        return f"{where}: {error.message}"
    return f"{where}: {error.message}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
