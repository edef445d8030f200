"""Tests of the spec generator: golden parses of doc excerpts (tests/fixtures/*.txt, copied verbatim from
llms-full.txt), model coverage, ``--check``, the model-visible size budget and determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tool_specs import generate, wording
from tool_specs.assemble import assemble_page
from tool_specs.build import BuildError, build, url_fields
from tool_specs.families import EXCLUDED, FAMILIES
from tool_specs.params import build_param
from tool_specs.parse import parse_document
from tool_specs.render import BUDGET, END, START, visible_size
from tool_specs.summary import summary_params

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]
SOURCE = next((p for p in (Path("../shared/llms-full.txt"), ROOT.parent / "shared" / "llms-full.txt",
                           Path("/work/shared/llms-full.txt")) if p.exists()), None)
needs_source = pytest.mark.skipif(SOURCE is None, reason="llms-full.txt not available")


def page(name: str):
    return parse_document((FIXTURES / name).read_text(encoding="utf-8"))[0]


def models(name: str) -> dict:
    return assemble_page(page(name))


def props(name: str, model_id: str) -> dict:
    params = models(name)[model_id].params
    return {k: {x: y for x, y in p.schema.items() if x != "description"} for k, p in params.items()}


# ---- parse: pages, tables, examples ----

def test_page_model_ids_notes_and_examples():
    veo = page("veo_page.txt")
    assert veo.title == "Veo 3.1" and veo.line == 2
    assert veo.model_ids[:3] == ("google/veo-3.1-fast", "google/veo-3.1-fast-relaxed", "google/veo-3.1-quality")
    assert len(veo.model_ids) == 7
    assert veo.model_notes["google/veo-3.1-quality"] == "Higher quality (~240s)"
    titles = [(e.title, e.model, e.line) for e in veo.examples]
    assert titles[1] == ("Quality Model", "google/veo-3.1-quality", 50)
    extend = next(e for e in veo.examples if e.model == "google/veo-3.1-extend")
    assert extend.input == {"prompt": "The camera continues to pan across the landscape", "task_id": "abc123def456",
                            "model": "fast"}


def test_payload_without_model_is_not_an_example():
    storage = page("storage_page.txt")
    assert storage.examples == () and storage.model_ids == ()


def test_back_to_back_tables_are_split():
    summary = page("summary_excerpt.txt")
    headers = [t.headers[0] for t in summary.tables if "Generate" in t.headings]
    assert headers == ["Mode", "Parameter"]


def test_section_attribution_on_a_multi_model_page():
    veo = models("veo_page.txt")
    assert set(veo["google/veo-3.1-extend"].params) == {"prompt", "task_id", "model", "seed"}
    assert set(veo["google/veo-3.1-upscale"].params) == {"task_id", "resolution"}
    assert "reference_image_urls" in veo["google/veo-3.1-lite"].params
    hailuo = models("hailuo_page.txt")
    assert "end_image_url" in hailuo["hailuo/minimax-2.0"].params
    assert "end_image_url" not in hailuo["hailuo/minimax-2.3"].params
    assert hailuo["hailuo/minimax-2.3-fast"].params["start_image_url"].required == "yes"


# ---- parameter rows -> JSON schema ----

def test_allowed_values_column_range_and_defaults():
    grok = props("grok_video_page.txt", "xai/grok-imagine-video")
    assert grok["duration"] == {"type": "integer", "minimum": 1, "maximum": 10, "default": 10}
    assert grok["video_preset"] == {"type": "string", "enum": ["custom", "spicy", "fun", "normal"], "default": "custom"}
    assert grok["image_url"] == {"type": "string"}


@pytest.mark.parametrize(("type_", "desc", "expected"), [
    ("integer", "3-12 seconds (default 5)", {"minimum": 3, "maximum": 12, "default": 5}),
    ("integer", "3–15 seconds (default 5)", {"minimum": 3, "maximum": 15, "default": 5}),
    ("integer", "0-999999 for reproducibility", {"minimum": 0, "maximum": 999999}),
    ("float", "How closely to follow the reference image (0.0–1.0)", {"minimum": 0, "maximum": 1}),
    ("number", "Speech speed 0-1.2 (default 1.1)", {"minimum": 0, "maximum": 1.2, "default": 1.1}),
    ("integer", "`6` (default) or `10`. 1080p only supports `6`", {"enum": [6, 10], "default": 6}),
    ("integer", "24, 25, 30, 45, 50, or 60", {"enum": [24, 25, 30, 45, 50, 60]}),
    ("integer", "Fixed at `5` seconds", {"enum": [5]}),
    ("integer", "Max number of speakers (up to 32)", {"maximum": 32}),
    ("string", "Max 2000 chars. *Required if no `start_image_url`", {"maxLength": 2000}),
    ("string", "Text prompt (max 800 chars)", {"maxLength": 800}),
    ("string", "`\"16:9\"` (default) or `\"9:16\"`", {"enum": ["16:9", "9:16"], "default": "16:9"}),
    ("string", "Model version: `chirp-v3-5`, `chirp-v4`", {"enum": ["chirp-v3-5", "chirp-v4"]}),
    ("string", "Input mode. Allowed: `\"elements\"`, `\"transform\"`. Omit for text-to-video",
     {"enum": ["elements", "transform"]}),
    ("string", "`480p`, `720p` (I2V only), or `1080p` (default: `480p`)",
     {"enum": ["480p", "720p", "1080p"], "default": "480p"}),
    ("string", "Starting frame image URL. Requires `start_image_url`", {}),
    ("string[]", "Up to 7 reference image URLs", {"maxItems": 7}),
    ("string[]", "Reference image URLs (max 3)", {"maxItems": 3}),
    ("string[]", "1–3 reference image URLs", {"minItems": 1, "maxItems": 3}),
    ("array", "Multi-shot sequence (2–6 shots, each with `prompt` and `duration`)", {"minItems": 2, "maxItems": 6}),
    ("object[]", "Keyframes. **Required** for `multi_frame`. Min 1.", {"minItems": 1}),
    ("string[]", "Reference videos. Duration: 1-30s. Max 100MB each", {}),
])
def test_description_forms(type_, desc, expected):
    schema = build_param("x", type_, "No", desc, 1).schema
    assert {k: v for k, v in schema.items() if k not in ("type", "items", "description")} == expected


def test_types_and_required_cells():
    assert build_param("d", "number/string", "No", "Duration in seconds (0.5-30) or `\"auto\"`", 1).schema["anyOf"] == [
        {"type": "number", "minimum": 0.5, "maximum": 30}, {"type": "string", "enum": ["auto"]}]
    assert build_param("a", "list[string]", "Yes", "6–24 audio URLs to train on", 1).schema == {
        "type": "array", "items": {"type": "string"}, "minItems": 6, "maxItems": 24,
        "description": "6–24 audio URLs to train on"}
    assert build_param("k", "array", "No", "Words (max 100, each under 50 chars)", 1).schema["items"] == {
        "type": "string", "maxLength": 49}
    cells = {"Yes": "yes", "**Yes**": "yes", "Yes*": "alternative", "Conditional": "conditional",
             "Depends": "depends", "No": "no"}
    assert {c: build_param("p", "string", c, "", 1).required for c in cells} == cells
    cut = build_param("s", "string", "No", "Values: `auto`, `one_take`, …", 1)
    assert cut.truncated and cut.schema["enum"] == ["auto", "one_take"]


def test_nested_object_tables_and_inline_items():
    kling = props("kling_30_page.txt", "kuaishou/kling-3.0-video")
    element = kling["elements"]["items"]
    assert element["additionalProperties"] is False
    assert element["properties"]["description"]["maxLength"] == 100
    assert element["properties"]["type"]["enum"] == ["image", "video"]
    assert element["properties"]["image_urls"]["maxItems"] == 4
    shot = {"prompt": {"type": "string"}, "duration": {"type": "integer"}}
    assert kling["multi_shots"]["items"]["properties"] == shot
    assert kling["start_frame_url"] == {"type": "string"}  # "No" on the page (the summary says Yes)
    frames = props("seedance_fast_page.txt", "bytedance/seedance-1.0-fast")["frames"]
    assert frames["minItems"] == 1 and set(frames["items"]["properties"]) == {"image_url", "prompt", "duration"}
    settings = props("elevenlabs_stt_page.txt", "elevenlabs/speech-to-text")
    assert "words" not in settings and settings["keyterms"]["maxItems"] == 100


def test_value_tables_supply_enums():
    topaz = props("topaz_video_page.txt", "topaz-labs/video-upscale")
    assert topaz["enhancement_model"]["enum"][:3] == ["proteus", "artemis", "nyx"]
    assert len(topaz["enhancement_model"]["enum"]) == 10
    assert topaz["fps"] == {"type": "integer", "enum": [24, 25, 30, 45, 50, 60], "default": 30}
    keys = props("suno_sound_page.txt", "suno-ai/sound")["key"]["enum"]
    assert len(keys) == 24 and "C#m" in keys and "Am" in keys


def test_summary_tables_follow_same_parameters_as():
    summary = summary_params(page("summary_excerpt.txt"))
    assert summary["google/veo-3.1-lite"][1]["reference_image_urls"].schema["maxItems"] == 3
    assert set(summary["google/veo-3.1-upscale"][1]) == {"task_id", "resolution"}
    assert summary["alibaba/qwen-image-max"][1]["prompt"].schema["maxLength"] == 800
    assert summary["hailuo/minimax-2.3-fast"][1]["prompt"].required == "alternative"


def test_url_fields_paths():
    schema = {"properties": {"start_frame_url": {"type": "string"}, "prompt": {"type": "string"},
                             "image_urls": {"type": "array", "items": {"type": "string"}},
                             "elements": {"type": "array", "items": {"type": "object", "properties": {
                                 "image_urls": {"type": "array", "items": {"type": "string"}},
                                 "video_url": {"type": "string"}}}}}}
    assert url_fields(schema) == ["start_frame_url", "image_urls[]", "elements[].image_urls[]", "elements[].video_url"]


# ---- the committed output ----

def committed() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tool_specs").glob("*.json"))
            if not p.name.startswith("_")]


def test_budget_of_committed_specs():
    assert visible_size([{**t, "input_schema": t["input_schema"]} for t in committed()]) <= BUDGET


def test_committed_files_are_marked_generated():
    for spec in committed():
        assert spec["_generated"].startswith("Generated by `python -m tool_specs.generate`")
        assert set(spec) == {"_generated", "name", "toolset", "title", "description", "input_schema", "models"}
    assert (ROOT / "tool_specs" / "README.md").read_text(encoding="utf-8").startswith("<!-- Generated by")
    undocumented = json.loads((ROOT / "tool_specs" / "_undocumented.json").read_text(encoding="utf-8"))
    assert undocumented["_generated"].startswith("Generated by") and set(undocumented["models"]) == set(EXCLUDED)


def test_wording_hints_defaults_and_summaries():
    specs = {t["name"]: t["input_schema"]["properties"] for t in committed()}
    assert "not a model id" in specs["extend_video_veo"]["model"]["description"]
    voice_id = specs["generate_video_kling"]["voices"]["items"]["properties"]["voice_id"]
    assert voice_id["description"] == "from get_resources kling_voices"
    assert specs["generate_video_veo"]["voice"]["description"] == "from get_resources veo_voices; not quality"
    assert specs["generate_video_kling"]["duration"]["default"] == 5  # same default for every model
    assert specs["generate_video_wan"]["resolution"]["description"].endswith(
        "; default 720p (480p for 2.2, 2.2-flash, 1080P for 2.7)")  # defaults that differ are a note
    assert specs["speech_to_text_elevenlabs"]["seed"]["maximum"] == 2147483647  # ranges stay visible
    summaries = [m["summary"] for t in committed() for m in t["models"].values()]
    assert len(summaries) == 97 and all(s.endswith(".") and "async" not in s for s in summaries)
    assert not any(marker in s for s in summaries for marker in ("(Resolution:", "(Speed:", "(Mode:"))


@needs_source
def test_wording_entries_must_apply(monkeypatch):
    monkeypatch.setitem(wording.HINTS, "generate_video_veo.nope[].x", "text")
    with pytest.raises(BuildError, match=r"HINTS\['generate_video_veo.nope\[\].x'\]: no such tool parameter"):
        build(SOURCE.read_text(encoding="utf-8"))


@needs_source
def test_every_documented_model_is_in_exactly_one_tool():
    result = build(SOURCE.read_text(encoding="utf-8"))
    owners: dict[str, list[str]] = {}
    for tool in result.tools:
        for mid in tool["models"]:
            owners.setdefault(mid, []).append(tool["name"])
    documented = [m for m in result.docs.all_ids if m not in EXCLUDED]
    assert len(result.docs.all_ids) == 98 and len(documented) == 97
    assert sorted(owners) == sorted(documented)
    assert all(len(tools) == 1 for tools in owners.values())
    assert sum(len(f.models) for f in FAMILIES) == 97


@needs_source
def test_check_is_clean_on_committed_output(capsys):
    assert generate.main([str(SOURCE), "--check"]) == 0
    assert "model-visible size" in capsys.readouterr().err


@needs_source
def test_deterministic_and_check_reports_stale_missing_extra(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert generate.main([str(SOURCE), "--out", str(a)]) == 0
    assert generate.main([str(SOURCE), "--out", str(b)]) == 0
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir()) and len(files) == len(FAMILIES) + 2
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert all((a / f).read_bytes() == (ROOT / "tool_specs" / f).read_bytes() for f in files)
    (a / "generate_video_veo.json").write_text("{}\n", encoding="utf-8")
    (a / "export_wav_suno.json").unlink()
    (a / "old_tool.json").write_text("{}\n", encoding="utf-8")
    capsys.readouterr()
    assert generate.main([str(SOURCE), "--out", str(a), "--check"]) == 1
    out = capsys.readouterr().out
    assert "generate_video_veo.json (committed)" in out and "export_wav_suno.json" in out and "old_tool.json" in out
    assert (a / "old_tool.json").exists()  # --check writes nothing
    assert generate.main([str(SOURCE), "--out", str(a)]) == 0
    assert not (a / "old_tool.json").exists() and (a / "export_wav_suno.json").exists()


@needs_source
def test_readme_block_only_between_markers(tmp_path, capsys):
    out = tmp_path / "specs"
    readme = tmp_path / "README.md"
    readme.write_text(f"# Project\nintro\n{START}\nold table\n{END}\nfooter\n", encoding="utf-8")
    assert generate.main([str(SOURCE), "--out", str(out), "--readme-block", str(readme), "--check"]) == 1
    assert "old table" in readme.read_text(encoding="utf-8")
    assert generate.main([str(SOURCE), "--out", str(out), "--readme-block", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith(f"# Project\nintro\n{START}\n| Tool |") and text.endswith(f"{END}\nfooter\n")
    assert "`generate_video_kling` | video | `kuaishou/kling-3.0-video`" in text and "old table" not in text
    assert generate.main([str(SOURCE), "--out", str(out), "--readme-block", str(readme), "--check"]) == 0
    plain = tmp_path / "OTHER.md"
    plain.write_text("no markers here\n", encoding="utf-8")
    assert generate.main([str(SOURCE), "--out", str(out), "--readme-block", str(plain)]) == 0
    assert plain.read_text(encoding="utf-8") == "no markers here\n"
    assert "no <!-- tools:start -->" in capsys.readouterr().err


def test_every_enum_and_range_of_every_model_is_in_its_tool_schema():
    """The model-visible union schema keeps each model's enum values and the widest range of each parameter; where
    another model of the tool has no bound at all, the bounded model's range is stated in the description."""
    for tool in committed():
        union = tool["input_schema"]["properties"]
        models = tool["models"].values()
        for model_id, model in tool["models"].items():
            for name, prop in model["schema"]["properties"].items():
                shown, where = union[name], (tool["name"], model_id, name)
                for value in prop.get("enum", []):
                    assert value in shown.get("enum", [value]), (*where, value)
                for bound, wider in (("minimum", float.__le__), ("maximum", float.__ge__)):
                    if bound not in prop:
                        continue
                    if bound in shown:
                        assert wider(float(shown[bound]), float(prop[bound])), where
                    else:
                        unbounded = any(bound not in m["schema"]["properties"].get(name, {bound: 0}) for m in models)
                        assert unbounded and str(prop[bound]) in shown.get("description", ""), where
