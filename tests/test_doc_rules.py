"""Each class of documented rule holds for every model that has the feature (the committed specs, validated the way
the server validates a call): prose limits, non-empty requirements, mode-dependent fields, nested lists, indexes and
counts. Inputs start from a documented example of the model and change one thing."""

from __future__ import annotations

import copy
import json

import pytest

from mcp_server.errors import InvalidInput
from mcp_server.rules import _holds
from mcp_server.specs import ModelSpec, find_model, load_tool_specs
from mcp_server.validation import validate_input
from tool_specs.limits import array_limits, number_limits, string_limits

MODELS = [m for tool in load_tool_specs() for m in tool.models.values()]
URL = "https://example.com/a.png"


def problems(model: ModelSpec, api_input: dict) -> list[str]:
    try:
        validate_input(model, api_input)
    except InvalidInput as exc:
        return exc.message.split("\n")[1:]
    return []


def example(model: ModelSpec, when: dict | None = None) -> dict | None:
    """A documented input of the model (one where ``when`` holds, if given); without ``when``, a minimal valid
    input for the few models whose only example is refused or missing."""
    props = model.schema["properties"]
    found = next((copy.deepcopy(e["input"]) for e in model.examples if _holds(when, e["input"], props)), None)
    if found is not None or when is not None:
        return found
    minimal = {name: sample(props[name]) for name in model.schema.get("required", [])}
    for rule in model.rules:
        if rule["kind"] == "at_least_one" and not rule.get("when") and "each" not in rule:
            minimal.setdefault(rule["fields"][0], sample(props[rule["fields"][0]]))
    validate_input(model, minimal)
    return minimal


def sample(schema: dict) -> object:
    """A value of the right type for a field."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [sample(schema.get("items", {"type": "string"}))]
    if kind == "object":
        return {}
    return {"integer": schema.get("minimum", 1), "number": schema.get("minimum", 1), "boolean": True}.get(kind, URL)


def rules_of(kind: str) -> list[tuple[ModelSpec, dict]]:
    return [(m, r) for m in MODELS for r in m.rules if r["kind"] == kind]


def test_every_model_has_a_valid_base_input():
    assert all(example(m) is not None for m in MODELS)


# ---- 1. limits stated in prose ----

@pytest.mark.parametrize(("text", "expected"), [
    ("Media URLs (images/videos/audio). Audio max 15s. **Required** for `omni_reference`. Max 9.", {"maxItems": 9}),
    ("up to 4 images", {"maxItems": 4}), ("at least 1", {"minItems": 1}), ("between 3 and 15", {"minItems": 3,
                                                                                             "maxItems": 15}),
    ("1-10 items", {"minItems": 1, "maxItems": 10}), ("at most 5 references", {"maxItems": 5}),
    ("no more than 2", {"maxItems": 2}), ("Reference videos. Duration: 1-30s. Max 100MB each", {}),
])
def test_array_limits_in_prose(text, expected):
    assert array_limits(text) == expected


def test_string_and_number_limits_in_prose():
    assert string_limits("Prompt. Max 2000 chars. *Required if no `x`") == {"maxLength": 2000}
    assert string_limits("between 3 and 40 characters") == {"minLength": 3, "maxLength": 40}
    assert string_limits("at least 10 characters") == {"minLength": 10}
    assert string_limits("Audio max 15s") == {}
    assert number_limits("Max number of speakers (up to 32)") == {"maximum": 32}
    assert number_limits("at least 2") == {"minimum": 2}


def test_every_item_limit_is_enforced():
    checked = 0
    for model in MODELS:
        for name, prop in model.schema["properties"].items():
            if prop.get("type") != "array" or "maxItems" not in prop:
                continue
            api_input = {**example(model), name: [sample(prop["items"])] * (prop["maxItems"] + 1)}
            assert any(line.startswith(f"- {name}: {prop['maxItems'] + 1} items is more than the maximum")
                       for line in problems(model, api_input)), (model.id, name)
            checked += 1
    assert checked >= 40
    assert find_model("bytedance/seedance-2.0-fast").schema["properties"]["references"]["maxItems"] == 9


# ---- 2. required means non-empty ----

def test_required_strings_and_arrays_refuse_empty_values():
    checked = 0
    for model in MODELS:
        props = model.schema["properties"]
        for name in model.schema.get("required", []):
            empty = {"string": "", "array": []}.get(props[name].get("type"))
            if empty is None or "enum" in props[name]:
                continue
            assert any(f"{name}:" in line for line in problems(model, {**example(model), name: empty})), (model.id,
                                                                                                          name)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("kind", ["at_least_one", "required_if"])
def test_requirements_refuse_empty_values(kind):
    checked = 0
    for model, rule in rules_of(kind):
        base = example(model, rule.get("when"))
        if "each" in rule or base is None or not any(f in base for f in rule["fields"]):
            continue
        props = model.schema["properties"]
        emptied = {**base, **{f: "" if props[f].get("type") == "string" else [] for f in rule["fields"] if f in base}}
        lines = problems(model, emptied)
        assert any(f in line for line in lines for f in rule["fields"]), (model.id, rule)
        checked += 1
    assert checked >= 5
    wan = find_model("alibaba/wan-2.7-video")
    assert problems(wan, {"mode": "r2v", "prompt": "p", "reference_image_urls": []}) == [
        '- one of reference_image_urls, reference_video_urls is required when mode is "r2v"']


# ---- 3. mode-dependent parameters ----

def _switch_rules() -> list[tuple[ModelSpec, dict]]:
    def switch(schema: dict) -> bool:
        return "enum" in schema or schema.get("type") == "boolean"
    return [(m, r) for m, r in rules_of("forbidden_if") if "each" not in r and any(
        isinstance(v, list) and switch(m.schema["properties"].get(k, {})) for k, v in r.get("when", {}).items())]


def test_other_modes_fields_are_refused():
    checked = 0
    for model, rule in _switch_rules():
        (switch, values), = rule["when"].items()
        props = model.schema["properties"]
        for value in values:
            for field in rule["fields"]:
                api_input = {**example(model), switch: value, field: sample(props[field])}
                assert f"- {field}: not allowed when {switch} is {json.dumps(value)}" in "\n".join(
                    problems(model, api_input)), (model.id, field, value)
                checked += 1
    assert checked > 60
    omni = find_model("kuaishou/kling-3.0-omni-video")
    assert '- video_url: not allowed when video_mode is "start_end_frame"' in problems(omni, {
        "video_mode": "start_end_frame", "prompt": "p", "start_frame_url": URL, "video_url": URL})


def test_each_modes_own_fields_are_required():
    checked = 0
    for model, rule in rules_of("required_if"):
        when = rule.get("when", {})
        if "each" in rule or not all(isinstance(v, list) for v in when.values()):
            continue
        base = {k: v for k, v in example(model).items() if k not in rule["fields"]}
        base.update({k: v[0] for k, v in when.items()})
        lines = "\n".join(problems(model, base))
        assert all(f"{f}: missing; it is required when" in lines for f in rule["fields"] if f not in base), (
            model.id, rule)
        checked += 1
    assert checked > 20


def test_mode_owned_fields_of_the_audit_models():
    seedance = find_model("bytedance/seedance-2.0-pro")
    assert '- references: not allowed when mode is "text_to_video"' in problems(
        seedance, {"mode": "text_to_video", "prompt": "p", "references": [URL]})
    wan = find_model("alibaba/wan-2.7-video")
    assert '- reference_image_urls: not allowed when mode is "i2v"' in problems(
        wan, {"mode": "i2v", "first_frame_url": URL, "reference_image_urls": [URL]})
    suno = find_model("suno-ai/music")
    assert problems(suno, {"mv": "chirp-crow", "custom": False, "gpt_description_prompt": "a song", "tags": "pop"}) \
        == ["- tags: not allowed when custom is false"]
    kling = find_model("kuaishou/kling-2.6-video")
    assert problems(kling, {"prompt": "p", "mode": "std", "native_audio": True}) == [
        '- mode: "std" is not allowed when native_audio is true; allowed: "pro"']
    validate_input(kling, {"prompt": "p", "mode": "std", "native_audio": False})  # only true needs pro


# ---- 4. rules on items of nested lists ----

def test_every_timed_segment_list_bounds_its_items_and_their_sum():
    lists = [(m, name, prop) for m in MODELS for name, prop in m.schema["properties"].items()
             if prop.get("type") == "array" and "duration" in prop.get("items", {}).get("properties", {})]
    assert {m.id for m, _, _ in lists} >= {"kuaishou/kling-3.0-video", "kuaishou/kling-3.0-omni-video",
                                           "higgsfield-ai/cinematic-studio-video-3.0", "alibaba/wan-2.6-video",
                                           "bytedance/seedance-1.0-fast"}
    for model, name, prop in lists:
        item = {k: sample(v) for k, v in prop["items"]["properties"].items()}
        lines = "\n".join(problems(model, {**example(model), name: [{**item, "duration": 0}] * 2}))
        assert f"{name}[0].duration: 0 is below the minimum 1" in lines, model.id
        total = model.schema["properties"].get("duration", {})
        if "maximum" in total:
            sums = [r for r in model.rules if r["kind"] == "sum_range" and r["array"] == name]
            assert sums and sums[0]["max"] == total["maximum"], model.id
            too_long = [{**item, "duration": total["maximum"]}] * 2
            assert f"the total {name}[].duration is" in "\n".join(problems(model, {**example(model), name: too_long}))


def test_a_conditional_limit_on_the_duration_bounds_the_segments_sum_too():
    checked = 0
    for model, rule in rules_of("limit_if"):
        props = model.schema["properties"]
        if rule["field"] != "duration" or "maximum" not in rule or "each" in rule:
            continue
        base = {**example(model), **{k: v[0] for k, v in rule["when"].items()}}
        base = example(model, rule["when"]) or base
        over = rule["maximum"] + 1
        for name in [n for n, p in props.items() if "duration" in p.get("items", {}).get("properties", {})]:
            item = {k: sample(v) for k, v in props[name]["items"]["properties"].items()}
            segments = [{**item, "duration": over // 2}, {**item, "duration": over - over // 2}]
            lines = "\n".join(problems(model, {**base, name: segments}))
            assert f"the total {name}[].duration is {over}; allowed" in lines and " when " in lines, (model.id, lines)
            checked += 1
    assert checked >= 2  # Wan 2.6 and 2.6 Flash: "2-15s (R2V: 2-10s)", with multi_prompt


# ---- 5. indexes and counts ----

def test_indexes_point_inside_their_list():
    rules = rules_of("index_in")
    assert {m.id for m, _ in rules} == {"kuaishou/kling-3.0-omni-video", "kuaishou/kling-o1-video"}
    for model, rule in rules:
        base = {"video_mode": "elements", "prompt": "p", rule["array"]: [URL, URL]}
        validate_input(model, {**base, rule["field"]: 2})
        assert problems(model, {**base, rule["field"]: 3}) == [
            f"- {rule['field']}: 3 points outside {rule['array']}, which has 2 item(s) (1-based: allowed 1-2)"]
        assert problems(model, {**base, rule["field"]: 0})[0].startswith(f"- {rule['field']}: 0 is below the minimum")


def test_counts_are_at_least_one():
    counted = [(m, n) for m in MODELS for n, p in m.schema["properties"].items()
               if p.get("type") == "integer" and (n == "count" or n.startswith("num_"))]
    assert {m.id for m, _ in counted} >= {"kuaishou/kling-3.0-image", "elevenlabs/speech-to-text"}
    for model, name in counted:
        assert any(line.startswith(f"- {name}: 0 is below the minimum 1") for line in
                   problems(model, {**example(model), name: 0})), model.id


# ---- 6. limits that depend on another field: enforced (above) and visible before the call ----

def test_dependent_limits_are_in_the_published_schema():
    from mcp_server.portable import portable
    checked = 0
    for tool in load_tool_specs():
        published = portable(tool.input_schema)["properties"]
        for model in tool.models.values():
            for rule in model.rules:
                if rule["kind"] not in ("limit_if", "allowed_values_if", "count_range", "sum_range") or "each" in rule:
                    continue
                prop = rule.get("field") if "array" not in rule else rule["array"]
                text = published[prop or rule["fields"][0]].get("description", "")
                shown = [rule[k] for k in ("maximum", "maxLength", "maxItems", "minimum", "min", "max") if k in rule]
                shown += rule.get("values", []) + [v for spec in rule.get("when", {}).values()
                                                   if isinstance(spec, list) for v in spec]
                shown += list(rule.get("when", {}))
                for value in shown:
                    assert (str(value).lower() if isinstance(value, bool) else str(value)) in text, (
                        model.id, rule, text)
                checked += 1
    assert checked >= 25
    text = portable(find_model_tool("text_to_speech_elevenlabs"))["properties"]["text"]["description"]
    assert "<=5000 chars if model_id eleven_v3" in text


def find_model_tool(name: str) -> dict:
    return next(t.input_schema for t in load_tool_specs() if t.name == name)
