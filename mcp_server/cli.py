"""The `unifically-mcp` command: `serve` (default: the stdio MCP server; `--transport http` for hosted mode) and
`demo` (a no-key first run).

In `serve` mode stdout belongs to the MCP protocol: everything else, logs included, goes to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import anyio

from mcp_server import __version__
from mcp_server.errors import UnificallyError
from mcp_server.settings import Settings, split_list
from mcp_server.transports import cli as http_cli


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unifically-mcp", description="MCP server for the Unifically API.")
    parser.add_argument("--version", action="version", version=f"unifically-mcp {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the MCP server: stdio (the default) or --transport http")
    demo = sub.add_parser("demo", help="run image, video and audio tasks against the built-in simulator")
    for command in (parser, serve):
        command.add_argument("--simulate", action="store_true", default=None,
                             help="use the built-in offline simulator instead of the real API (no key needed)")
        command.add_argument("--base-url", help="API base URL (UNIFICALLY_BASE_URL)")
        command.add_argument("--upload-url", help="upload endpoint (UNIFICALLY_UPLOAD_URL)")
        command.add_argument("--wait-seconds", type=float, help="bounded wait of a tool call (UNIFICALLY_WAIT_SECONDS)")
        command.add_argument("--output-dir", type=Path, help="where outputs are saved (UNIFICALLY_OUTPUT_DIR)")
        command.add_argument("--allowed-dir", type=Path, action="append", dest="allowed_dirs",
                             help="directory local files may be read from; repeatable (UNIFICALLY_ALLOWED_DIRS)")
        command.add_argument("--allow-hidden", action="store_true", default=None,
                             help="allow hidden files and folders in the allowed dirs (UNIFICALLY_ALLOW_HIDDEN)")
        command.add_argument("--follow-symlinks", action="store_true", default=None,
                             help="follow symlinks that stay in the allowed dirs (UNIFICALLY_FOLLOW_SYMLINKS)")
        command.add_argument("--toolsets",
                             help="comma-separated: image,video,audio,platform or all (UNIFICALLY_TOOLSETS)")
        command.add_argument("--tools", help="comma-separated tool names to expose (UNIFICALLY_TOOLS)")
        command.add_argument("--no-download", action="store_true", help="do not save outputs locally")
        command.add_argument("--max-message-mb", type=float,
                             help="longest JSON-RPC message on stdin, in MB (UNIFICALLY_MAX_MESSAGE_MB)")
        command.add_argument("--log-level", default=os.environ.get("UNIFICALLY_LOG_LEVEL", "INFO"))
        http_cli.add_arguments(command)
    demo.add_argument("--output-dir", type=Path, default=Path("unifically-demo"), help="where to save the outputs")
    demo.add_argument("--task-seconds", type=float, default=3.0, help="simulated duration of each task")
    demo.add_argument("--log-level", default="WARNING")
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        simulate=args.simulate,
        base_url=args.base_url,
        upload_url=args.upload_url,
        wait_seconds=args.wait_seconds,
        output_dir=args.output_dir,
        allowed_dirs=tuple(args.allowed_dirs) if args.allowed_dirs else None,
        allow_hidden=args.allow_hidden,
        follow_symlinks=args.follow_symlinks,
        max_message_bytes=int(args.max_message_mb * 1024 * 1024) if args.max_message_mb else None,
        toolsets=split_list(args.toolsets) if args.toolsets else None,
        tools=split_list(args.tools) if args.tools else None,
        download_outputs=False if args.no_download else None,
    )


async def serve_stdio(settings: Settings) -> None:
    from mcp_server.keys import install_log_redaction, without_userinfo
    from mcp_server.server import build_server
    from mcp_server.transports.stdio import stdio_transport

    install_log_redaction(settings)  # the last line of defence: no log record carries a key
    server = build_server(settings)
    logging.getLogger(__name__).info(
        "unifically-mcp %s serving on stdio (%s)", __version__,
        "simulator" if settings.simulate else without_userinfo(settings.base_url))
    async with stdio_transport(settings.message_limit) as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx2", "httpcore", "mcp", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        if args.command == "demo":
            from mcp_server.demo import run_demo

            return anyio.run(run_demo, args.output_dir, args.task_seconds)
        if args.transport == "http":
            settings = http_cli.hosted(settings_from_args(args), args)
            anyio.run(http_cli.serve_http, settings, http_cli.http_settings(args))
        else:
            anyio.run(serve_stdio, settings_from_args(args))
    except UnificallyError as error:
        print(f"unifically-mcp: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
