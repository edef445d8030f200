"""Workflow prompts: listed, rendered with their arguments, and naming only tools the client actually has."""

from __future__ import annotations

import re

import pytest
from mcp.client import Client
from mcp.shared.exceptions import MCPError

from mcp_server.prompts import Prompts
from mcp_server.server import build_server
from mcp_server.settings import Settings
from mcp_server.specs import find_model
from mcp_server.tools import build_tools, every_tool
from mcp_server.workflows import WORKFLOWS, Guide

pytestmark = pytest.mark.anyio

ARGUMENTS = {"subject": "a red fox in fresh snow", "description": "a sea shanty about coffee", "name": "Ada",
             "topic": "the first year on Mars"}
SELECTIONS = [{}, {"toolsets": ("compact",)}, {"toolsets": ("video",)}, {"toolsets": ("audio",)},
              {"toolsets": ("image", "video")}, {"toolsets": ("audio", "platform")},
              {"tools": ("generate_music_suno", "separate_stems_suno", "export_wav_suno")}]
ALL_TOOL_NAMES = {tool.name for tool in every_tool()}


async def prompts_and_tools(**settings) -> tuple[dict[str, str], set[str]]:
    """Every listed prompt rendered with sample arguments, and the listed tool names."""
    async with Client(build_server(Settings(**settings))) as client:
        listed = (await client.list_prompts()).prompts
        texts = {}
        for prompt in listed:
            arguments = {arg.name: ARGUMENTS[arg.name] for arg in prompt.arguments or [] if arg.required}
            texts[prompt.name] = (await client.get_prompt(prompt.name, arguments)).messages[0].content.text
        return texts, {tool.name for tool in (await client.list_tools()).tools}


def named_tools(text: str) -> set[str]:
    return {name for name in ALL_TOOL_NAMES if re.search(rf"\b{name}\b", text)}


async def test_prompts_list_offers_the_five_workflows_with_their_arguments():
    async with Client(build_server(Settings())) as client:
        listed = {prompt.name: prompt for prompt in (await client.list_prompts()).prompts}
    assert set(listed) == {"image_to_video", "song_stems_wav", "custom_voice", "long_video", "podcast"}
    for prompt in listed.values():
        assert prompt.title and prompt.description and prompt.icons
        assert [arg.name for arg in prompt.arguments if arg.required], prompt.name
    assert {arg.name for arg in listed["podcast"].arguments} >= {"host_voice", "guest_voice"}


@pytest.mark.parametrize("selection", SELECTIONS, ids=str)
async def test_every_tool_a_prompt_names_is_listed(selection):
    texts, tools = await prompts_and_tools(**selection)
    for name, text in texts.items():
        named = named_tools(text)
        assert named <= tools, (name, named - tools)
        assert len(named & tools) >= 2, (name, text)  # a guide names its steps' tools
    if selection == {"toolsets": ("compact",)}:
        assert named_tools(texts["image_to_video"]) >= {"generate_image", "generate_video", "wait_for_task"}
        assert "generate_video_veo" not in texts["image_to_video"]


async def test_prompts_whose_steps_are_missing_are_not_offered():
    texts, _ = await prompts_and_tools(toolsets=("video",))
    assert set(texts) == {"long_video"}  # no image tools, no audio tools
    texts, _ = await prompts_and_tools(tools=("generate_music_suno", "separate_stems_suno", "export_wav_suno"))
    assert set(texts) == {"song_stems_wav"}


async def test_prompts_get_renders_the_arguments_in_order():
    async with Client(build_server(Settings())) as client:
        result = await client.get_prompt("image_to_video", {"subject": "a lighthouse at dusk",
                                                            "video_model": "kuaishou/kling-2.6-video"})
        text = result.messages[0].content.text
        assert result.messages[0].role == "user"
        assert text.index("generate_image_nano_banana") < text.index("generate_video_kling") < text.index(
            "wait_for_task")
        assert 'model="kuaishou/kling-2.6-video"' in text and 'start_frame_url="task:' in text
        assert '"a lighthouse at dusk"' in text and "aspect_ratio" in text  # nano banana also requires it
        voice = await client.get_prompt("custom_voice", {"name": "Ada", "language": "fr"})
        assert 'language="fr"' in voice.messages[0].content.text
        podcast = await client.get_prompt("podcast", {"topic": "tides", "host_voice": "21m00Tcm4TlvDq8ikWAM"})
        assert '"voice": "21m00Tcm4TlvDq8ikWAM"' in podcast.messages[0].content.text


@pytest.mark.parametrize(("name", "arguments", "expected"), [
    ("image_to_video", {}, "subject"),
    ("image_to_video", {"subject": "x", "video_model": "google/veo-9"}, "video_model"),
    ("image_to_video", {"subject": "x", "video_model": "google/veo-3.1-extend"}, "video_model"),
    ("custom_voice", {"name": "Ada", "language": "xx"}, "language"),
    ("nope", {}, "Unknown prompt"),
])
async def test_prompts_get_refuses_bad_arguments(name, arguments, expected):
    async with Client(build_server(Settings())) as client:
        with pytest.raises(MCPError, match=expected):
            await client.get_prompt(name, arguments)


def test_every_step_uses_parameters_its_model_documents(monkeypatch):
    """The guides pass only parameters that exist in the chosen model's schema (and defaults that are choices)."""
    calls: list[tuple[str, dict]] = []
    original = Guide.call

    def recording(self, model_id, params):
        calls.append((model_id, params))
        return original(self, model_id, params)

    monkeypatch.setattr(Guide, "call", recording)
    prompts = Prompts(build_tools(Settings()))
    for flow in WORKFLOWS:
        for arg in flow.arguments:
            if arg.choices and arg.default:
                assert arg.default in arg.choices(), (flow.name, arg.name)
            for choice in (arg.choices() if arg.choices else [arg.default])[:40]:
                values = {**ARGUMENTS, arg.name: choice} if choice else ARGUMENTS
                prompts.render(flow, {key: value for key, value in values.items()
                                      if key in {a.name for a in flow.arguments}})
    assert len(calls) > 50
    for model_id, params in calls:
        properties = find_model(model_id).schema["properties"]
        assert set(params) <= set(properties), (model_id, set(params) - set(properties))
