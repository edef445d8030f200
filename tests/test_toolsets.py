"""Tool selection for capped clients: task tools always come along, and the compact toolset reaches every model."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mcp.client import Client

from bench.tool_list_size import measure
from mcp_server.server import build_server
from mcp_server.settings import Settings
from mcp_server.specs import all_model_ids, find_tool, load_tool_specs
from mcp_server.tools import TASK_TOOLS, every_tool
from mcp_server.tools.compact import compact_name
from mcp_server.tools.family import MODELS_META_KEY
from tests.conftest import make_settings, make_sim, posts, text_of
from tests.test_typed_tools import REFUSED

pytestmark = pytest.mark.anyio

COMPACT_CAP = 16
PLATFORM = {tool.name for tool in every_tool() if tool.toolset == "platform"}


async def listed(**settings) -> list:
    async with Client(build_server(Settings(**settings))) as client:
        return (await client.list_tools()).tools


@pytest.fixture
async def compact(dirs) -> AsyncIterator[tuple[Client, object]]:
    sim = make_sim(task_seconds=0.6)
    async with Client(build_server(make_settings(dirs, toolsets=("compact",)), sim.transport())) as client:
        yield client, sim


@pytest.mark.parametrize("options", [
    {"toolsets": ("video",)}, {"toolsets": ("image",)}, {"toolsets": ("audio",)}, {"toolsets": ("compact",)},
    {"tools": ("generate_video_veo",)}, {"tools": ("create_task",)}, {"tools": ("generate_image",)},
], ids=str)
async def test_a_selection_with_a_task_tool_has_the_tools_its_results_name(options):
    names = {tool.name for tool in await listed(**options)}
    assert set(TASK_TOOLS) <= names


@pytest.mark.parametrize("options", [
    {"toolsets": ("video",)}, {"toolsets": ("image",)}, {"toolsets": ("audio",)}, {"toolsets": ("image", "video")},
    {"tools": ("generate_video_veo",)}, {"tools": ("text_to_speech_elevenlabs",)}, {"tools": ("describe_model",)},
], ids=str)
async def test_no_tool_description_or_instruction_names_a_platform_tool_the_selection_lacks(options):
    """`--toolsets video`: the Veo tool's voices come from get_resources, and the instructions told the model
    about list_models and create_task; a selection brings what its tools and instructions name."""
    every = {tool.name for tool in await listed()}
    async with Client(build_server(Settings(**options))) as client:
        tools = (await client.list_tools()).tools
        instructions = client.instructions or ""
    names = {tool.name for tool in tools}
    for where, text in [(tool.name, json.dumps([tool.description, tool.input_schema])) for tool in tools] + [
            ("instructions", instructions)]:
        named = {name for name in every if re.search(rf"\b{name}\b", text)} - {where}
        assert named <= names | {tool for tool in named if tool not in PLATFORM}, (where, named - names)


async def test_a_selection_without_task_tools_gets_nothing_added():
    assert [tool.name for tool in await listed(tools=("describe_model", "list_models"))] == [
        "list_models", "describe_model"]


async def test_compact_reaches_every_documented_model_in_few_tools():
    tools = await listed(toolsets=("compact",))
    assert len(tools) <= COMPACT_CAP
    names = {tool.name for tool in tools}
    assert {"describe_model", "list_models", "upload_file", "get_resources", *TASK_TOOLS} <= names
    covered = [model for tool in tools for model in (tool.meta or {}).get(MODELS_META_KEY, [])]
    assert len(covered) == len(set(covered)) == len(all_model_ids())
    for tool in tools:
        if models := (tool.meta or {}).get(MODELS_META_KEY):
            assert tool.input_schema["properties"]["model"]["enum"] == models
            assert tool.input_schema["required"] == ["model", "input"]
            assert "describe_model" in tool.description
    full = measure(await listed())
    assert measure(tools)["visible_chars"] * 3 < full["visible_chars"]


async def test_compact_groups_follow_the_specs_category_and_verb():
    by_name = {tool.name: set((tool.meta or {}).get(MODELS_META_KEY, [])) for tool in await listed(
        toolsets=("compact",))}
    for spec in load_tool_specs():
        assert set(spec.models) <= by_name[compact_name(spec)], spec.name
    assert "google/veo-3.1-fast" in by_name["generate_video"]
    assert {"google/veo-3.1-extend", "google/veo-3.1-upscale"} <= by_name["edit_video"]
    assert {"suno-ai/music", "suno-ai/voice", "elevenlabs/text-to-speech"} <= by_name["generate_audio"]
    assert {"suno-ai/stems", "suno-ai/wav", "elevenlabs/speech-to-text"} <= by_name["edit_audio"]


def _as_compact(tool: str, arguments: dict) -> tuple[str, dict]:
    """A typed call (all of REFUSED are multi-model tools) as the same call of its compact tool."""
    api_input = {k: v for k, v in arguments.items() if k != "model"}
    return compact_name(find_tool(tool)), {"model": arguments["model"], "input": api_input}


@pytest.mark.parametrize(("rule", "tool", "arguments", "expected"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_compact_refuses_what_the_typed_tool_refuses(compact, rule, tool, arguments, expected):
    client, sim = compact
    name, compact_arguments = _as_compact(tool, arguments)
    result = await client.call_tool(name, compact_arguments)
    assert result.is_error, (rule, text_of(result))
    for word in expected:
        assert word in text_of(result), (rule, word, text_of(result))
    assert sim.requests == []


async def test_a_compact_refusal_lists_the_models_parameters(compact):
    client, sim = compact
    result = await client.call_tool("generate_video", {"model": "google/veo-3.1-fast", "input": {"promt": "x"}})
    assert result.is_error
    message = text_of(result)
    assert "Parameters of google/veo-3.1-fast" in message and "prompt (required)" in message
    assert "aspect_ratio" in message and "describe_model" in message
    assert sim.requests == []


async def test_compact_sends_what_the_typed_tool_sends(dirs):
    sim = make_sim(task_seconds=0.6)
    settings = make_settings(dirs, toolsets=("video", "compact"))
    async with Client(build_server(settings, sim.transport())) as client:
        for name, arguments in [
            ("generate_video_veo", {"model": "google/veo-3.1-fast", "prompt": "a cat", "aspect_ratio": "9:16",
                                    "callback_url": "https://hook.example/x"}),
            ("generate_video", {"model": "google/veo-3.1-fast", "callback_url": "https://hook.example/x",
                                "input": {"prompt": "a cat", "aspect_ratio": "9:16"}, "allow_duplicate": True}),
        ]:
            result = await client.call_tool(name, arguments)
            assert result.structured_content["status"] == "completed", text_of(result)
    typed, compact = (post.json for post in posts(sim))
    assert typed == compact == {"model": "google/veo-3.1-fast", "input": {"prompt": "a cat", "aspect_ratio": "9:16"},
                                "callback_url": "https://hook.example/x"}


async def test_compact_chains_task_outputs_and_describes_models_by_their_compact_tool(compact):
    client, sim = compact
    still = await client.call_tool("generate_image", {"model": "google/nano-banana-pro",
                                                      "input": {"prompt": "a fox", "aspect_ratio": "16:9"}})
    assert still.structured_content["status"] == "completed", text_of(still)
    task = still.structured_content["task_id"]
    video = await client.call_tool("generate_video", {"model": "google/veo-3.1-fast", "input": {
        "prompt": "the fox runs", "start_image_url": f"task:{task}"}})
    assert video.structured_content["status"] == "completed", text_of(video)
    assert posts(sim)[-1].json["input"]["start_image_url"].startswith("http")
    described = await client.call_tool("describe_model", {"model": "google/veo-3.1-extend"})
    assert described.structured_content["tool"] == "edit_video"
    assert 'edit_video with model="google/veo-3.1-extend"' in text_of(described)
    models = await client.call_tool("list_models", {"category": "audio"})
    assert {row["tool"] for row in models.structured_content["models"]} == {"generate_audio", "edit_audio"}


def test_compact_is_a_toolset_name_but_not_part_of_all():
    assert Settings.from_env({"UNIFICALLY_TOOLSETS": "compact"}).toolsets == ("compact",)
    assert "compact" not in Settings.from_env({"UNIFICALLY_TOOLSETS": "all"}).toolsets


async def test_the_readme_client_table_states_the_measured_counts():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    counts = {toolsets: len(await listed(toolsets=toolsets)) for toolsets in (
        ("compact",), ("image", "video"), ("video",), ("image", "video", "audio", "platform"))}
    assert f"`UNIFICALLY_TOOLSETS=compact` ({counts[('compact',)]} tools)" in readme
    assert f"`image,video` ({counts[('image', 'video')]} tools)" in readme
    assert f"`--toolsets video` is {counts[('video',)]} tools" in readme
    assert f"The full list is {counts[('image', 'video', 'audio', 'platform')]} tools" in readme
    assert counts[("compact",)] <= COMPACT_CAP < 40 and counts[("image", "video")] < 50  # Cursor, Windsurf caps
