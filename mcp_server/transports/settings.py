"""Settings of the HTTP transport (hosted mode), from `UNIFICALLY_*` variables and `serve` flags.

Safe by default: bound to loopback, Host and Origin checked against allow-lists, request bodies capped. Listening
beyond loopback needs a reason to trust the callers (a bearer token, or multi-user mode where every request
carries its user's own Unifically key) and the host names clients use. Secrets are `SecretStr`s: no repr, log
line or validation error prints them.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from mcp_server.errors import InvalidInput
from mcp_server.settings import _describe, split_list

LOOPBACK_HOSTS = ("127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]")
LOOPBACK_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*")
MIN_SECRET = 16  # characters of a bearer token or owner secret
DEFAULT_MAX_BODY = 16 * 1024 * 1024
TOKEN_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class HttpSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    path: str = "/mcp"
    stateless: bool = False  # 2025-era requests without sessions (load balancers without affinity)
    auth: Literal["token", "user-key"] = "token"
    token: SecretStr | None = None  # UNIFICALLY_MCP_TOKEN
    owner_secret: SecretStr | None = None  # UNIFICALLY_OWNER_SECRET: keys owner ids in user-key mode
    allowed_hosts: tuple[str, ...] = ()  # empty: loopback names only
    allowed_origins: tuple[str, ...] = ()  # empty: loopback origins only
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY, gt=0)
    session_idle_seconds: float = Field(default=1800.0, gt=0)
    max_sessions: int = Field(default=1000, gt=0)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def hosts(self) -> tuple[str, ...]:
        """Accepted Host headers (`*`: any, for a proxy that checks Host itself)."""
        return self.allowed_hosts or LOOPBACK_HOSTS

    @property
    def origins(self) -> tuple[str, ...]:
        return self.allowed_origins or LOOPBACK_ORIGINS

    @field_validator("allowed_origins")
    @classmethod
    def _no_wildcard_origin(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(origin.strip() in ("*", "null") for origin in value):
            raise ValueError("UNIFICALLY_ALLOWED_ORIGINS takes explicit origins (https://app.example.com); '*' and "
                             "'null' are refused")
        return tuple(origin.rstrip("/") for origin in value)

    @model_validator(mode="after")
    def _safe_exposure(self) -> HttpSettings:
        for name, secret in (("UNIFICALLY_MCP_TOKEN", self.token), ("UNIFICALLY_OWNER_SECRET", self.owner_secret)):
            if secret is not None and len(secret.get_secret_value()) < MIN_SECRET:
                raise ValueError(f"{name} is shorter than {MIN_SECRET} characters; make one with {TOKEN_HINT}")
        if self.auth == "user-key" and self.owner_secret is None:
            raise ValueError("UNIFICALLY_AUTH=user-key needs UNIFICALLY_OWNER_SECRET (the same on every replica): "
                             f"owner ids are keyed hashes of the users' keys; make one with {TOKEN_HINT}")
        if not self.loopback:
            if self.token is None and self.auth != "user-key":
                raise ValueError(f"refusing to listen on {self.host} (beyond loopback) without UNIFICALLY_MCP_TOKEN: "
                                 f"anyone who can reach the port could spend the account. Set a token ({TOKEN_HINT}) "
                                 "and send it as 'Authorization: Bearer <token>', use UNIFICALLY_AUTH=user-key "
                                 "(each user brings their own key), or bind 127.0.0.1")
            if not self.allowed_hosts:
                raise ValueError(f"listening on {self.host} needs UNIFICALLY_ALLOWED_HOSTS: the host name(s) clients "
                                 "use (mcp.example.com, or mcp.example.com:* for any port), or '*' behind a proxy "
                                 "that checks Host itself")
        return self

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> HttpSettings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, var in (("token", "UNIFICALLY_MCP_TOKEN"), ("owner_secret", "UNIFICALLY_OWNER_SECRET")):
            if value := env.get(var, "").strip():
                values[name] = SecretStr(value)
        for name, var in (("host", "UNIFICALLY_HTTP_HOST"), ("port", "UNIFICALLY_HTTP_PORT"),
                          ("auth", "UNIFICALLY_AUTH"), ("session_idle_seconds", "UNIFICALLY_HTTP_SESSION_IDLE_SECONDS"),
                          ("max_sessions", "UNIFICALLY_HTTP_MAX_SESSIONS")):
            if value := env.get(var, "").strip():
                values[name] = value
        if value := env.get("UNIFICALLY_HTTP_STATELESS", "").strip():
            values["stateless"] = value.lower() in ("1", "true", "yes", "on")
        if value := env.get("UNIFICALLY_HTTP_MAX_BODY_MB", "").strip():
            values["max_body_bytes"] = int(float(value) * 1024 * 1024)
        for name, var in (("allowed_hosts", "UNIFICALLY_ALLOWED_HOSTS"),
                          ("allowed_origins", "UNIFICALLY_ALLOWED_ORIGINS")):
            if value := env.get(var, "").strip():
                values[name] = split_list(value)
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValueError as exc:
            raise InvalidInput(f"invalid HTTP configuration: {_describe(exc)}") from None


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

