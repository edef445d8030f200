"""What every tool is made of: a definition (schema, annotations, handler) and the services it runs with.

Arguments are checked against the tool's JSON schema here, before a handler runs, so a bad argument never
costs a request; messages name the parameter, what was wrong and what is allowed. Clients see the portable form
of the schema (`mcp_server.portable`); the check uses the exact one, after dropping null-valued arguments.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mcp_types as types

from mcp_server.errors import InvalidInput
from mcp_server.portable import drop_nulls, portable
from mcp_server.spend import Consent, NoConsent, SessionLedger
from mcp_server.timebase import TimeBase
from mcp_server.validation import describe_schema_errors
from mcp_server.waiting import ReportFn

if TYPE_CHECKING:
    from mcp_server.background import Background
    from mcp_server.client import UnificallyClient
    from mcp_server.journal import Journal
    from mcp_server.outputs import Outputs
    from mcp_server.settings import Settings
    from mcp_server.uploads import Uploads
    from mcp_server.watching import Watchers


@dataclass
class Services:
    """Everything a handler may use; built once per server by `mcp_server.server`.

    `owner` is whose work a call is (the journal's owner column): "" for the one local user; in hosted
    multi-user mode a keyed hash of the user's own API key, and `scoped` is true so every read is
    limited to that owner's rows. `ledger` is this process's spend per owner (shared by per-owner copies)."""

    settings: Settings
    client: UnificallyClient
    journal: Journal
    outputs: Outputs
    uploads: Uploads
    background: Background
    watchers: Watchers
    owner: str = ""
    scoped: bool = False
    ledger: SessionLedger = field(default_factory=SessionLedger)

    def for_owner(self, owner: str, key: str) -> Services:
        """These services acting for one hosted user: every journal read and write limited to `owner`, every
        API call (uploads included) made with the user's own `key`. The key lives only as long as the returned
        object: the call that uses it, and any poller or download it starts."""
        client = self.client.bound(key)
        uploads = copy.copy(self.uploads)  # the same checks and roots, resolved once; only the client differs
        uploads.client = client
        return dataclasses.replace(self, client=client, uploads=uploads, owner=owner, scoped=True)

    @property
    def scope(self) -> str | None:
        """The owner journal reads are limited to; None when everything is one user's."""
        return self.owner if self.scoped else None

    @property
    def time(self) -> TimeBase:
        return self.client.time


@dataclass
class Call:
    """One tool call: its arguments, a progress reporter (a no-op when the client sent no token) and how the
    person can be asked to confirm a price (never, unless the client can show a form)."""

    arguments: dict[str, Any]
    report: ReportFn | None = None
    consent: Consent = field(default_factory=NoConsent)


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
    icons: list[types.Icon] | None = None
    # MCP Tasks (2025-11-25 `execution.taskSupport`): "optional" for the tools that create or follow a task
    task_support: str | None = None

    def to_mcp(self) -> types.Tool:
        """The published tool: its input schema in the portable form every common client accepts."""
        title = self.title or self.name.replace("_", " ").capitalize()
        execution = types.ToolExecution(task_support=self.task_support) if self.task_support else None
        return types.Tool(name=self.name, title=title, description=self.description,
                          input_schema=portable(self.input_schema), output_schema=self.output_schema,
                          annotations=self.annotations, icons=self.icons, execution=execution, _meta=self.meta)

    def check(self, arguments: dict[str, Any]) -> None:
        """Drop null-valued arguments in place, at every object level (null means "not given"), then raise
        InvalidInput listing every violation of the exact schema (unknown arguments included)."""
        drop_nulls(arguments)
        problems = describe_schema_errors(self.input_schema, arguments, self.name)
        if problems:
            raise InvalidInput(f"Invalid arguments for {self.name}:\n- " + "\n- ".join(problems))
