"""Clients that negotiated an older protocol version receive only what their version defines."""

from __future__ import annotations

import pytest

from mcp_server.simulator import LoopbackSimulator
from tests.conftest import make_sim
from tests.raw_session import RawSession
from tests.test_stdio import server_env

pytestmark = pytest.mark.anyio

CONTENT_TYPES = {
    "2024-11-05": {"text", "image", "resource"},
    "2025-03-26": {"text", "image", "audio", "resource"},
    "2025-06-18": {"text", "image", "audio", "resource", "resource_link"},
}
TASKS = (("generate_image_flux", {"model": "black-forest-labs/flux.2-pro", "prompt": "x"}),
         ("text_to_speech_elevenlabs", {"text": "hello", "voice": "Rachel"}))


@pytest.mark.parametrize("version", list(CONTENT_TYPES))
async def test_completed_media_calls_carry_only_the_versions_content(dirs, version):
    async with LoopbackSimulator(make_sim(task_seconds=2)) as loop:
        session = await RawSession.start(server_env(loop.url, dirs, UNIFICALLY_PREVIEWS="image,audio"))
        try:
            init = await session.initialize(version)
            assert init["result"]["protocolVersion"] == version
            listed = (await session.request("tools/list"))["result"]["tools"]
            modern = version == "2025-06-18"
            assert all(("outputSchema" in tool) == modern and ("title" in tool) == modern for tool in listed
                       if tool["name"] == "create_task")
            assert all("icons" not in tool and "execution" not in tool for tool in listed)
            if version == "2024-11-05":
                assert all("annotations" not in tool for tool in listed)
            prompts = (await session.request("prompts/list"))["result"]["prompts"]
            assert prompts and all(("title" in prompt) == modern and "icons" not in prompt for prompt in prompts)
            for tool, arguments in TASKS:
                answer = await session.request("tools/call", {"name": tool, "arguments": arguments})
                result = answer["result"]
                assert not result.get("isError"), result
                kinds = {block["type"] for block in result["content"]}
                assert kinds <= CONTENT_TYPES[version], (version, kinds)
                assert ("structuredContent" in result) == modern
                text = "\n".join(block["text"] for block in result["content"] if block["type"] == "text")
                assert "unifically://tasks/" in text or modern  # the links, as text
                assert str(dirs["out"]) in text and "http://" in text  # saved paths and URLs
                if version == "2025-03-26" and tool.startswith("text_to_speech"):
                    assert "audio" in kinds
        finally:
            await session.close()
