"""Model discovery: list_models, describe_model, and model pages as MCP resources."""

from __future__ import annotations

import re

import pytest
from mcp.shared.exceptions import MCPError

from mcp_server.specs import all_model_ids, load_tool_specs, undocumented_models
from tests.conftest import text_of

pytestmark = pytest.mark.anyio


async def test_list_models_covers_every_documented_model(client, sim):
    result = await client.call_tool("list_models", {})
    rows = result.structured_content["models"]
    assert sorted(row["model"] for row in rows if row["documented"]) == sorted(all_model_ids())
    assert all(row["summary"] and row["tool"] for row in rows)
    videos = await client.call_tool("list_models", {"category": "video"})
    assert {row["category"] for row in videos.structured_content["models"]} == {"video"}
    assert "google/veo-3.1-quality" in text_of(videos)
    assert sim.requests == []  # answered locally


async def test_describe_model_gives_the_full_page(client):
    result = await client.call_tool("describe_model", {"model": "google/veo-3.1-fast"})
    assert not result.is_error
    text = text_of(result)
    assert "generate_video_veo" in text and "reference_image_urls" in text
    assert result.structured_content["schema"]["properties"]["prompt"]["type"] == "string"
    assert result.structured_content["examples"]
    unknown = await client.call_tool("describe_model", {"model": "google/veo-9"})
    assert unknown.is_error and "not a documented model" in text_of(unknown)


async def test_model_pages_are_resources(client):
    templates = await client.list_resource_templates()
    assert "unifically://models/{+model_id}" in {t.uri_template for t in templates.resource_templates}
    page = await client.read_resource("unifically://models/kuaishou/kling-3.0-omni-video")
    assert page.contents[0].mime_type == "text/markdown" and "multi_shots" in page.contents[0].text
    encoded = await client.read_resource("unifically://models/kuaishou%2Fkling-3.0-omni-video")
    assert encoded.contents[0].text == page.contents[0].text
    with pytest.raises(MCPError):
        await client.read_resource("unifically://models/nope/nope")


async def test_listed_models_without_a_page_are_listed_as_undocumented(client, sim):
    assert set(undocumented_models()) == {"topaz-labs/image-generative"}
    rows = (await client.call_tool("list_models", {"category": "image"})).structured_content["models"]
    [row] = [r for r in rows if not r["documented"]]
    assert row == {"model": "topaz-labs/image-generative", "tool": "create_task", "category": "image",
                   "summary": "Topaz Image Generative: undocumented (listed without a page); create_task only.",
                   "documented": False}
    video = (await client.call_tool("list_models", {"category": "video"})).structured_content["models"]
    assert all(r["documented"] for r in video)
    described = await client.call_tool("describe_model", {"model": "topaz-labs/image-generative"})
    assert not described.is_error and "use create_task" in text_of(described)
    assert described.structured_content == {"model": "topaz-labs/image-generative", "tool": "create_task",
                                            "documented": False}
    assert sim.requests == []


async def test_describe_model_shows_each_caveat_next_to_its_example(client):
    for model in ("openai/gpt-image-1", "openai/gpt-image-1.5", "openai/gpt-image-2"):
        result = await client.call_tool("describe_model", {"model": model})
        text = text_of(result)
        example_end = text.index('"aspect_ratio": "16:9"')
        caveat = text.index("> Caveat: this example contradicts the parameter table")
        assert example_end < caveat < example_end + 120 and "create_task sends it as documented" in text
        [entry] = result.structured_content["caveats"]
        assert entry["input"]["aspect_ratio"] == "16:9" and "1:1, 2:3, 3:2" in entry["caveat"]


LEFTOVER = {"footnote asterisk": re.compile(r"(?<![*\w])\*(?=[A-Z][a-z])|\bYes\*(?!\*)"),
            "link": re.compile(r"\]\((?:/|#|https?:)"), "empty placeholder": re.compile(r"`<<>>`")}


def test_model_pages_carry_no_leftover_doc_markup():
    for tool in load_tool_specs():
        for model in tool.models.values():
            prose = re.sub(r"```.*?```", "", model.page, flags=re.DOTALL)  # examples stay verbatim
            for what, pattern in LEFTOVER.items():
                assert not pattern.search(prose), (model.id, what, pattern.search(prose).group(0))
            for ref in re.findall(r"[Ss]ee ([\w ]+?) below", prose):  # "see X below" points at a later heading
                after = prose[prose.index(ref):]
                assert re.search(rf"^#+ .*{re.escape(ref.split()[-1])}", after, re.I | re.M), (model.id, ref)


def test_shared_pages_keep_only_the_models_own_sections():
    from mcp_server.specs import find_model
    extend, fast = find_model("google/veo-3.1-extend").page, find_model("google/veo-3.1-fast").page
    assert "## Extend" in extend and "## Generate Parameters" not in extend and "## Upscale" not in extend
    assert "## Generate Parameters" in fast and "## Extend" not in fast
    hailuo = find_model("hailuo/minimax-2.3").page
    assert "### minimax-2.3" in hailuo and "### minimax-2.0" not in hailuo and "| Conditional |" in hailuo
