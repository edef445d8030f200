"""Generator decisions that need a human or the docs: derived cross-field rules (mode ownership included) and
curations that must apply, stay needed and be checked."""

from __future__ import annotations

import pytest

from tests.test_generator import SOURCE, models, needs_source
from tool_specs import curate, generate
from tool_specs.build import BuildError, build
from tool_specs.curation import CURATIONS, Curation
from tool_specs.derive import derive_rules


def test_derived_rules():
    def kinds(name, mid):
        return [(r["kind"], r.get("fields") or r.get("field"), r.get("when")) for r in derive_rules(models(name)[mid])]
    veo = kinds("veo_page.txt", "google/veo-3.1-fast")
    assert ("exclusive", ["start_image_url", "reference_image_urls"], None) in veo
    assert ("requires", "end_image_url", None) in veo
    assert kinds("hailuo_page.txt", "hailuo/minimax-2.0") == [("at_least_one", ["prompt", "start_image_url"], None)]
    kling = kinds("kling_30_page.txt", "kuaishou/kling-3.0-video")
    assert ("exclusive", ["prompt", "multi_shots"], None) in kling
    assert ("at_least_one", ["prompt", "multi_shots"], None) in kling
    seedance = kinds("seedance_fast_page.txt", "bytedance/seedance-1.0-fast")
    assert ("required_if", ["frames"], {"mode": ["multi_frame"]}) in seedance
    assert ("required_if", ["first_frame_url"], {"mode": ["first_last_frame"]}) in seedance


@needs_source
def test_curations_are_required_and_checked(monkeypatch, capsys):
    text = SOURCE.read_text(encoding="utf-8")

    def without(name: str, *extra: Curation) -> None:
        monkeypatch.setattr(curate, "CURATIONS", tuple(c for c in CURATIONS if c.name != name) + extra)

    without("gpt_image_16_9_example")
    with pytest.raises(BuildError, match=r"line 1365 \(openai/gpt-image-1\) fails validation and no curation"):
        build(text)
    assert generate.main([str(SOURCE), "--check"]) == 2 and "curation decision" in capsys.readouterr().err
    without("cs35_camera_moveset_style_truncated")
    with pytest.raises(BuildError, match="enum of camera_moveset_style is cut off"):
        build(text)
    without("none", Curation("bogus", ("google/veo-3.1-fast",), "set", "r", "no_such_field", {"maximum": 1}))
    with pytest.raises(BuildError, match="'bogus'.*no_such_field"):
        build(text)
    without("none", Curation("refuses_valid", ("google/veo-3.1-fast",), "refuse_example", "r",
                             value={"aspect_ratio": "16:9"}))
    with pytest.raises(BuildError, match="refused by 'refuses_valid' but validates"):
        build(text)


def test_mode_owned_fields_and_usage_mentions():
    rules = derive_rules(models("seedance_fast_page.txt")["bytedance/seedance-1.0-fast"])
    owned = {r["fields"][0]: r["when"]["mode"] for r in rules if r["kind"] == "forbidden_if"}
    assert owned == {"first_frame_url": ["text_to_video", "multi_frame"],
                     "last_frame_url": ["text_to_video", "multi_frame"],
                     "frames": ["text_to_video", "first_last_frame"]}  # duration's "in `multi_frame` mode": usage
    omni = derive_rules(models("kling_30_page.txt")["kuaishou/kling-3.0-video"])
    assert not [r for r in omni if r["kind"] == "forbidden_if" and "mode" in r.get("when", {})]


@needs_source
def test_a_curation_repeating_a_documented_rule_is_an_error(monkeypatch):
    repeat = Curation("repeat", ("kuaishou/kling-2.6-video",), "add_rule", "r",
                      value={"kind": "allowed_values_if", "field": "mode", "values": ["pro"],
                             "when": {"native_audio": [True]}})
    monkeypatch.setattr(curate, "CURATIONS", (*CURATIONS, repeat))
    with pytest.raises(BuildError, match="'repeat' adds a rule kuaishou/kling-2.6-video already has from the docs"):
        build(SOURCE.read_text(encoding="utf-8"))
