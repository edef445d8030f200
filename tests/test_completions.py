"""completion/complete: model ids, task ids and file numbers from local data; voices from the docs and, once
per server, the account's voice list."""

from __future__ import annotations

import pytest
from mcp.client import Client
from mcp_types import PromptReference, ResourceTemplateReference

from mcp_server.completions import parse_voices
from mcp_server.server import build_server
from mcp_server.simulator import Fault
from mcp_server.specs import all_model_ids
from mcp_server.workflows import example_values
from tests.conftest import make_settings, make_sim, text_of

pytestmark = pytest.mark.anyio

MODELS = ResourceTemplateReference(uri="unifically://models/{+model_id}")
TASKS = ResourceTemplateReference(uri="unifically://tasks/{task_id}")
FILES = ResourceTemplateReference(uri="unifically://tasks/{task_id}/files/{n}")
DOCUMENTED_VOICES = example_values("elevenlabs/text-to-dialogue", "voice")


def voice_requests(sim) -> list:
    return [r for r in sim.requests if r.path == "/v1/resources/elevenlabs/voices"]


async def values(client: Client, ref, name: str, typed: str, context: dict | None = None) -> list[str]:
    return (await client.complete(ref, {"name": name, "value": typed}, context)).completion.values


async def test_model_ids_complete_for_the_model_template_and_prompt_arguments(client):
    assert await values(client, MODELS, "model_id", "google/veo-3.1-f") == ["google/veo-3.1-fast",
                                                                           "google/veo-3.1-fast-relaxed"]
    everything = (await client.complete(MODELS, {"name": "model_id", "value": ""})).completion
    assert everything.values == all_model_ids() and everything.total == 97 and not everything.has_more
    assert "google/veo-3.1-quality" in await values(client, MODELS, "model_id", "quality")  # inside the id
    video = await values(client, PromptReference(name="image_to_video"), "video_model", "google/")
    assert "google/veo-3.1-fast" in video and "google/veo-3.1-extend" not in video  # only image-to-video models
    assert await values(client, PromptReference(name="long_video"), "model", "xai") == ["xai/grok-imagine-video"]
    assert await values(client, PromptReference(name="custom_voice"), "language", "f") == ["fr"]
    assert await values(client, PromptReference(name="nope"), "model", "") == []


async def test_task_ids_and_file_numbers_complete_from_the_journal(client):
    made = []
    for prompt in ("one", "two"):
        result = await client.call_tool("generate_image_flux", {"model": "black-forest-labs/flux.2-pro",
                                                                "prompt": prompt})
        assert result.structured_content["status"] == "completed", text_of(result)
        made.append(result.structured_content)
    first = made[0]["task_id"]
    assert set(await values(client, TASKS, "task_id", "")) == {task["task_id"] for task in made}
    assert await values(client, FILES, "task_id", first[:6]) == [first]
    assert await values(client, FILES, "n", "", {"task_id": first}) == [
        str(n) for n in range(1, len(made[0]["files"]) + 1)]
    assert await values(client, FILES, "n", "", {"task_id": "unknown"}) == []


async def test_voice_ids_come_from_the_docs_and_the_account_list_fetched_once(dirs):
    sim = make_sim()
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        podcast = PromptReference(name="podcast")
        offered = await values(client, podcast, "host_voice", "")
        assert offered[:len(DOCUMENTED_VOICES)] == DOCUMENTED_VOICES and len(offered) > len(DOCUMENTED_VOICES)
        assert await values(client, podcast, "guest_voice", "Rach") == ["21m00Tcm4TlvDq8ikWAM"]  # by name
        assert await values(client, podcast, "guest_voice", "21m") == ["21m00Tcm4TlvDq8ikWAM"]  # by id
    assert len(voice_requests(sim)) == 1


async def test_without_a_key_voices_are_the_documented_ones_and_nothing_is_sent(dirs):
    sim = make_sim()
    async with Client(build_server(make_settings(dirs, api_key=None), sim.transport())) as client:
        assert await values(client, PromptReference(name="podcast"), "host_voice", "") == DOCUMENTED_VOICES
    assert sim.requests == []


async def test_a_failed_voice_list_falls_back_and_is_not_retried_per_keystroke(dirs):
    sim = make_sim()
    sim.add_fault(Fault(kind="status", status=401, message="Invalid API key provided", times=-1,
                        path="/v1/resources/elevenlabs/voices"))
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        for typed in ("", "T", "TX"):
            assert set(await values(client, PromptReference(name="podcast"), "host_voice", typed)) <= set(
                DOCUMENTED_VOICES)
    assert len(voice_requests(sim)) == 1


def test_voice_listings_of_either_documented_shape_parse():
    assert parse_voices({"voices": [{"voice_id": "a", "name": "Rachel"}, {"name": "no id"}]}) == [("a", "Rachel")]
    assert parse_voices([{"id": "b", "name": "Sarah"}, "junk"]) == [("b", "Sarah")]
    assert parse_voices(None) == [] and parse_voices({"voices": "x"}) == []
