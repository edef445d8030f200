"""The only wiring point: settings + transport in, a lowlevel MCP `Server` out.

Tools are data (`mcp_server.tools`), their JSON schemas passed straight through; arguments are validated here
before any handler runs. Every failure of a tool becomes an `isError` result the model can act on (never a
stack trace); protocol errors are kept for protocol faults (an unknown tool name).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.request_state import RequestStateBoundary
from mcp.shared.exceptions import MCPError

from mcp_server import __version__, resources, spend, versions
from mcp_server.background import Background
from mcp_server.callers import scope_to_caller
from mcp_server.client import UnificallyClient, missing_key_message
from mcp_server.completions import Completer
from mcp_server.errors import MissingApiKey, UnificallyError, redact
from mcp_server.icons import server_icons
from mcp_server.journal import open_journal
from mcp_server.mcp_tasks import EXTENSION, TasksMiddleware
from mcp_server.outputs import Outputs
from mcp_server.prompts import Prompts
from mcp_server.results import error_result
from mcp_server.settings import Settings
from mcp_server.tools import build_tools
from mcp_server.tools.base import Call, Services
from mcp_server.untrusted import encodable
from mcp_server.uploads import Uploads
from mcp_server.watching import Watchers

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Unifically runs ~100 AI media models (video, image, audio) through one API. Use the typed tool of a model "
    "family{catalog}{any_model}."
)
TASKS = (
    " Generation takes 10 s to 5 min: a tool waits up to wait_seconds and then returns the task_id; call "
    "wait_for_task to keep waiting. Local files, data: URIs and task:<id>[#n] outputs of earlier tasks can be given "
    "wherever a URL is expected. dry_run=true prices a request without creating it; callback_url gets a webhook "
    "when the task ends. Every task costs money: repeating a request returns the task it already created "
    "(allow_duplicate=true makes another); a refusal for a spending limit is final."
)
CONFIRM = (" Above a price threshold the person is asked to confirm first; where the client cannot show that form, "
           "confirm_spend=true goes ahead, only after the person agreed to the price in chat.")


def instructions(settings: Settings, tools: Mapping[str, Any] | None = None) -> str:
    """The server instructions, naming only tools of the selection (`tools`; None: every tool)."""
    def has(name: str) -> bool:
        return tools is None or name in tools

    text = INSTRUCTIONS.format(catalog=" (list_models shows which)" if has("list_models") else "",
                               any_model=", or create_task for any model id" if has("create_task") else "")
    if has("wait_for_task"):  # a selection with a task tool has it (`build_tools`)
        text += TASKS + (CONFIRM if settings.confirm_above is not None else "")
    return text


def simulator_transport(settings: Settings) -> httpx2.AsyncBaseTransport:
    """`--simulate`: the built-in simulator, in-process; its tasks are kept beside the journal (on the wall
    clock) so that a restarted server can still finish them."""
    from mcp_server.simulator import Simulator, SimulatorConfig

    scale = settings.time_scale
    config = SimulatorConfig(task_seconds=settings.simulator_task_seconds, clock=lambda: time.time() * scale,
                             state_path=settings.data_dir.expanduser() / "simulator-tasks.json")
    return Simulator(config).transport()


def build_server(settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> Server[Services]:
    """A server for these settings; `transport` replaces the network (tests, the simulator)."""
    tools = build_tools(settings)
    if not settings.tasks:  # UNIFICALLY_TASKS=off: no tool offers task execution
        tools = {name: dataclasses.replace(tool, task_support=None) for name, tool in tools.items()}
    prompts = Prompts(tools)
    completer = Completer(prompts)
    if transport is None and settings.simulate:
        transport = simulator_transport(settings)

    @asynccontextmanager
    async def lifespan(_: Server[Services]) -> AsyncIterator[Services]:
        client = UnificallyClient(settings, transport)
        journal = await open_journal(settings)
        try:
            async with Background().running() as background:
                yield Services(settings=settings, client=client, journal=journal, background=background,
                               watchers=Watchers(background.spawn, settings.timebase,
                                                 coordination=journal.coordination),
                               outputs=Outputs(settings, client.http), uploads=Uploads(settings, client))
        finally:
            await client.aclose()
            await journal.close()

    published: dict[str | None, list[types.Tool]] = {}  # the selection is fixed: published once per version

    async def on_list_tools(ctx: ServerRequestContext[Services], params: Any) -> types.ListToolsResult:
        version = ctx.protocol_version
        if version not in published:
            published[version] = versions.tools([tool.to_mcp() for tool in tools.values()], version)
        return types.ListToolsResult(tools=published[version])

    async def on_call_tool(ctx: ServerRequestContext[Services], params: types.CallToolRequestParams
                           ) -> types.CallToolResult | types.InputRequiredResult:
        tool = tools.get(params.name)
        if tool is None:
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool {params.name!r}.")
        arguments = encodable(dict(params.arguments or {}))  # a lone surrogate can reach no request

        async def report(progress: float, total: float | None, message: str | None) -> None:
            await ctx.session.report_progress(progress, total, message)

        try:
            tool.check(arguments)
            if tool.needs_api and not ctx.lifespan_context.client.has_key:
                raise MissingApiKey(missing_key_message())
            call = Call(arguments, report, consent_channel(ctx, params, settings))
            result = await tool.handler(ctx.lifespan_context, call)
            return versions.call_result(result, ctx.protocol_version)
        except spend.InputRequired as needed:  # 2026-07-28: ask the person, the client calls again with the answer
            return needed.result
        except anyio.get_cancelled_exc_class():
            log.info("%s cancelled by the client; any task keeps running upstream", params.name)
            raise
        except UnificallyError as error:
            error.message = redact(error.message, settings.key())
            log.info("%s failed: %s", params.name, error.message)
            return error_result(error)
        except Exception as error:  # a bug of ours: log it, tell the model plainly, keep serving
            log.exception("unexpected error in %s", params.name)
            return error_result(redact(f"unifically-mcp hit an internal error in {params.name} "
                                       f"({type(error).__name__}); the details are in the server log.",
                                       settings.key()))

    async def on_list_resources(ctx: ServerRequestContext[Services], params: Any) -> types.ListResourcesResult:
        try:
            listed = await resources.list_resources(ctx.lifespan_context)
            return types.ListResourcesResult(resources=versions.described(listed, ctx.protocol_version))
        except UnificallyError as error:
            raise MCPError(types.INTERNAL_ERROR, redact(error.message, settings.key())) from None

    async def on_list_templates(ctx: ServerRequestContext[Services], params: Any
                                ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=versions.described(resources.TEMPLATES,
                                                                                       ctx.protocol_version))

    async def on_read_resource(ctx: ServerRequestContext[Services], params: types.ReadResourceRequestParams
                               ) -> types.ReadResourceResult:
        try:
            contents = await resources.read_resource(ctx.lifespan_context, str(params.uri))
        except UnificallyError as error:  # e.g. an unusable journal: its sentence, under a valid JSON-RPC code
            raise MCPError(types.INTERNAL_ERROR, redact(error.message, settings.key())) from None
        return types.ReadResourceResult(contents=contents)

    async def on_list_prompts(ctx: ServerRequestContext[Services], params: Any) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=versions.described(prompts.list(), ctx.protocol_version))

    async def on_get_prompt(ctx: ServerRequestContext[Services], params: types.GetPromptRequestParams
                            ) -> types.GetPromptResult:
        return prompts.get(params.name, params.arguments)

    async def on_completion(ctx: ServerRequestContext[Services], params: types.CompleteRequestParams
                            ) -> types.CompleteResult:
        return types.CompleteResult(completion=await completer.complete(ctx.lifespan_context, params))

    server = Server(
        "unifically-mcp",
        version=__version__,
        title="Unifically",
        icons=server_icons(),
        instructions=instructions(settings, tools),
        lifespan=lifespan,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
        on_list_resources=on_list_resources,
        on_list_resource_templates=on_list_templates,
        on_read_resource=on_read_resource,
        on_list_prompts=on_list_prompts,
        on_get_prompt=on_get_prompt,
        on_completion=on_completion,
        # 2026-07-28 HTTP calls check their Mcp-Param headers against this schema (without it: a full tools/list)
        get_tool_input_schema=lambda name: tools[name].input_schema if name in tools else None,
    )
    server.middleware.append(scope_to_caller)  # hosted users: ahead of everything that uses the services
    # Seals and verifies the state of 2026-07-28 input-required round trips (the spending confirmation); outside
    # the tasks middleware, so the state binds the arguments the client sent.
    server.middleware.append(RequestStateBoundary(spend.state_security(settings), default_audience=server.name))
    if settings.tasks:  # native MCP Tasks: the middleware answers task calls, the handlers serve tasks/*
        tasks = TasksMiddleware({name: tool.task_support for name, tool in tools.items()},
                                lambda: server.server_info_stamp)
        server.middleware.append(tasks)
        for method, params_type, handler in tasks.handlers():
            server.add_request_handler(method, params_type, handler)
        server.extensions[EXTENSION] = {}
    return server


def consent_channel(ctx: ServerRequestContext[Services], params: types.CallToolRequestParams,
                    settings: Settings) -> spend.Consent:
    """How this call can ask the person: a round trip (2026-07-28), an elicitation request (earlier versions,
    when the client declared forms and can be sent requests), or not at all."""
    forms = spend.can_show_forms(ctx.session.client_capabilities)
    if spend.uses_round_trip(ctx.protocol_version):
        return spend.RoundTripConsent(supported=forms, responses=params.input_responses, state=params.request_state,
                                      time=settings.timebase)
    if not (forms and ctx.session.can_send_request):
        return spend.NoConsent()

    async def elicit(message: str, schema: dict[str, Any]) -> types.ElicitResult:
        return await ctx.session.elicit_form(message, schema, related_request_id=ctx.request_id)

    return spend.ElicitConsent(elicit, settings.timebase)
