"""Limits that depend on another field, written where the agent sees them before the call.

Every ``limit_if``, ``allowed_values_if``, ``count_range`` and ``sum_range`` rule of a family's models becomes
a terse note on the property it limits in the tool's input schema (``<=5000 chars if model_id eleven_v3``,
``6 only if resolution 1080p``, ``durations sum 3-15``), followed by the models it applies to when not all
of the tool's models that take the property have it. The server enforces the same rules per model.
"""

from __future__ import annotations

_UNITS = {"maxLength": " chars", "maxItems": " items"}
_BOUNDS = (("maximum", "<="), ("maxLength", "<="), ("maxItems", "<="), ("minimum", ">="))


def _values(values: list) -> str:
    return "/".join(str(v).lower() if isinstance(v, bool) else str(v) for v in values)


def condition(when: dict | None) -> str:
    """`` if mode r2v``, `` if video_url set``, `` if no video_url`` (several joined with "and")."""
    parts = []
    for field, spec in (when or {}).items():
        parts.append(f"{field} set" if spec == "present" else f"no {field}" if spec == "absent"
                     else f"{field} {_values(spec)}")
    return f" if {' and '.join(parts)}" if parts else ""


def rule_note(rule: dict) -> tuple[str, str] | None:
    """(property, note) for a rule that limits one property depending on others, else None."""
    kind, cond = rule["kind"], condition(rule.get("when"))
    if "each" in rule:
        return None
    if kind == "limit_if":
        text = " ".join(f"{sign}{rule[key]}{_UNITS.get(key, '')}" for key, sign in _BOUNDS if key in rule)
        return rule["field"], text + cond
    if kind == "allowed_values_if":
        return rule["field"], f"{_values(rule['values'])} only{cond}"
    if kind == "sum_range":
        return rule["array"], f"{rule['field']}s sum {rule['min']}-{rule['max']}{cond}"
    if kind == "count_range" and "max" in rule:
        others = "+".join(rule["fields"][1:])
        return rule["fields"][0], f"<={rule['max']} with {others}{cond}" if others else f"<={rule['max']}{cond}"
    return None


def dependent_notes(models: dict[str, dict], labels: dict[str, str]) -> dict[str, list[str]]:
    """Property -> notes, over all models of a family (in model order, identical notes merged)."""
    found: dict[str, dict[str, list[str]]] = {}
    for mid, model in models.items():
        for rule in model["rules"]:
            if (note := rule_note(rule)) is not None:
                who = found.setdefault(note[0], {}).setdefault(note[1], [])
                if mid not in who:
                    who.append(mid)
    out: dict[str, list[str]] = {}
    for prop, notes in found.items():
        having = [m for m, model in models.items() if prop in model["schema"]["properties"]]
        for text, who in notes.items():
            scope = "" if set(having) <= set(who) else f" ({', '.join(labels[m] for m in who)})"
            out.setdefault(prop, []).append(text + scope)
    return out
