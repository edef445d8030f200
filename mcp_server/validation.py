"""Per-model input validation: the model's JSON Schema, then its cross-field rules.

``validate_input`` collects every problem (one line each, naming the parameter by dotted path, what is
wrong, what is allowed and the model id) and raises a single ``InvalidInput``.

Rule kinds (data in each ``ModelSpec.rules``; every rule may carry ``when`` — a condition that must hold for
the rule to apply — and ``each: "<array>"`` to apply it to every item of that array):

* ``exclusive`` — ``fields`` (or ``groups`` of fields): at most one of them (one group) may be present.
* ``requires`` — if ``field`` is present, every field in ``requires`` must be present too.
* ``at_least_one`` — at least one of ``fields`` must be present.
* ``required_if`` — every field in ``fields`` is required when ``when`` holds.
* ``forbidden_if`` — none of ``fields`` may be present when ``when`` holds.
* ``allowed_values_if`` — ``field`` (its value, else its schema default) must be one of ``values``.
* ``limit_if`` — ``field`` must respect ``minimum``/``maximum``/``maxLength``/``maxItems``.
* ``count_range`` — the total number of items across the arrays in ``fields`` is within ``min``..``max``.
* ``sum_range`` — the sum of ``field`` over the items of ``array`` is within ``min``..``max``.
* ``any_item_has`` — at least one item of ``array`` must have ``field``.
* ``unsupported`` — ``fields`` are documented as not accepted; only explains the unknown-parameter error.

A condition (``when``) maps a field to a list of values (the field's value, or its default, is one of
them), to ``"present"`` or to ``"absent"``; several fields must all match. Wherever a rule names a field
for presence, ``array[key=value]`` stands for "some item of array has key = value".
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

from mcp_server.errors import InvalidInput
from mcp_server.specs import ModelSpec

_NUMBERS = ("minimum", "maximum")


def _q(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "input"


def _allowed(schema: dict) -> str:
    """Short human description of what a (sub)schema accepts."""
    if "enum" in schema:
        return ", ".join(_q(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_allowed(s) for s in schema["anyOf"])
    kind = schema.get("type", "any value")
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None and hi is not None:
        return f"{lo}–{hi}"
    return f"{kind} ≥ {lo}" if lo is not None else (f"{kind} ≤ {hi}" if hi is not None else str(kind))


def _schema_line(err: Any, mid: str, rules: tuple[dict, ...]) -> list[str]:
    """`mid` names what the schema belongs to (a model id or a tool name)."""
    where, kind, s, v = _path(err.absolute_path), err.validator, err.schema, err.instance
    if kind == "additionalProperties":
        prefix = f"{where}." if err.absolute_path else ""
        return [_unknown(f"{prefix}{name}", name, sorted(s.get("properties", {})), mid, rules)
                for name in v if name not in s.get("properties", {})]
    if kind == "required":
        prefix = f"{where}." if err.absolute_path else ""
        return [f"{prefix}{name}: missing; it is required by {mid}" for name in err.validator_value if name not in v]
    if kind in ("enum", "anyOf", "const"):
        return [f"{where}: {_q(v)} is not allowed for {mid}; allowed: {_allowed(s)}"]
    if kind == "type":
        return [f"{where}: expected {s['type']} for {mid}, got {_q(v)}"]
    if kind in _NUMBERS:
        word = "above the maximum" if kind == "maximum" else "below the minimum"
        return [f"{where}: {v} is {word} {err.validator_value} for {mid} (allowed {_allowed(s)})"]
    if kind in ("maxLength", "minLength"):
        word = "longer than the maximum" if kind == "maxLength" else "shorter than the minimum"
        return [f"{where}: {len(v)} characters is {word} {err.validator_value} for {mid}"]
    if kind in ("maxItems", "minItems"):
        word = "more than the maximum" if kind == "maxItems" else "fewer than the minimum"
        limits = f"{s.get('minItems', 0)}–{s['maxItems']}" if "maxItems" in s else f"at least {s['minItems']}"
        return [f"{where}: {len(v)} items is {word} {err.validator_value} for {mid} (allowed {limits} items)"]
    return [f"{where}: {err.message} ({mid})"]


def _unknown(path: str, name: str, allowed: list[str], mid: str, rules: tuple[dict, ...]) -> str:
    for rule in rules:
        if rule["kind"] == "unsupported" and name in rule["fields"]:
            return f"{path}: not supported by {mid}: {rule['reason']}"
    hint = difflib.get_close_matches(name, allowed, n=1)
    guess = f' (did you mean "{hint[0]}"?)' if hint else ""
    return f'unknown parameter "{path}" for {mid}{guess}; allowed: {", ".join(allowed) or "none"}'


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _present(data: dict, field: str) -> bool:
    """``field`` is set; ``array[key=value]`` means some item of ``array`` has ``key`` equal to ``value``."""
    if "[" in field:
        name, _, selector = field[:-1].partition("[")
        key, _, wanted = selector.partition("=")
        return any(isinstance(i, dict) and str(i.get(key)) == wanted for i in _list(data.get(name)))
    return data.get(field) is not None


def _value(data: dict, field: str, props: dict) -> Any:
    return data[field] if field in data else props.get(field, {}).get("default")


def _holds(when: dict | None, data: dict, props: dict) -> bool:
    for field, spec in (when or {}).items():
        if spec == "present" and not _present(data, field) or spec == "absent" and _present(data, field):
            return False
        if isinstance(spec, list) and _value(data, field, props) not in spec:
            return False
    return True


def _cond(when: dict | None) -> str:
    parts = []
    for field, spec in (when or {}).items():
        parts.append(f"{field} is set" if spec == "present" else f"{field} is not set" if spec == "absent"
                     else f"{field} is {' or '.join(_q(v) for v in spec)}")
    return " and ".join(parts)


def _exclusive(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    groups = r.get("groups") or [[f] for f in r["fields"]]
    used = ["/".join(at + f for f in g if _present(d, f)) for g in groups if any(_present(d, f) for f in g)]
    return [f"{' and '.join(used)} cannot be combined ({mid}): {r['reason']}"] if len(used) > 1 else []


def _requires(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    missing = [at + f for f in r["requires"] if not _present(d, f)]
    return [f"{at}{r['field']} requires {', '.join(missing)} ({mid}): {r['reason']}"] \
        if _present(d, r["field"]) and missing else []


def _at_least_one(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    if any(_present(d, f) for f in r["fields"]):
        return []
    return [f"one of {', '.join(at + f for f in r['fields'])} is required ({mid}): {r['reason']}"]


def _required_if(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    return [f"{at}{f}: missing; required when {_cond(r['when'])} ({mid}): {r['reason']}"
            for f in r["fields"] if not _present(d, f)]


def _forbidden_if(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    return [f"{at}{f}: not allowed when {_cond(r['when'])} ({mid}): {r['reason']}"
            for f in r["fields"] if _present(d, f)]


def _allowed_values_if(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    value = _value(d, r["field"], p)
    if value is None or value in r["values"]:
        return []
    allowed = ", ".join(_q(v) for v in r["values"])
    return [f"{at}{r['field']}: {_q(value)} is not allowed when {_cond(r['when'])} for {mid}; "
            f"allowed: {allowed}: {r['reason']}"]


def _limit_if(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    value, name = d.get(r["field"]), at + r["field"]
    if not isinstance(value, (str, list, int, float)) or isinstance(value, bool):
        return []
    size = len(value) if isinstance(value, (str, list)) else value
    for key, over in (("maximum", size > r.get("maximum", size)), ("minimum", size < r.get("minimum", size)),
                      ("maxLength", size > r.get("maxLength", size)), ("maxItems", size > r.get("maxItems", size))):
        if over:
            return [f"{name}: {size} exceeds the {key} {r[key]} when {_cond(r['when'])} for {mid}: {r['reason']}"]
    return []


def _range_msg(what: str, total: float, r: dict, mid: str) -> list[str]:
    lo, hi = r.get("min"), r.get("max")
    if (lo is not None and total < lo) or (hi is not None and total > hi):
        bounds = f"{lo if lo is not None else 0}–{hi}" if hi is not None else f"at least {lo}"
        return [f"{what} is {total:g}, outside {bounds} for {mid}: {r['reason']}"]
    return []


def _count_range(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    total = sum(len(d[f]) for f in r["fields"] if isinstance(d.get(f), list))
    return _range_msg(f"the number of items in {' + '.join(at + f for f in r['fields'])}", total, r, mid)


def _sum_range(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    raw = d.get(r["array"])
    items = [i for i in raw if isinstance(i, dict)] if isinstance(raw, list) else []
    if not items:
        return []
    total = sum(i[r["field"]] for i in items if type(i.get(r["field"])) in (int, float))
    return _range_msg(f"the total {at}{r['array']}[].{r['field']}", total, r, mid)


def _any_item_has(r: dict, d: dict, p: dict, at: str, mid: str) -> list[str]:
    items = d.get(r["array"])
    if not isinstance(items, list) or not items or any(isinstance(i, dict) and _present(i, r["field"]) for i in items):
        return []
    return [f"{at}{r['array']}: at least one item needs {r['field']} ({mid}): {r['reason']}"]


CHECKS: dict[str, Callable[[dict, dict, dict, str, str], list[str]]] = {
    "exclusive": _exclusive, "requires": _requires, "at_least_one": _at_least_one, "required_if": _required_if,
    "forbidden_if": _forbidden_if, "allowed_values_if": _allowed_values_if, "limit_if": _limit_if,
    "count_range": _count_range, "sum_range": _sum_range, "any_item_has": _any_item_has,
    "unsupported": lambda *_: [],
}


def rule_problems(model: ModelSpec, api_input: dict) -> list[str]:
    """Messages for every rule of ``model`` that ``api_input`` breaks."""
    props = model.schema.get("properties", {})
    out: list[str] = []
    for rule in model.rules:
        scopes = [(api_input, props, "")]
        if "each" in rule:
            items_schema = props.get(rule["each"], {}).get("items", {}).get("properties", {})
            scopes = [(item, items_schema, f"{rule['each']}[{i}].")
                      for i, item in enumerate(_list(api_input.get(rule["each"]))) if isinstance(item, dict)]
        for data, scope_props, at in scopes:
            if _holds(rule.get("when"), data, scope_props):
                out += CHECKS[rule["kind"]](rule, data, scope_props, at, model.id)
    return out


def describe_schema_errors(schema: dict, instance: Any, subject: str, rules: tuple[dict, ...] = ()) -> list[str]:
    """One message per JSON Schema violation of `instance` (in document order of the offending paths), each
    naming the parameter, what is wrong and what is allowed; `subject` is the model id or tool name."""
    errors = sorted(Draft202012Validator(schema).iter_errors(instance), key=lambda e: [str(p) for p in e.path])
    return [line for err in errors for line in _schema_line(err, subject, rules)]


def schema_problems(model: ModelSpec, api_input: dict) -> list[str]:
    """Messages for every violation of the model's own schema."""
    return describe_schema_errors(model.schema, api_input, model.id, model.rules)


def validate_input(model: ModelSpec, api_input: dict) -> None:
    """Raise ``InvalidInput`` listing every problem of ``api_input`` for ``model`` (schema, then rules)."""
    if not isinstance(api_input, dict):
        raise InvalidInput(f"input: expected an object for {model.id}, got {_q(api_input)}")
    problems = schema_problems(model, api_input)
    problems += [p for p in rule_problems(model, api_input) if p not in problems]
    if problems:
        raise InvalidInput("\n".join(problems))
