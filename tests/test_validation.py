"""Tests of the run-time spec loader and the per-model validator, on the committed specs."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from mcp_server.errors import InvalidInput
from mcp_server.specs import all_model_ids, find_model, find_tool, load_tool_specs
from mcp_server.validation import CHECKS, validate_input

ALL_MODELS = [m for tool in load_tool_specs() for m in tool.models.values()]


def problems(model_id: str, api_input: dict) -> list[str]:
    """The bullets of the InvalidInput message for an input that must be refused (the header is checked)."""
    with pytest.raises(InvalidInput) as info:
        validate_input(find_model(model_id), api_input)
    header, *lines = info.value.message.split("\n")
    assert header == f"Invalid input for {model_id}:" and lines and all(line.startswith("- ") for line in lines)
    return [line[2:] for line in lines]


def test_examples_are_attributed():
    assert sum(len(m.examples) + len(m.refused_examples) for m in ALL_MODELS) == 193
    assert sum(len(m.refused_examples) for m in ALL_MODELS) == 3


def test_loader():
    assert len(load_tool_specs()) == 43
    ids = all_model_ids()
    assert len(ids) == 97 and "topaz-labs/image-generative" not in ids
    veo = find_model("google/veo-3.1-quality")
    assert veo.tool == "generate_video_veo" and veo.typical_seconds == 240 and veo.outputs == "video"
    assert "## Reference Mode" in veo.page and find_model("nope/none") is None
    assert find_model("elevenlabs/speech-to-text").outputs == "text"


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.id)
def test_documented_examples(model):
    for example in model.examples:
        validate_input(model, example["input"])
    for example in model.refused_examples:
        assert example["reason"] and example["curation"]
        with pytest.raises(InvalidInput):
            validate_input(model, example["input"])


def test_every_rule_kind_is_enforced_and_fields_exist():
    for model in ALL_MODELS:
        props = model.schema["properties"]
        for rule in model.rules:
            assert rule["kind"] in CHECKS and rule["reason"]
            scope = props[rule["each"]]["items"]["properties"] if "each" in rule else props
            named = [*rule.get("fields", []), *rule.get("requires", []), *rule.get("when", {})]
            named += [rule["field"]] if "field" in rule and "array" not in rule else []
            for name in named:
                if rule["kind"] != "unsupported":
                    assert name.split("[")[0] in scope, (model.id, rule)


def test_split_multi_and_single_model_tools():
    kling = find_tool("generate_video_kling")
    assert kling.multi_model
    assert kling.split({"model": "kuaishou/kling-2.6-video", "prompt": "a", "dry_run": True, "wait_seconds": 5,
                        "callback_url": "https://x"}) == ("kuaishou/kling-2.6-video", {"prompt": "a"})
    with pytest.raises(InvalidInput, match=r'model: is missing; allowed: "kuaishou/kling-3.0-video"'):
        kling.split({"prompt": "a"})
    with pytest.raises(InvalidInput, match=r'"kuaishou/kling-o1-video" is not a model of generate_video_kling'):
        kling.split({"model": "kuaishou/kling-o1-video"})
    extend = find_tool("extend_video_veo")
    assert not extend.multi_model and "model" in extend.input_schema["properties"]
    assert extend.split({"prompt": "p", "task_id": "t", "model": "fast"}) == (
        "google/veo-3.1-extend", {"prompt": "p", "task_id": "t", "model": "fast"})


def test_schemas_are_valid_and_union_accepts_every_example():
    for tool in load_tool_specs():
        Draft202012Validator.check_schema(tool.input_schema)
        union = Draft202012Validator(tool.input_schema)
        for model in tool.models.values():
            Draft202012Validator.check_schema(model.schema)
            for example in model.examples:
                arguments = {**example["input"], **({"model": model.id} if tool.multi_model else {})}
                assert not list(union.iter_errors(arguments)), (tool.name, model.id, example["line"])


def test_union_schema_and_required():
    veo = find_tool("generate_video_veo").input_schema
    assert veo["required"] == ["model", "prompt"] and veo["additionalProperties"] is False
    assert "not quality" in veo["properties"]["reference_image_urls"]["description"]
    kling = find_tool("generate_video_kling").input_schema["properties"]
    assert kling["duration"].get("minimum") is None  # enum-only models: no range in the union
    cs = find_tool("generate_video_cinematic_studio").input_schema["properties"]
    assert cs["duration"]["minimum"] == 3 and cs["duration"]["maximum"] == 15  # widest range
    assert {"drama", "western", "auto"} <= set(cs["genre"]["enum"])  # union of enums


def test_header_and_one_bullet_per_problem():
    with pytest.raises(InvalidInput) as info:
        validate_input(find_model("openai/gpt-image-1"), {"prompt": "p", "aspect_ratio": "4:5"})
    assert info.value.message == ('Invalid input for openai/gpt-image-1:\n'
                                  '- aspect_ratio: "4:5" is not allowed; allowed: "1:1", "2:3", "3:2"')
    with pytest.raises(InvalidInput, match=r'^Invalid input for suno-ai/music:\n- input: expected an object'):
        validate_input(find_model("suno-ai/music"), "text")


def test_out_of_range_and_wrong_type_and_missing():
    assert problems("kuaishou/kling-o1-video", {"prompt": "p", "duration": 15}) == [
        "duration: 15 is above the maximum 10 (allowed 3–10)"]
    assert problems("google/veo-3.1-fast", {"seed": "abc"}) == [
        "prompt: missing; it is required", 'seed: expected integer, got "abc"']


def test_missing_required_fields_are_listed_once():
    assert problems("suno-ai/extend", {"mv": "chirp-bluejay", "clip_id": "c"}) == [
        "custom: missing; it is required", "continue_at: missing; it is required"]


def test_pattern_alternative_is_named():
    assert problems("suno-ai/music", {"mv": "v5", "custom": False}) == [
        'mv: "v5" is not allowed; allowed: "chirp-v3-5", "chirp-v4", "chirp-auk", "chirp-bluejay", "chirp-crow", '
        '"chirp-fenix" or a string matching ^chirp-custom:.+ (chirp-custom:<id> from train_model_suno)']


def test_unknown_and_unsupported_parameters():
    [line] = problems("google/veo-3.1-fast", {"prompt": "p", "promt": "p"})
    assert line.startswith('unknown parameter "promt" (did you mean "prompt"?); allowed: aspect_ratio, ')
    assert problems("google/veo-3.1-quality", {"prompt": "p", "reference_image_urls": ["https://x/a.png"]}) == [
        "reference_image_urls: not supported by google/veo-3.1-quality "
        "(reference mode and voice are only on fast, fast-relaxed, lite, lite-relaxed)"]
    [line] = problems("black-forest-labs/flux.2-klein-4b", {"prompt": "p", "steps": 4})
    assert line == ('steps: not supported by black-forest-labs/flux.2-klein-4b '
                    '(docs: "Klein models do not support guidance, steps, or prompt_upsampling.")')


def test_exclusive_fields():
    assert problems("kuaishou/kling-3.0-omni-video", {"prompt": "p", "multi_shots": [
        {"prompt": "a", "duration": 2}, {"prompt": "b", "duration": 3}]}) == [
        "prompt and multi_shots cannot be combined; send only one"]
    assert problems("google/veo-3.1-fast", {"prompt": "p", "start_image_url": "https://x/s.png",
                                            "reference_image_urls": ["https://x/r.png"]}) == [
        "start_image_url and reference_image_urls cannot be combined; send only one"]


def test_requires_and_at_least_one():
    assert problems("google/veo-3.1-lite", {"prompt": "p", "end_image_url": "https://x/e.png"}) == [
        "end_image_url requires start_image_url"]
    assert problems("google/veo-3.1-fast", {"prompt": "p", "voice": "achird"}) == [
        "voice requires reference_image_urls"]
    assert problems("hailuo/minimax-2.3", {"duration": 6}) == ["one of prompt, start_image_url is required"]
    assert problems("suno-ai/cover", {"mv": "chirp-bluejay", "custom": False}) == [
        "one of clip_id, audio_url is required (clip_id for a Suno clip, audio_url for uploaded audio)"]


def test_too_many_items_and_too_long():
    assert "reference_image_urls: 4 items is more than the maximum 3 (allowed 1–3 items)" in problems(
        "google/veo-3.1-fast", {"prompt": "p", "reference_image_urls": ["u"] * 4})
    assert problems("hailuo/minimax-2.0", {"prompt": "x" * 2001}) == [
        "prompt: 2001 characters is longer than the maximum 2000"]


def test_conditional_requirement_with_default():
    cs = "higgsfield-ai/cinematic-studio-video-3.0"
    assert problems(cs, {"duration": 5}) == ['prompt: missing; it is required when shot_mode is "single" (the default)']
    assert problems(cs, {"shot_mode": "multi_shot_manual"}) == [
        'multi_shots: missing; it is required when shot_mode is "multi_shot_manual"']
    validate_input(find_model(cs), {"shot_mode": "multi_shot_manual", "multi_shots": [{"prompt": "a", "duration": 4}]})


def test_per_value_limits():
    assert problems("hailuo/minimax-2.3", {"prompt": "p", "resolution": "1080p", "duration": 10}) == [
        'duration: 10 is not allowed when resolution is "1080p"; allowed: 6']
    assert problems("hailuo/minimax-2.0", {"prompt": "p", "resolution": "512p"}) == [
        'start_image_url: missing; it is required when resolution is "512p" (512p is image-to-video only)']
    assert problems("kuaishou/kling-2.6-video", {"prompt": "p", "voices": [{"voice_id": 1}]}) == [
        "native_audio: false (the default) is not allowed when voices is set; allowed: true"]
    assert problems("alibaba/wan-2.2-flash-video", {"prompt": "p", "resolution": "720p"}) == [
        'resolution: "720p" is not allowed when mode is "t2v" (the default); allowed: "480p", "1080p" '
        "(720p is image-to-video only)"]


def test_sum_count_and_item_rules():
    shots = [{"prompt": "a", "duration": 6}, {"prompt": "b", "duration": 10}]
    assert problems("kuaishou/kling-3.0-video", {"multi_shots": shots}) == [
        "the total multi_shots[].duration is 16; allowed 3–15"]
    assert problems("kuaishou/kling-3.0-video", {"multi_shots": [{"prompt": "a", "duration": 3}, {"prompt": "b"}]}) \
        == ["multi_shots[1].duration: missing; it is required"]
    assert problems("kuaishou/kling-3.0-omni-video", {"video_mode": "elements", "prompt": "p", "image_urls": ["u"] * 5,
                                                      "elements": [{"image_urls": ["u"]}] * 3}) == [
        'the number of items in image_urls + elements is 8; allowed at most 7 when video_mode is "elements"']
    assert problems("bytedance/seedance-1.0-fast", {"mode": "multi_frame", "frames": [{"prompt": "a"}]}) == [
        "frames: at least one item needs image_url"]
    assert problems("kuaishou/kling-2.6-video", {"prompt": "p", "native_audio": True, "voices": [
        {"voice_id": 1, "voice_url": "https://x/v.mp3"}]}) == [
        "voices[0].voice_id and voices[0].voice_url cannot be combined; send only one"]


def test_forbidden_selector_and_length_limits():
    assert problems("alibaba/wan-2.6-video", {"prompt": "p", "mode": "r2v", "video_urls": ["u"], "seed": 1}) == [
        'seed: not allowed when mode is "r2v"']
    both = {"video_mode": "transform", "prompt": "p", "aspect_ratio": "auto", "video_url": "v",
            "elements": [{"type": "video", "video_url": "w"}]}
    assert problems("kuaishou/kling-3.0-omni-video", both) == [
        "video_url and elements[type=video] cannot be combined; send only one"]
    assert problems("kuaishou/kling-3.0-omni-video", {"prompt": "p", "image_urls": ["u"]}) == [
        "image_urls: not allowed when video_mode is not set "
        "(without video_mode the model is text-to-video only; set video_mode to use inputs)"]
    assert problems("suno-ai/music", {"mv": "chirp-v4", "custom": True, "prompt": "x" * 3001}) == [
        'prompt: 3001 characters is longer than the maximum 3000 when mv is "chirp-v4"']
    validate_input(find_model("suno-ai/music"), {"mv": "chirp-custom:b7bc", "custom": True, "prompt": "x" * 3001})


def test_all_problems_are_reported_together_and_once():
    lines = problems("kuaishou/kling-o1-video", {"prompt": "p", "duration": 15, "aspect_ratio": "4:5", "promt": "x"})
    assert [line.split(":")[0].split(" ")[0] for line in lines] == ["unknown", "aspect_ratio", "duration"]
    # the aspect_ratio rule for inputs without video_url does not repeat what the schema already refused
    assert not any("when video_url is not set" in line for line in lines)
