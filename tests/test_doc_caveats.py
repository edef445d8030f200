"""No documented usage is unreachable: what a docs example sends against its own table goes through create_task,
with a warning; nothing else does."""

from __future__ import annotations

import pytest

from mcp_server.specs import find_model, load_tool_specs
from mcp_server.validation import documented_deviation
from tests.conftest import posts, text_of

pytestmark = pytest.mark.anyio

REFUSED = [(m, e) for t in load_tool_specs() for m in t.models.values() for e in m.refused_examples]


def test_every_refused_example_records_its_deviation():
    assert len(REFUSED) == 3
    for model, example in REFUSED:
        assert example["deviation"] and all(example["input"][k] == v for k, v in example["deviation"].items())
        assert documented_deviation(model, example["input"]) == example


def test_a_deviation_passes_only_when_it_is_the_only_problem():
    gpt = find_model("openai/gpt-image-2")
    assert documented_deviation(gpt, {"prompt": "p", "aspect_ratio": "16:9", "quality": "low"}) is None
    assert documented_deviation(gpt, {"prompt": "p", "aspect_ratio": "4:5"}) is None
    assert documented_deviation(gpt, {"aspect_ratio": "16:9"}) is None  # prompt missing
    assert documented_deviation(gpt, {"prompt": "p", "aspect_ratio": "16:9"})["curation"] == "gpt_image_16_9_example"
    assert documented_deviation(find_model("google/veo-3.1-fast"), {"prompt": "p", "aspect_ratio": "1:1"}) is None


async def test_create_task_sends_the_documented_deviation_with_a_warning(client, sim):
    arguments = {"model": "openai/gpt-image-1.5", "input": {"prompt": "p", "aspect_ratio": "16:9"}}
    result = await client.call_tool("create_task", {**arguments, "wait_seconds": 0})
    assert not result.is_error, text_of(result)
    assert [p.json for p in posts(sim)] == [arguments]
    [warning] = result.structured_content["warnings"]
    assert "16:9" in warning and "generate_image_gpt" in warning and result.structured_content["task_id"]
    typed = await client.call_tool("generate_image_gpt", {"model": "openai/gpt-image-1.5", "prompt": "p",
                                                          "aspect_ratio": "16:9"})
    assert typed.is_error and len(posts(sim)) == 1


async def test_create_task_still_refuses_other_invalid_input(client, sim):
    result = await client.call_tool("create_task", {"model": "openai/gpt-image-1", "input": {
        "prompt": "p", "aspect_ratio": "16:9", "quality": "ultra"}})
    assert result.is_error and "quality" in text_of(result)
    valid = await client.call_tool("create_task", {"model": "openai/gpt-image-1", "input": {"prompt": "p"},
                                                   "wait_seconds": 0})
    assert not valid.is_error and "warnings" not in valid.structured_content
    assert len(posts(sim)) == 1
