"""Who may use the HTTP endpoint, and as whom.

Two modes (`UNIFICALLY_AUTH`):

- `token` (the default): one shared bearer token, `UNIFICALLY_MCP_TOKEN`, compared in constant time. Everyone
  who holds it is the server's one user and works with the server's own key. Without a token (allowed on
  loopback only) every local caller is that user.
- `user-key`: every request carries its user's own Unifically key, in `X-Unifically-Key` or, when no token is
  set, as `Authorization: Bearer <key>` (with a token, the token rides in `Authorization`). The owner of the
  user's work is HMAC-SHA256(`UNIFICALLY_OWNER_SECRET`, key): the same on every replica, and never the key. The
  key is attached to the request (`mcp_server.callers`) and lives only as long as the work it started; it is
  never stored, logged or echoed. The request also carries the owner as its authenticated principal, so the
  SDK binds a 2025-era session to the user who opened it (another user presenting its id gets 404).

A refused request gets 401 with a `WWW-Authenticate` challenge and says what to send.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_server.callers import Caller, attach
from mcp_server.transports.settings import HttpSettings

KEY_HEADER = "x-unifically-key"
REALM = "unifically-mcp"
_KEY = re.compile(r"^[\x21-\x7e]{8,512}$")  # printable ASCII, no spaces: anything else is not a key


def owner_of(key: str, secret: str) -> str:
    """The owner id of a user's work: a keyed hash of their key (the secret is shared by the replicas)."""
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()


def bearer(value: str | None) -> str | None:
    """The credential of an `Authorization: Bearer <credential>` header, else None."""
    scheme, _, credential = (value or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credential.strip() or None


class RequireAccess:
    """ASGI middleware in front of the MCP endpoint: authenticate, and for user-key mode attach the caller."""

    def __init__(self, app: ASGIApp, settings: HttpSettings) -> None:
        self.app = app
        self.settings = settings
        self._token = settings.token.get_secret_value().encode() if settings.token else None
        self._secret = settings.owner_secret.get_secret_value() if settings.owner_secret else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = bearer(headers.get("authorization"))
        if self._token is not None:
            if given is None:
                return await _refuse(None, "send the server's token as 'Authorization: Bearer <token>'")(
                    scope, receive, send)
            if not hmac.compare_digest(given.encode(), self._token):
                return await _refuse("invalid_token", "the bearer token is not this server's token")(
                    scope, receive, send)
        if self.settings.auth == "user-key":
            key = headers.get(KEY_HEADER) or (given if self._token is None else None)
            if not key or not _KEY.match(key.strip()):
                where = "X-Unifically-Key" if self._token is not None else "X-Unifically-Key or Authorization: Bearer"
                return await _refuse("invalid_request", f"send your own Unifically API key in {where}")(
                    scope, receive, send)
            key = key.strip()
            owner = owner_of(key, self._secret)
            attach(scope, Caller(owner, key))
            scope["user"] = AuthenticatedUser(AccessToken(token=owner, client_id=owner, subject=owner, scopes=[]))
        await self.app(scope, receive, send)


def _refuse(error: str | None, description: str) -> Response:
    """401 with an RFC 6750 challenge (no error code when no credential was sent at all)."""
    challenge = f'Bearer realm="{REALM}"'
    if error:
        challenge += f', error="{error}", error_description="{description}"'
    body = {"error": error or "unauthorized", "error_description": description}
    return Response(json.dumps(body), status_code=401, media_type="application/json",
                    headers={"WWW-Authenticate": challenge})
