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
