"""Typed family tools through the MCP Client: per-model validation before sending, chaining outputs."""

from __future__ import annotations

import pytest

from tests.conftest import posts, text_of

pytestmark = pytest.mark.anyio

VEO = {"model": "google/veo-3.1-fast", "prompt": "a cat"}
OMNI = {"model": "kuaishou/kling-3.0-omni-video"}

REFUSED = [
    ("bad enum", "generate_video_veo", {**VEO, "aspect_ratio": "4:5"}, ["aspect_ratio", "16:9", "9:16"]),
    ("out of range", "generate_video_kling_omni", {**OMNI, "prompt": "x", "duration": 99},
     ["duration", "15"]),
    ("per-model range", "generate_video_kling_omni", {"model": "kuaishou/kling-o1-video", "prompt": "x",
                                                      "duration": 15}, ["duration", "kuaishou/kling-o1-video", "10"]),
    ("missing required", "generate_video_veo", {"model": "google/veo-3.1-fast"}, ["prompt", "required"]),
    ("wrong type", "generate_video_veo", {**VEO, "seed": "seven"}, ["seed", "integer"]),
    ("exclusive fields", "generate_video_veo", {**VEO, "start_image_url": "https://x/a.png",
                                                "reference_image_urls": ["https://x/b.png"]},
     ["start_image_url", "reference_image_urls"]),
    ("dependency", "generate_video_veo", {**VEO, "end_image_url": "https://x/a.png"},
     ["end_image_url", "start_image_url"]),
    ("model-only field", "generate_video_veo", {"model": "google/veo-3.1-quality", "prompt": "x",
                                                "reference_image_urls": ["https://x/b.png"]},
     ["reference_image_urls", "google/veo-3.1-quality"]),
    ("too many items", "generate_video_kling_omni", {**OMNI, "prompt": "x",
                                                     "image_urls": [f"https://x/{n}.png" for n in range(9)]},
     ["image_urls", "7"]),
    ("unknown parameter", "generate_video_veo", {**VEO, "promt": "typo"}, ["promt"]),
    ("unknown model", "generate_video_veo", {"model": "google/veo-9", "prompt": "x"},
     ["model", "google/veo-3.1-fast"]),
    ("per-value limit", "generate_video_hailuo", {"model": "hailuo/minimax-2.3", "prompt": "x",
                                                  "resolution": "1080p", "duration": 10}, ["duration", "1080p"]),
]


@pytest.mark.parametrize(("rule", "tool", "arguments", "expected"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_invalid_inputs_are_refused_before_sending(client, sim, rule, tool, arguments, expected):
    result = await client.call_tool(tool, arguments)
    assert result.is_error, (rule, text_of(result))
    message = text_of(result)
    for word in expected:
        assert word in message, (rule, word, message)
    assert sim.requests == []


async def test_typed_tool_sends_model_and_input_exactly(client, sim):
    result = await client.call_tool("generate_video_veo", {**VEO, "aspect_ratio": "9:16", "wait_seconds": 5,
                                                           "callback_url": "https://hook.example/x"})
    assert not result.is_error, text_of(result)
    assert result.structured_content["status"] == "completed"
    [post] = posts(sim)
    assert post.json == {"model": "google/veo-3.1-fast", "input": {"prompt": "a cat", "aspect_ratio": "9:16"},
                         "callback_url": "https://hook.example/x"}


async def test_single_model_tools_take_no_model_argument_but_veo_extend_keeps_its_own(client, sim):
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert "model" not in tools["text_to_speech_elevenlabs"].input_schema["properties"]
    assert tools["extend_video_veo"].meta["unifically/models"] == ["google/veo-3.1-extend"]
    result = await client.call_tool("extend_video_veo", {"prompt": "more", "task_id": "abc", "model": "fast"})
    assert not result.is_error, text_of(result)
    assert posts(sim)[0].json == {"model": "google/veo-3.1-extend",
                                  "input": {"prompt": "more", "task_id": "abc", "model": "fast"}}


async def test_dry_run_through_a_typed_tool(client, sim):
    result = await client.call_tool("generate_image_flux", {"model": "black-forest-labs/flux.2-pro",
                                                            "prompt": "x", "dry_run": True})
    assert result.structured_content["status"] == "dry_run" and result.structured_content["cost"] is not None
    assert sim.created_tasks() == []


async def test_suno_clips_chain_into_wav_stems_and_extend(client, sim):
    music = await client.call_tool("generate_music_suno", {"mv": "chirp-bluejay", "custom": False,
                                                           "gpt_description_prompt": "a song about rain"})
    clip_id = music.structured_content["output"]["clips"][0]["clip_id"]
    for tool, arguments in [("export_wav_suno", {"clip_id": clip_id}),
                            ("separate_stems_suno", {"model": "suno-ai/stems", "clip_id": clip_id}),
                            ("edit_music_suno", {"model": "suno-ai/extend", "clip_id": clip_id,
                                                 "mv": "chirp-bluejay", "custom": False, "continue_at": 30})]:
        result = await client.call_tool(tool, arguments)
        assert not result.is_error, (tool, text_of(result))
        assert posts(sim)[-1].json["input"]["clip_id"] == clip_id


async def test_lyrics_and_custom_models_chain_into_music(client, sim):
    lyrics = await client.call_tool("generate_lyrics_suno", {"prompt": "rain", "mv": "remi-v1"})
    text = lyrics.structured_content["output"]["a"]["text"]
    trained = await client.call_tool("train_model_suno", {"name": "mine",
                                                          "audio_urls": [f"https://x/{n}.wav" for n in range(6)]})
    mv = trained.structured_content["output"]["mv"]
    song = await client.call_tool("generate_music_suno", {"mv": mv, "custom": True, "prompt": text})
    assert not song.is_error, text_of(song)
    assert posts(sim)[-1].json["input"] == {"mv": mv, "custom": True, "prompt": text}


async def test_voice_persona_and_rejected_verification(client, sim):
    arguments = {"voice_audio_url": "https://x/v.wav", "verification_audio_url": "https://x/p.wav",
                 "phrase_id": "p1", "name": "Me"}
    voice = await client.call_tool("create_voice_suno", arguments)
    assert voice.structured_content["output"]["persona_id"]
    sim.fail_model("suno-ai/voice", "Voice verification rejected: didnt_say_verification_phrase")
    rejected = await client.call_tool("create_voice_suno", {**arguments, "allow_duplicate": True})
    assert rejected.is_error and "didnt_say_verification_phrase" in text_of(rejected)
    assert rejected.structured_content["task_id"] in text_of(rejected)


async def test_transcript_words_are_data_and_chain_into_speech(client, sim):
    result = await client.call_tool("speech_to_text_elevenlabs", {"audio_url": "https://x/a.wav"})
    output = result.structured_content["output"]
    assert output["words"] and {"text", "start", "end"} <= set(output["words"][0])
    spoken = await client.call_tool("text_to_speech_elevenlabs", {"text": output["text"], "voice": "Rachel"})
    assert not spoken.is_error and posts(sim)[-1].json["input"]["text"] == output["text"]
