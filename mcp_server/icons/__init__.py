"""Icons clients show: the server's, and one per toolset (image, video, audio, platform), shipped as small SVGs.

An MCP `Icon.src` is an http(s) or `data:` URI. The server has no web host of its own, and an icon must not
need the network, so each is a base64 `data:` URI of the SVG beside this module (`mimeType` image/svg+xml,
`sizes` ["any"]: it scales). The SVGs are plain shapes: no script, no external references.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib.resources import files

import mcp_types as types

SERVER = "unifically"
TOOLSET_ICONS = ("image", "video", "audio", "platform")


@cache
def icon(name: str) -> types.Icon:
    svg = files(__name__).joinpath(f"{name}.svg").read_bytes()
    return types.Icon(src="data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
                      mime_type="image/svg+xml", sizes=["any"])


def server_icons() -> list[types.Icon]:
    return [icon(SERVER)]


def toolset_icons(toolset: str) -> list[types.Icon] | None:
    """The icon of a toolset (image, video, audio, platform); None for a name without one."""
    return [icon(toolset)] if toolset in TOOLSET_ICONS else None
