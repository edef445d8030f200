"""What clients show beside the tools: annotations, icons, resource entries with their mime types."""

from __future__ import annotations

import base64

import pytest
from mcp.client import Client

from mcp_server.server import build_server
from mcp_server.settings import Settings
from tests.conftest import make_settings, make_sim, text_of

pytestmark = pytest.mark.anyio


async def listed(**settings) -> list:
    async with Client(build_server(Settings(**settings))) as client:
        return (await client.list_tools()).tools


async def test_tools_that_save_outputs_are_not_read_only():
    tools = {tool.name: tool for tool in await listed()}
    for name in ("get_task", "wait_for_task"):
        hints = tools[name].annotations
        assert hints.read_only_hint is False and hints.destructive_hint is False and hints.idempotent_hint
    assert tools["list_tasks"].annotations.read_only_hint is True


async def test_the_server_and_every_tool_show_an_svg_icon():
    async with Client(build_server(Settings(toolsets=("compact", "image")))) as client:
        server_icons = client.server_info.icons
        tools = (await client.list_tools()).tools
    for icon in [*server_icons, *(icon for tool in tools for icon in tool.icons or [])]:
        assert icon.mime_type == "image/svg+xml" and icon.sizes == ["any"]
        prefix = "data:image/svg+xml;base64,"
        assert icon.src.startswith(prefix)
        svg = base64.b64decode(icon.src[len(prefix):]).decode()
        assert svg.startswith("<svg") and "<script" not in svg and " on" not in svg and "href" not in svg
    assert all(tool.icons for tool in tools)
    kinds = {tool.name: tool.icons[0].src for tool in tools}
    assert kinds["generate_image"] == kinds["generate_image_flux"] != kinds["generate_video"]


async def test_resource_entries_carry_the_mime_type_of_their_bytes(dirs):
    sim = make_sim(task_seconds=0.3)
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        made = {}
        for tool, arguments in [("generate_image_flux", {"model": "black-forest-labs/flux.2-pro", "prompt": "x"}),
                                ("generate_sound_elevenlabs", {"text": "rain"})]:
            result = await client.call_tool(tool, arguments)
            assert result.structured_content["status"] == "completed", text_of(result)
            made[tool] = result.structured_content
        gone = made["generate_sound_elevenlabs"]["files"][0]
        (dirs["out"] / gone.rsplit("/", 1)[-1]).unlink()
        entries = (await client.list_resources()).resources
    by_uri = {str(entry.uri): entry for entry in entries}
    image_task = made["generate_image_flux"]["task_id"]
    image = by_uri[f"unifically://tasks/{image_task}/files/1"]
    assert image.mime_type == "image/png" and image.size and image.name.endswith(".png")
    assert by_uri[f"unifically://tasks/{image_task}"].mime_type == "application/json"
    sound_task = made["generate_sound_elevenlabs"]["task_id"]
    assert f"unifically://tasks/{sound_task}" in by_uri
    assert f"unifically://tasks/{sound_task}/files/1" not in by_uri  # its file was deleted
    assert all(entry.mime_type for entry in entries)
