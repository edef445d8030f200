"""Inputs from anywhere: local paths, data URIs and task references in URL-typed inputs, resolved to URLs."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from mcp_server.inputs import references
from tests.conftest import posts, text_of

pytestmark = pytest.mark.anyio

PNG = (Path(__file__).parent.parent / "mcp_server/simulator/media/sample.png").read_bytes()
VEO = {"model": "google/veo-3.1-fast", "prompt": "a cat"}


def uploads(sim) -> list:
    return [r for r in sim.requests if r.method == "PUT"]


async def test_local_path_is_uploaded_and_sent_as_url(client, sim, dirs):
    (dirs["in"] / "start.png").write_bytes(PNG)
    result = await client.call_tool("generate_video_veo", {**VEO, "start_image_url": str(dirs["in"] / "start.png")})
    assert not result.is_error, text_of(result)
    [put] = uploads(sim)
    assert put.form["file"]["size"] == len(PNG)
    sent = posts(sim)[0].json["input"]["start_image_url"]
    assert sent.startswith("http") and sent.endswith(".png")


async def test_data_uri_and_nested_element_fields(client, sim, dirs):
    (dirs["in"] / "face.png").write_bytes(PNG)
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    arguments = {"model": "kuaishou/kling-3.0-omni-video", "prompt": "@Element1 waves", "video_mode": "elements",
                 "image_urls": [uri],
                 "elements": [{"type": "image", "image_urls": [str(dirs["in"] / "face.png"), "https://x/b.png"]}]}
    result = await client.call_tool("generate_video_kling_omni", arguments)
    assert not result.is_error, text_of(result)
    assert len(uploads(sim)) == 2
    sent = posts(sim)[0].json["input"]
    assert sent["image_urls"][0].startswith("http") and sent["elements"][0]["image_urls"][1] == "https://x/b.png"
    assert sent["elements"][0]["image_urls"][0].startswith("http")
    assert sent["prompt"] == "@Element1 waves"  # only URL-typed fields are touched


async def test_task_reference_uses_an_earlier_output(client, sim):
    image = await client.call_tool("generate_image_flux", {"model": "black-forest-labs/flux.2-pro", "prompt": "x"})
    task_id = image.structured_content["task_id"]
    result = await client.call_tool("generate_video_veo", {**VEO, "start_image_url": f"task:{task_id}"})
    assert not result.is_error, text_of(result)
    assert posts(sim)[-1].json["input"]["start_image_url"] == image.structured_content["urls"][0]
    many = await client.call_tool("generate_image_seedream", {"model": "bytedance/seedream-4.5", "prompt": "x"})
    second = many.structured_content["urls"][1]
    again = await client.call_tool("generate_video_veo",
                                   {**VEO, "start_image_url": f"task:{many.structured_content['task_id']}#2"})
    assert not again.is_error and posts(sim)[-1].json["input"]["start_image_url"] == second
    assert uploads(sim) == []


async def test_create_task_input_is_resolved_for_documented_models(client, sim, dirs):
    (dirs["in"] / "a.png").write_bytes(PNG)
    api_input = {"prompt": "x", "start_image_url": str(dirs["in"] / "a.png")}
    result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": api_input})
    assert not result.is_error, text_of(result)
    assert posts(sim)[0].json["input"]["start_image_url"].startswith("http")


async def test_bad_references_are_refused_and_nothing_is_sent(client, sim, dirs, tmp_path):
    sim.config.durations["black-forest-labs/flux.2-flex"] = 60
    pending = await client.call_tool("generate_image_flux", {"model": "black-forest-labs/flux.2-flex",
                                                             "prompt": "x", "wait_seconds": 0})
    pending_id = pending.structured_content["task_id"]
    done = await client.call_tool("generate_image_flux", {"model": "black-forest-labs/flux.2-pro", "prompt": "x"})
    done_id = done.structured_content["task_id"]
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG)
    (dirs["in"] / "escape.png").symlink_to(outside)
    requests_before = len(sim.requests)
    cases = [(str(dirs["in"] / "missing.png"), "does not exist"),
             (str(outside), "outside the allowed"),
             (str(dirs["in"] / "escape.png"), "is a symlink"),
             (str(dirs["in"] / ".." / "outside.png"), "outside the allowed"),
             ("data:image/png;base64,@@@", "not valid base64"),
             (f"task:{pending_id}", "not completed"),
             (f"task:{done_id}#5", "out of range"),
             ("task:does-not-exist", "cannot use")]
    for value, expected in cases:
        result = await client.call_tool("generate_video_veo", {**VEO, "start_image_url": value})
        assert result.is_error and expected in text_of(result) and "start_image_url" in text_of(result), value
    sent = sim.requests[requests_before:]
    assert [r.method for r in sent] == ["GET", "GET"]  # only the two task lookups; no upload, no create


def test_reference_paths_follow_the_spec_fields():
    value = {"image_urls": ["a.png", "https://x"], "elements": [{"image_urls": ["b.png"]}, {"video_url": "c.mp4"}]}
    fields = ("image_urls[]", "elements[].image_urls[]", "elements[].video_url")
    assert references(value, fields) == [("a.png", "image_urls[0]"), ("b.png", "elements[0].image_urls[0]"),
                                         ("c.mp4", "elements[1].video_url")]


async def test_task_and_clip_ids_accept_task_references(client, sim):
    video = await client.call_tool("generate_video_veo", VEO)
    video_id = video.structured_content["task_id"]
    extended = await client.call_tool("extend_video_veo", {"prompt": "more", "task_id": f"task:{video_id}",
                                                           "model": "fast"})
    assert not extended.is_error, text_of(extended)
    assert posts(sim)[-1].json["input"]["task_id"] == video_id
    music = await client.call_tool("generate_music_suno", {"mv": "chirp-crow", "custom": False,
                                                           "gpt_description_prompt": "rain"})
    clips = music.structured_content["output"]["clips"]
    wav = await client.call_tool("export_wav_suno", {"clip_id": f"task:{music.structured_content['task_id']}#2"})
    assert not wav.is_error and posts(sim)[-1].json["input"] == {"clip_id": clips[1]["clip_id"]}
    count = len(posts(sim))
    bad = await client.call_tool("export_wav_suno", {"clip_id": f"task:{music.structured_content['task_id']}#9"})
    assert bad.is_error and "clip_id" in text_of(bad) and "out of range" in text_of(bad)
    assert len(posts(sim)) == count
