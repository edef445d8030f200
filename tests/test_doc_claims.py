"""Every rule-like sentence of every model page maps to a schema constraint or rule, or to a named curation.

See ``tool_specs/claims.py`` for what counts as a claim and how it is matched against the built spec.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from tool_specs.build import Build, build
from tool_specs.claims import Claim, claims_of, explained_by, is_mapped
from tool_specs.curation import CURATIONS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = next((p for p in (ROOT.parent / "shared" / "llms-full.txt", Path("/work/shared/llms-full.txt"))
               if p.exists()), None)
pytestmark = pytest.mark.skipif(SOURCE is None, reason="llms-full.txt not available")


@lru_cache(maxsize=1)
def built() -> Build:
    return build(SOURCE.read_text(encoding="utf-8"))


def all_claims() -> list[tuple[Claim, dict]]:
    result = built()
    return [(claim, model) for tool in result.tools for mid, model in tool["models"].items()
            for claim in claims_of(result.docs.raw[mid])]


def test_no_unmapped_claims():
    claims = all_claims()
    unmapped = [str(c) for c, model in claims if not is_mapped(c, model) and explained_by(c) is None]
    assert len(claims) > 600
    assert unmapped == [], f"{len(unmapped)} unmapped doc claims:\n" + "\n".join(unmapped)


def test_every_unenforced_curation_explains_a_claim():
    used = {e.name for c, _ in all_claims() if (e := explained_by(c)) is not None}
    stale = [c.name for c in CURATIONS if c.action == "unenforced" and c.name not in used]
    assert stale == []


def test_a_claim_the_spec_does_not_carry_is_unmapped():
    """The matcher is not vacuous: each kind of claim fails against a spec that lacks it."""
    schema = {"type": "object", "properties": {
        "references": {"type": "array", "items": {"type": "string"}},
        "mode": {"type": "string", "enum": ["a", "b"]}, "prompt": {"type": "string"}}, "required": ["prompt"]}
    model = {"schema": schema, "rules": []}
    assert not is_mapped(Claim("m/x", ("references",), "Max 9.", 1), model)
    assert not is_mapped(Claim("m/x", ("references",), "Required for `b`.", 1), model)
    assert not is_mapped(Claim("m/x", ("prompt",), "Required: yes", 1, required_cell="yes"), model)
    assert not is_mapped(Claim("m/x", ("mode",), "`a`, `b` or `c`", 1), model)
    assert not is_mapped(Claim("m/x", ("prompt",), "Only used for text-to-video.", 1), model)
    schema["properties"]["references"]["maxItems"] = 9
    schema["properties"]["prompt"]["minLength"] = 1
    model["rules"].append({"kind": "required_if", "fields": ["references"], "when": {"mode": ["b"]}})
    assert is_mapped(Claim("m/x", ("references",), "Max 9.", 1), model)
    assert is_mapped(Claim("m/x", ("references",), "Required for `b`.", 1), model)
    assert is_mapped(Claim("m/x", ("prompt",), "Required: yes", 1, required_cell="yes"), model)


def test_claims_cover_rows_prose_mode_tables_and_limit_tables():
    texts = {(c.model, c.text) for c, _ in all_claims()}
    assert ("bytedance/seedance-2.0-fast", "Max 9.") in texts  # a limit after a full stop
    assert ("hailuo/minimax-2.0", "- 512p requires `start_image_url` (I2V only)") in texts  # prose list
    assert any(m == "kuaishou/kling-3.0-omni-video" and "cap of 7" in t for m, t in texts)  # a Modes table row
    assert ("elevenlabs/text-to-speech", "`eleven_v3` | 5,000") in texts  # a limits table keyed by a value


def test_claims_name_parameters_by_value_by_bare_name_and_by_absence():
    """Sentences that name no parameter in backticks still state rules: by an enum value (`720p`), an unquoted
    snake_case name, an item field, or a parameter the model does not take; each is a claim the spec must carry."""
    claims = {(c.model, c.text): c.params for c, _ in all_claims()}
    assert claims[("alibaba/wan-2.2-flash-video", "`720p` resolution is only available in I2V mode.")] == (
        "resolution",)
    assert claims[("topaz-labs/video-upscale", "The `colorize` model is not available with `720p` resolution.")] == (
        "enhancement_model", "resolution")
    assert claims[("hailuo/minimax-2.0", "- end_image_url only with 768p or 1080p")] == ("end_image_url",)
    assert claims[("bytedance/seedance-1.0-fast", "At least one frame must have an `image_url`.")] == ("image_url",)
    klein = "Klein models do not support `guidance`, `steps`, or `prompt_upsampling`."
    assert claims[("black-forest-labs/flux.2-klein-4b", klein)] == ("guidance", "steps", "prompt_upsampling")
    assert claims[("kuaishou/kling-o1-image", "`kuaishou/kling-o1-image` | `1k`, `2k` | No `4k`")] == ("resolution",)
    assert ("kuaishou/kling-o1-image", "`kuaishou/kling-3.0-omni-image` | `1k`, `2k`, `4k` | Adds `auto` (default)") \
        not in claims  # a Models-table row about another model of the page
    assert not any("multi_shot_mode" in c for c in claims.values())  # `name=value` wire payloads name nothing


def test_claims_by_value_and_absence_fail_against_a_spec_without_them():
    schema = {"type": "object", "properties": {
        "resolution": {"type": "string", "enum": ["480p", "720p", "1080p"]},
        "mode": {"type": "string", "enum": ["t2v", "i2v"]}}}
    model = {"schema": schema, "rules": []}
    only_i2v = Claim("m/x", ("resolution",), "`720p` resolution is only available in I2V mode.", 1)
    no_4k = Claim("m/x", ("resolution",), "`1k`, `2k` | No `4k`", 1)
    absent = Claim("m/x", ("guidance",), "Klein models do not support `guidance`.", 1)
    assert not is_mapped(only_i2v, model) and not is_mapped(absent, model)
    schema["properties"]["resolution"]["enum"] = ["1k", "2k", "4k"]
    assert not is_mapped(no_4k, model)  # the spec accepts the value the docs rule out
    schema["properties"]["resolution"]["enum"] = ["1k", "2k"]
    assert is_mapped(no_4k, model)
    schema["properties"]["resolution"]["enum"] = ["480p", "720p", "1080p"]
    model["rules"] += [{"kind": "allowed_values_if", "field": "resolution", "values": ["480p", "1080p"],
                        "when": {"mode": ["t2v"]}}, {"kind": "unsupported", "fields": ["guidance"]}]
    assert is_mapped(only_i2v, model) and is_mapped(absent, model)
    i2v_only = Claim("m/x", ("mode",), "`std`, `pro` | Image-to-video only, end frame supported", 1)
    schema["properties"].update(mode={"type": "string", "enum": ["std", "pro"]}, start_frame_url={"type": "string"})
    assert not is_mapped(i2v_only, model)  # the values are there, the restriction is not
    schema["required"] = ["start_frame_url"]
    assert is_mapped(i2v_only, model)
