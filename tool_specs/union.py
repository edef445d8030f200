"""The model-visible side of a tool: the union input schema and the compact description.

The union schema has every property any model of the family takes, with the union of enum values and the
widest range; ``required`` is what every model requires (plus ``model`` for multi-model tools). Where the
models differ, the property's description says which models accept what; the server then validates each
call against the chosen model's own schema and rules. ``wording.HINTS`` replaces a description's doc-derived
first clause; a ``wording.DEFAULTED`` parameter shows the default all its models document, and a
``wording.UNRANGED`` one hides its numeric range (the per-model check still enforces it). Limits that depend on
another field (``dependent``) are noted on the property they limit. Model-visible
text is ASCII (``-`` for ranges, ``<=`` for upper limits): a JSON encoder may escape anything else.
"""

from __future__ import annotations

import json
import os
import re

from .curate import resolve
from .dependent import dependent_notes
from .families import OBVIOUS, Family
from .text import plain, short_id
from .wording import DEFAULTED, HINTS, UNRANGED

_KEEP = ("type", "enum", "pattern", "minimum", "maximum", "maxLength", "minItems", "maxItems", "items",
         "properties", "required", "anyOf")
_LOWER = ("minimum", "minItems")
_UPPER = ("maximum", "maxItems", "maxLength")
_NUMBERS = ("minimum", "maximum")


def visible(schema: dict) -> dict:
    """Copy of a property schema with only validation keywords (no defaults, titles, descriptions)."""
    out = {}
    for key in _KEEP:
        if key not in schema:
            continue
        value = schema[key]
        if key == "items":
            value = visible(value)
        elif key == "properties":
            value = {k: visible(v) for k, v in value.items()}
        elif key == "anyOf":
            value = [visible(v) for v in value]
        out[key] = value
    return out


def merge(a: dict, b: dict) -> dict:
    """The loosest schema accepting whatever ``a`` or ``b`` accepts."""
    if a == b:
        return a
    if a.get("type") != b.get("type") or "anyOf" in a or "anyOf" in b:
        branches = [*a.get("anyOf", [a]), *b.get("anyOf", [b])]
        return {"anyOf": [x for i, x in enumerate(branches) if x not in branches[:i]]}
    out = {"type": a["type"]}
    if "enum" in a and "enum" in b:
        out["enum"] = a["enum"] + [v for v in b["enum"] if v not in a["enum"]]
    for key in _LOWER + _UPPER:
        if key in a and key in b:
            out[key] = min(a[key], b[key]) if key in _LOWER else max(a[key], b[key])
    if "items" in a and "items" in b:
        out["items"] = merge(a["items"], b["items"])
    if "properties" in a or "properties" in b:
        pa, pb = a.get("properties", {}), b.get("properties", {})
        out["properties"] = {k: merge(pa[k], pb[k]) if k in pa and k in pb else pa.get(k, pb.get(k))
                             for k in [*pa, *[k for k in pb if k not in pa]]}
        required = [r for r in a.get("required", []) if r in b.get("required", [])]
        if required:
            out["required"] = required
    return out


def _cut(shorts: list[str], reverse: bool) -> int:
    """Length of the common prefix (or suffix) of ``shorts`` ending at a ``-`` boundary, leaving labels."""
    seqs = [x[::-1] for x in shorts] if reverse else shorts
    common = os.path.commonprefix(seqs)
    while common and (not common.endswith("-") or any(len(x) <= len(common) for x in seqs)):
        common = common[:-1]
    return len(common)


def labels(family: Family) -> dict[str, str]:
    """Short label per model: the short id minus the prefix and suffix all the family's ids share."""
    shorts = [short_id(m) for m in family.models]
    if len(shorts) == 1:
        return {family.models[0]: shorts[0]}
    if any(all(x.startswith(s) for x in shorts) for s in shorts):
        return dict(zip(family.models, shorts, strict=False))  # one id is a prefix of all others: keep the short ids
    head = _cut(shorts, False)
    tail = _cut([x[head:] for x in shorts], True)
    return {m: x[head: len(x) - tail] for m, x in zip(family.models, shorts, strict=False)}


def _terse(description: str, schema: dict) -> str:
    """First clause of a description, without the enum/range the schema already carries (≤60 chars)."""
    text = plain(description)
    if text[:1].isdigit():
        return ""
    for value in schema.get("enum", []):
        at = text.find(str(value))
        if at >= 0:
            text = re.sub(r"(?i)\b(one of|values|allowed)\W*$", "", text[:at]).rstrip(" :,.-")
            break
    text = re.split(r"(?<=[A-Za-z0-9)'\]])\. |\s\(|;\s", text)[0].rstrip(".")
    return text if len(text) <= 60 else text[:60].rsplit(" ", 1)[0]


def _limits(schema: dict) -> str:
    """Compact text of a property's own constraint: ``5/10``, ``3-15``, ``<=2000 chars``, ``<=4 items``."""
    parts = []
    if "enum" in schema:
        parts.append("/".join(map(str, schema["enum"])))
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{schema.get('minimum', '')}-{schema.get('maximum', '')}" if "minimum" in schema
                     else f"<={schema['maximum']}")
    if "maxLength" in schema:
        parts.append(f"<={schema['maxLength']} chars")
    if "minItems" in schema or "maxItems" in schema:
        lo, hi = schema.get("minItems"), schema.get("maxItems")
        parts.append(f"{lo}-{hi} items" if lo is not None and hi is not None else
                     f"<={hi} items" if hi is not None else f">={lo} items")
    return " ".join(parts)


def _who(ids: list[str], family: Family, names: dict[str, str]) -> str:
    others = [m for m in family.models if m not in ids]
    if others and len(others) < len(ids):
        return "not " + ", ".join(names[m] for m in others)
    return ", ".join(names[m] for m in ids)


def _differences(name: str, family: Family, models: dict[str, dict], names: dict[str, str]) -> list[str]:
    have = [m for m in family.models if name in models[m]["schema"]["properties"]]
    props = {m: models[m]["schema"]["properties"][name] for m in have}
    notes = []
    if len(have) < len(family.models):
        who = _who(have, family, names)
        notes.append(who if who.startswith("not ") else f"only {who}")
    enums = {m: p.get("enum") for m, p in props.items()}
    if all(enums.values()) and len({tuple(e) for e in enums.values()}) > 1:
        notes += _enum_notes(enums, have, names)
    elif name not in UNRANGED:
        limits = {m: _limits(p) for m, p in props.items()}
        if len(set(limits.values())) > 1:
            groups: dict[str, list[str]] = {}
            for m, text in limits.items():
                if text:
                    groups.setdefault(text, []).append(names[m])
            notes += [f"{text} for {', '.join(g)}" for text, g in groups.items()]
    required = [m for m in have if name in models[m]["schema"].get("required", [])]
    if required == have and len(have) < len(family.models):
        notes[0] += " (required)"
    elif required and len(required) < len(family.models):
        who = _who(required, family, names)
        notes.append(f"required except {who[4:]}" if who.startswith("not ") else f"required for {who}")
    return notes


def _enum_notes(enums: dict[str, list], have: list[str], names: dict[str, str]) -> list[str]:
    """Which models take which values: grouped by value or by model, whichever is shorter."""
    by_value: dict[tuple[str, ...], list] = {}
    for value in dict.fromkeys(v for e in enums.values() for v in e):
        who_has = tuple(m for m in have if value in enums[m])
        if len(who_has) < len(have):
            by_value.setdefault(who_has, []).append(value)
    per_value = [f"{'/'.join(map(str, vs))}: {', '.join(names[m] for m in who)}" for who, vs in by_value.items()]
    by_model: dict[tuple, list[str]] = {}
    for m in have:
        by_model.setdefault(tuple(enums[m]), []).append(names[m])
    per_model = [f"{', '.join(ms)}: {'/'.join(map(str, vs))}" for vs, ms in by_model.items()]
    return per_model if len("; ".join(per_model)) < len("; ".join(per_value)) else per_value


def union_schema(family: Family, models: dict[str, dict]) -> dict:
    """The model-visible input schema of a family's tool."""
    names = labels(family)
    dependent = dependent_notes(models, names)
    props: dict[str, dict] = {}
    for mid in family.models:
        for name, schema in models[mid]["schema"]["properties"].items():
            shown = {k: v for k, v in visible(schema).items() if name not in UNRANGED or k not in _NUMBERS}
            props[name] = merge(props[name], shown) if name in props else shown
    required = [r for r in models[family.models[0]]["schema"].get("required", [])
                if all(r in models[m]["schema"].get("required", []) for m in family.models)]
    for name, prop in props.items():
        first = next(models[m]["schema"]["properties"][name] for m in family.models
                     if name in models[m]["schema"]["properties"])
        known = re.search(r"\(known values, not exhaustive: ([^)]*)\)", first.get("description", ""))
        if f"{family.tool}.{name}" in HINTS:
            base = HINTS[f"{family.tool}.{name}"]
        elif known:
            base = f"e.g. {known.group(1)}"
        else:
            base = "" if name in OBVIOUS else _terse(first.get("description", ""), prop)
        notes = _differences(name, family, models, names) + dependent.get(name, [])
        if name in DEFAULTED:
            notes += _default(prop, {m: models[m]["schema"]["properties"].get(name) for m in family.models}, names)
        text = "; ".join(x for x in [base, *notes] if x)
        if text:
            prop["description"] = text
    for key, text in HINTS.items():
        tool, _, path = key.partition(".")
        if tool == family.tool and "[]" in path:
            try:
                resolve({"properties": props}, path)[2]["description"] = text
            except KeyError:
                continue  # reported by build._check_wording
    if len(family.models) > 1:
        props = {"model": {"type": "string", "enum": list(family.models)}, **props}
        required = ["model", *required]
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _default(prop: dict, per_model: dict[str, dict | None], names: dict[str, str]) -> list[str]:
    """When every model taking the property documents a default (a one-value enum counts): the same one goes
    into ``default``; different ones into a note (the most common first, then the others by model)."""
    found = {m: p.get("default", p["enum"][0] if len(p.get("enum", [])) == 1 else None)
             for m, p in per_model.items() if p}
    if not found or any(d is None for d in found.values()):
        return []
    groups: dict[str, list[str]] = {}
    for m, value in found.items():
        groups.setdefault(json.dumps(value), []).append(names[m])
    if len(groups) == 1:
        prop["default"] = next(iter(found.values()))
        return []
    ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    others = ", ".join(f"{json.loads(v)} for {', '.join(ms)}" for v, ms in ranked[1:])
    return [f"default {json.loads(ranked[0][0])} ({others})"]


def describe_tool(family: Family, models: dict[str, dict]) -> str:
    """Blurb plus terse per-model notes (typical run time when documented)."""
    names = labels(family)
    notes = []
    for mid in family.models:
        bits = [family.notes.get(mid, "")]
        if models[mid]["typical_seconds"]:
            bits.append(f"~{models[mid]['typical_seconds']}s")
        bits = [b for b in bits if b]
        if bits:
            notes.append(f"{names[mid]}: {', '.join(bits)}")
    return family.blurb + (" " + "; ".join(notes) + "." if notes else "")
