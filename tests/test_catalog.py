"""Model discovery: list_models, describe_model, and model pages as MCP resources."""

from __future__ import annotations

import pytest
from mcp.shared.exceptions import MCPError

from mcp_server.specs import all_model_ids
from tests.conftest import text_of

pytestmark = pytest.mark.anyio


async def test_list_models_covers_every_documented_model(client, sim):
    result = await client.call_tool("list_models", {})
    rows = result.structured_content["models"]
    assert sorted(row["model"] for row in rows) == sorted(all_model_ids())
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
