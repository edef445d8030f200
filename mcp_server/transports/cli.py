"""`unifically-mcp serve --transport http`: the HTTP transport's flags, and the defaults hosted mode changes.

Hosted mode writes no user files to the replica's disk (`UNIFICALLY_DOWNLOAD=1` saves outputs again; results
carry the output URLs, links served by `resources/read` and in-memory previews instead) and reads none from it
(local paths as inputs are refused unless `UNIFICALLY_ALLOWED_DIRS` / `--allowed-dir` name folders to read).
This module stays light: the web stack is imported only when the HTTP transport really starts.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mcp_server import __version__
from mcp_server.settings import Settings

if TYPE_CHECKING:
    from mcp_server.transports.settings import HttpSettings

log = logging.getLogger(__name__)
TRANSPORTS = ("stdio", "http")


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--transport", choices=TRANSPORTS, default=os.environ.get("UNIFICALLY_TRANSPORT") or "stdio",
                         help="stdio (default) or http: Streamable HTTP, hosted mode (UNIFICALLY_TRANSPORT)")
    command.add_argument("--host", help="HTTP: address to bind; default 127.0.0.1 (UNIFICALLY_HTTP_HOST)")
    command.add_argument("--port", type=int, help="HTTP: port; default 8000 (UNIFICALLY_HTTP_PORT)")
    command.add_argument("--stateless", action="store_true", default=None,
                         help="HTTP: no 2025-era sessions, for load balancers without affinity "
                              "(UNIFICALLY_HTTP_STATELESS)")
    command.add_argument("--allowed-host", action="append", dest="allowed_hosts",
                         help="HTTP: accepted Host header, repeatable; name:* for any port (UNIFICALLY_ALLOWED_HOSTS)")
    command.add_argument("--allowed-origin", action="append", dest="allowed_origins",
                         help="HTTP: accepted browser Origin, repeatable (UNIFICALLY_ALLOWED_ORIGINS)")


def hosted(settings: Settings, args: argparse.Namespace, env: Mapping[str, str] | None = None) -> Settings:
    """`settings` with hosted mode's defaults where nothing explicit was given: no outputs saved on this disk
    (unless UNIFICALLY_DOWNLOAD), no local files read (unless UNIFICALLY_ALLOWED_DIRS / --allowed-dir)."""
    env = os.environ if env is None else env
    changes: dict[str, Any] = {}
    if not env.get("UNIFICALLY_DOWNLOAD", "").strip():
        changes["download_outputs"] = False
    if not (env.get("UNIFICALLY_ALLOWED_DIRS", "").strip() or args.allowed_dirs):
        changes["local_files"] = False
    return settings.model_copy(update=changes)


def http_settings(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> HttpSettings:
    from mcp_server.transports.settings import HttpSettings

    return HttpSettings.from_env(env, host=args.host, port=args.port, stateless=args.stateless,
                                 allowed_hosts=tuple(args.allowed_hosts) if args.allowed_hosts else None,
                                 allowed_origins=tuple(args.allowed_origins) if args.allowed_origins else None)


async def serve_http(settings: Settings, http: HttpSettings) -> None:
    from mcp_server.keys import install_log_redaction, without_userinfo
    from mcp_server.transports.http import serve

    install_log_redaction(settings)  # as on stdio: no log record carries a key (a user's, while its request runs)
    if http.auth == "user-key" and settings.key() and not settings.simulate:
        log.warning("UNIFICALLY_API_KEY is not used in user-key mode: every request works with its user's own key")
    access = {"user-key": "each user's own key", "token": "bearer token" if http.token else "none (loopback)"}
    log.info("unifically-mcp %s serving Streamable HTTP on http://%s:%d%s (%s; access: %s; %s)", __version__,
             http.host, http.port, http.path, "simulator" if settings.simulate else without_userinfo(settings.base_url),
             access[http.auth], "stateless" if http.stateless else "sessions")
    await serve(settings, http)
