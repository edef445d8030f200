"""Settings from the environment, overridable by command-line flags.

Every variable is documented in the README. The API key is held as a `SecretStr` so that no repr, log line or
validation error can print it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from mcp_server.errors import InvalidInput
from mcp_server.roots import Roots, allowed_roots
from mcp_server.timebase import TimeBase

APP_NAME = "unifically-mcp"
DEFAULT_BASE_URL = "https://api.unifically.com"
DEFAULT_UPLOAD_URL = "https://files.storagecdn.online/upload"
SIMULATOR_BASE_URL = "http://unifically-simulator.local"
SIMULATOR_KEY = "simulator-key"
TOOLSETS = ("image", "video", "audio", "platform")  # what "all" means
COMPACT = "compact"  # one tool per category and verb, for clients with a tool cap; brings the platform tools
PREVIEW_KINDS = ("image", "audio", "video")
DEFAULT_MAX_WAIT = 50.0  # fits the TypeScript SDK's 60 s request timeout with room for the answer
WAIT_LIMIT = 3600.0


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    api_key: SecretStr | None = None
    base_url: str = DEFAULT_BASE_URL
    upload_url: str = DEFAULT_UPLOAD_URL
    wait_seconds: float = Field(default=45.0, ge=0, le=WAIT_LIMIT)
    max_wait_seconds: float = Field(default=DEFAULT_MAX_WAIT, ge=0, le=WAIT_LIMIT)
    data_dir: Path = Field(default_factory=default_data_dir)
    output_dir: Path | None = None
    allowed_dirs: tuple[Path, ...] = ()
    allow_hidden: bool = False  # read hidden files and folders (a path component starting with '.') in the roots
    follow_symlinks: bool = False  # follow symlinks below the roots (the target must still lie inside one)
    max_message_bytes: int | None = Field(default=None, gt=0)  # longest stdio line; default: see message_limit
    local_files: bool = True  # read local paths as inputs; off in hosted mode unless allowed_dirs are given
    max_upload_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    max_download_bytes: int = Field(default=500 * 1024 * 1024, gt=0)
    max_resource_bytes: int = Field(default=20 * 1024 * 1024, gt=0)  # an output file read through resources/read
    download_outputs: bool = True
    tasks: bool = True  # native MCP Tasks, both generations; off: every client gets the bounded wait
    previews: frozenset[str] = frozenset({"image"})  # kinds of saved outputs shown inline when small
    request_timeout: float = Field(default=60.0, gt=0)
    create_timeout: float = Field(default=30.0, gt=0, le=30)  # a create: at most this, and at most request_timeout
    max_response_bytes: int = Field(default=4 * 1024 * 1024, gt=0)  # an API answer, decompressed
    allow_private_urls: bool = False  # fetch outputs from loopback/private addresses (simulator and tests only)
    simulate: bool = False
    simulator_task_seconds: float = Field(default=4.0, ge=0)
    time_scale: float = Field(default=1.0, gt=0, le=1000)  # simulated seconds per real second (simulator only)
    toolsets: tuple[str, ...] = TOOLSETS
    tools: tuple[str, ...] = ()
    # Spending safety (`mcp_server.spend`): limits in USD (None: no limit), the price above which the person is
    # asked first, how long that question waits, and the window in which an identical request is not paid again.
    max_cost_per_task: float | None = Field(default=None, ge=0)
    max_spend_per_session: float | None = Field(default=None, ge=0)
    max_spend_per_day: float | None = Field(default=None, ge=0)
    confirm_above: float | None = Field(default=None, ge=0)
    confirm_timeout: float = Field(default=180.0, gt=0, le=WAIT_LIMIT)
    dedup_seconds: float = Field(default=600.0, ge=0, le=7 * 86400)
    request_state_key: SecretStr | None = None  # seals 2026-07-28 confirmation round trips; shared by replicas
    # Hosted replicas: a shared PostgreSQL journal instead of the SQLite file, and webhooks instead of polling.
    database_url: SecretStr | None = None  # postgresql://user:password@host:5432/db[?search_path=schema]
    public_url: str | None = None  # where the API can reach this server: callbacks go to <it>/webhooks/unifically/…

    @model_validator(mode="before")
    @classmethod
    def _simulator_endpoints(cls, values: Any) -> Any:
        """With `simulate`, the real key is never used and the real API never contacted."""
        if isinstance(values, dict) and values.get("simulate"):
            values = {**values, "api_key": SecretStr(SIMULATOR_KEY), "base_url": SIMULATOR_BASE_URL,
                      "upload_url": SIMULATOR_BASE_URL + "/upload", "allow_private_urls": True}
        return values

    @model_validator(mode="after")
    def _wait_within_cap(self) -> Settings:
        if self.wait_seconds > self.max_wait_seconds:  # the cap wins: no call may outwait the client's timeout
            object.__setattr__(self, "wait_seconds", self.max_wait_seconds)
        return self

    @model_validator(mode="after")
    def _time_scale_only_simulated(self) -> Settings:
        if self.time_scale != 1.0 and not self.simulate and self.base_url == DEFAULT_BASE_URL:
            raise ValueError("UNIFICALLY_SIMULATOR_TIME_SCALE speeds up the simulator only; unset it to use the "
                             "real API")
        return self

    @field_validator("base_url", "upload_url", "public_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("request_state_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < 32:
            raise ValueError("must be at least 32 bytes of secret randomness (python -c \"import secrets; "
                             "print(secrets.token_hex(32))\")")
    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")  # never echoed: it may hold a password
        return value

    @field_validator("previews", mode="before")
    @classmethod
    def _preview_kinds(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = () if value.strip().lower() in ("none", "off", "0") else split_list(value.lower())
        unknown = [kind for kind in value if kind not in PREVIEW_KINDS]
        if unknown:
            raise ValueError(f"unknown preview kind(s) {', '.join(unknown)}; choose from "
                             f"{', '.join(PREVIEW_KINDS)} or none")
        return frozenset(value)

    @field_validator("toolsets")
    @classmethod
    def _known_toolsets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "all" in value:
            return TOOLSETS
        unknown = [name for name in value if name not in (*TOOLSETS, COMPACT)]
        if unknown:
            raise ValueError(f"unknown toolset(s) {', '.join(unknown)}; choose from all, {', '.join(TOOLSETS)}, "
                             f"{COMPACT}")
        return value

    @property
    def outputs_dir(self) -> Path:
        return (self.output_dir or self.data_dir / "outputs").expanduser()

    @property
    def journal_path(self) -> Path:
        return self.data_dir.expanduser() / ("tasks-simulator.sqlite3" if self.simulate else "tasks.sqlite3")

    @property
    def roots(self) -> Roots:
        """Directories local files may be read from (policy in `mcp_server.roots`); computed on each access, so
        the reader resolves them once, at start."""
        return allowed_roots(self.allowed_dirs, self.outputs_dir)

    @property
    def message_limit(self) -> int:
        """Longest JSON-RPC line the stdio transport accepts: by default room for a base64 data URI of the
        largest allowed upload, plus 1 MiB for the rest of the message."""
        return self.max_message_bytes or self.max_upload_bytes * 4 // 3 + 1024 * 1024

    @property
    def timebase(self) -> TimeBase:
        return TimeBase(self.time_scale)

    def key(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from `UNIFICALLY_*` variables; keyword overrides (from flags) win when not None."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        if key := env.get("UNIFICALLY_API_KEY", "").strip():
            values["api_key"] = SecretStr(key)
        if key := env.get("UNIFICALLY_REQUEST_STATE_KEY", "").strip():
            values["request_state_key"] = SecretStr(key)
        if url := env.get("UNIFICALLY_DATABASE_URL", "").strip():
            values["database_url"] = SecretStr(url)
        for name, var in (
            ("base_url", "UNIFICALLY_BASE_URL"),
            ("upload_url", "UNIFICALLY_UPLOAD_URL"),
            ("wait_seconds", "UNIFICALLY_WAIT_SECONDS"),
            ("max_wait_seconds", "UNIFICALLY_MAX_WAIT_SECONDS"),
            ("output_dir", "UNIFICALLY_OUTPUT_DIR"),
            ("data_dir", "UNIFICALLY_DATA_DIR"),
            ("simulator_task_seconds", "UNIFICALLY_SIMULATOR_TASK_SECONDS"),
            ("create_timeout", "UNIFICALLY_CREATE_TIMEOUT"),
            ("max_cost_per_task", "UNIFICALLY_MAX_COST_PER_TASK"),
            ("max_spend_per_session", "UNIFICALLY_MAX_SPEND_PER_SESSION"),
            ("max_spend_per_day", "UNIFICALLY_MAX_SPEND_PER_DAY"),
            ("confirm_above", "UNIFICALLY_CONFIRM_ABOVE"),
            ("confirm_timeout", "UNIFICALLY_CONFIRM_TIMEOUT"),
            ("dedup_seconds", "UNIFICALLY_DEDUP_SECONDS"),
            ("public_url", "UNIFICALLY_PUBLIC_URL"),
        ):
            if value := env.get(var, "").strip():
                values[name] = value
        if value := env.get("UNIFICALLY_MAX_UPLOAD_MB", "").strip():
            values["max_upload_bytes"] = int(float(value) * 1024 * 1024)
        if value := env.get("UNIFICALLY_MAX_RESOURCE_MB", "").strip():
            values["max_resource_bytes"] = int(float(value) * 1024 * 1024)
        if value := env.get("UNIFICALLY_DOWNLOAD", "").strip():
            values["download_outputs"] = value.lower() not in ("0", "false", "no", "off")
        if value := env.get("UNIFICALLY_PREVIEWS", "").strip():
            values["previews"] = value
        if value := env.get("UNIFICALLY_ALLOW_PRIVATE_URLS", "").strip():
            values["allow_private_urls"] = value.lower() in ("1", "true", "yes", "on")
        if value := env.get("UNIFICALLY_ALLOWED_DIRS", "").strip():
            values["allowed_dirs"] = tuple(Path(p) for p in value.split(os.pathsep) if p.strip())
        for name, var in (("allow_hidden", "UNIFICALLY_ALLOW_HIDDEN"),
                          ("follow_symlinks", "UNIFICALLY_FOLLOW_SYMLINKS")):
            if value := env.get(var, "").strip():
                values[name] = value.lower() in ("1", "true", "yes", "on")
        if value := env.get("UNIFICALLY_MAX_MESSAGE_MB", "").strip():
            values["max_message_bytes"] = int(float(value) * 1024 * 1024)
        if value := env.get("UNIFICALLY_TASKS", "").strip():
            values["tasks"] = _switch("UNIFICALLY_TASKS", value)
        if value := env.get("UNIFICALLY_TOOLSETS", "").strip():
            values["toolsets"] = split_list(value)
        if value := env.get("UNIFICALLY_SIMULATOR_TIME_SCALE", "").strip():
            values["time_scale"] = value
        if value := env.get("UNIFICALLY_TOOLS", "").strip():
            values["tools"] = split_list(value)
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValueError as exc:  # pydantic's ValidationError: rephrase without echoing secrets
            raise InvalidInput(f"invalid configuration: {_describe(exc)}") from None


def _switch(name: str, value: str) -> bool:
    word = value.lower()
    if word not in ("on", "off", "1", "0", "true", "false", "yes", "no"):
        raise InvalidInput(f"invalid configuration: {name}: {value!r} is not on or off")
    return word in ("on", "1", "true", "yes")


def split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _describe(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    parts = []
    for err in errors(include_input=False):
        field = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        parts.append(f"{field}: {str(err.get('msg', '')).removeprefix('Value error, ')}")
    return "; ".join(parts)
