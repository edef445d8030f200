"""Small text helpers shared by the parameter parser, the rule deriver and the summary comparison."""

from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
TOKEN = re.compile(r"`([^`]+)`")
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


def strip_markup(text: str) -> str:
    """Drop markdown links (keep their text) and bold markers; keep backticks."""
    return _LINK.sub(r"\1", text).replace("**", "").strip()


def plain(text: str) -> str:
    """Text without markup, backticks or the double quotes that wrap literal values."""
    return re.sub(r"\s+", " ", strip_markup(text).replace("`", "").replace('"', "")).strip()


def token_value(raw: str) -> str:
    """The literal inside a backticked token: ```"16:9"``` -> ``16:9``; ``a='b'`` -> ``b``."""
    raw = raw.strip()
    if "=" in raw and not raw.startswith("="):
        raw = raw.split("=", 1)[1]
    return raw.strip().strip("'\"").strip()


def tokens(text: str) -> list[str]:
    """Every backticked literal in ``text``, unwrapped."""
    return [token_value(t) for t in TOKEN.findall(text)]


def sentences(text: str) -> list[str]:
    """Split prose into sentences at ``. `` / ``; `` boundaries (not inside numbers like ``1.5``)."""
    return [s.strip() for s in re.split(r"(?<=[.;!])\s+(?=[A-Z*`(])", text) if s.strip()]


def coerce(value: str, kind: str) -> object:
    """Turn a literal into the JSON value of ``kind`` (``string``/``integer``/``number``/``boolean``)."""
    if kind == "boolean":
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(value)
    if kind == "integer":
        return int(value)
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    return value


def short_id(model_id: str) -> str:
    """``kuaishou/kling-3.0-video`` -> ``kling-3.0-video``."""
    return model_id.split("/", 1)[-1]
