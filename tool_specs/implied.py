"""Constraints the docs imply for every model that has the feature, not only where a page spells them out.

* Required means non-empty: a required string gets ``minLength: 1``, a required array ``minItems: 1`` (at every
  object level), so ``""`` and ``[]`` do not pass for a value the docs require.
* Counts: an integer that counts things (``count``, ``num_*``, "Number of ...") is at least 1.
* Indexes: "N-based index into `list`" gives ``minimum: N``, an ``index_in`` rule (the index must point inside
  the list) and a ``requires`` rule (no index without the list).
* Segments of a timeline: the items of a list with a per-item ``duration`` (multi-shot, multi-prompt, keyframes)
  last at least 1 second each; when the video's ``duration`` is a range, each lasts at most its maximum and
  their durations add up to a length inside it (the segments make up the video). A ``duration`` given as a
  list of values (SeeDance: 5 or 10, "auto-calculated" from the keyframes) bounds neither. A limit on the
  video's ``duration`` that holds only in some cases (Wan 2.6: "R2V: 2-10s") bounds the sum in those cases too.
"""

from __future__ import annotations

import re

_COUNT = re.compile(r"^(?:count|num_\w+)\b|\bnumber of\b", re.IGNORECASE)
_INDEX = re.compile(r"\b(\d)-based index into `?(\w+)`?", re.IGNORECASE)


def nonempty(schema: dict) -> None:
    """Add ``minLength``/``minItems`` 1 to every required string/array, recursively, in place."""
    props = schema.get("properties", {})
    for name in schema.get("required", []):
        prop = props.get(name, {})
        if prop.get("type") == "string" and not ({"enum", "pattern"} & set(prop)):
            prop["minLength"] = max(1, prop.get("minLength", 0))
        elif prop.get("type") == "array":
            prop["minItems"] = max(1, prop.get("minItems", 0))
    for prop in props.values():
        if prop.get("type") == "object":
            nonempty(prop)
        elif prop.get("type") == "array" and isinstance(prop.get("items"), dict):
            nonempty(prop["items"])


def counts(schema: dict) -> None:
    """Counts of things are at least 1 (in place)."""
    for name, prop in schema.get("properties", {}).items():
        text = f"{name} {prop.get('description', '')}"
        if prop.get("type") == "integer" and "minimum" not in prop and "enum" not in prop and _COUNT.search(text):
            prop["minimum"] = 1


def index_rules(schema: dict) -> list[dict]:
    """Index parameters: a lower bound in place, and the rules keeping them inside their list."""
    out = []
    props = schema.get("properties", {})
    for name, prop in props.items():
        m = _INDEX.search(prop.get("description", ""))
        if prop.get("type") != "integer" or m is None or m.group(2) not in props:
            continue
        base, array = int(m.group(1)), m.group(2)
        prop.setdefault("minimum", base)
        reason = prop["description"]
        out += [{"kind": "index_in", "field": name, "array": array, "base": base, "reason": reason},
                {"kind": "requires", "field": name, "requires": [array], "reason": reason}]
    return out


def segment_rules(schema: dict) -> list[dict]:
    """Per-item duration bounds (in place) and the sum rule for every list of timed segments."""
    out = []
    props = schema.get("properties", {})
    total = props.get("duration", {})
    for name, prop in props.items():
        item = prop.get("items", {}).get("properties", {}).get("duration") if prop.get("type") == "array" else None
        if not item or item.get("type") != "integer":
            continue
        item.setdefault("minimum", 1)
        if "minimum" in total and "maximum" in total:
            item.setdefault("maximum", total["maximum"])
            out.append({"kind": "sum_range", "array": name, "field": "duration", "min": total["minimum"],
                        "max": total["maximum"], "reason": f"the {name} segments make up the video, whose duration "
                                                           f"is {total['minimum']}-{total['maximum']} s"})
    return out


def conditional_segment_rules(rules: list[dict]) -> list[dict]:
    """The sum rule of each list of timed segments again under every conditional limit of the video's
    ``duration`` (a ``limit_if`` rule): the segments make up the video in that case as well."""
    sums = [r for r in rules if r["kind"] == "sum_range" and r["field"] == "duration" and not {"when", "each"} & set(r)]
    limits = [r for r in rules if r["kind"] == "limit_if" and r["field"] == "duration" and "each" not in r
              and {"minimum", "maximum"} & set(r)]
    return [{"kind": "sum_range", "array": s["array"], "field": "duration", "min": lim.get("minimum", s["min"]),
             "max": lim.get("maximum", s["max"]), "when": lim["when"],
             "reason": f"{s['reason']}; {lim.get('reason', 'duration is limited')} in that case"}
            for s in sums for lim in limits if lim.get("when")]
