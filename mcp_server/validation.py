"""Per-model input validation: the model's JSON Schema, then its cross-field rules.

``validate_input`` collects every problem and raises one ``InvalidInput``: a header naming the model
(``Invalid input for <model id>:``) and one ``- `` bullet per problem, each a short sentence that names the
parameter by dotted path, says what is wrong and what is allowed. Identical lines are reported once, and a
rule never repeats a field the schema already reported (missing, or a refused value).

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
* ``unsupported`` — ``fields`` are documented as not accepted; only explains the unknown-parameter error
  (quoting ``reason``, the doc sentence, unless the rule has a ``note``).

A condition (``when``) maps a field to a list of values (the field's value, or its default, is one of
them), to ``"present"`` or to ``"absent"``; several fields must all match. Wherever a rule names a field
for presence, ``array[key=value]`` stands for "some item of array has key = value". ``reason`` records where
a rule comes from (for the README); an optional ``note`` is a clause added to the message when the rule's
own sentence would not say enough.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from typing import Any

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
        parts = [_allowed(s) for s in schema["anyOf"]]
        return f"{', '.join(parts[:-1])} or {parts[-1]}" if len(parts) > 1 else parts[0]
    if "pattern" in schema:
        hint = f" ({schema['description']})" if schema.get("description") else ""
        return f"a string matching {schema['pattern']}{hint}"
    kind = schema.get("type", "any value")
    lo, hi = schema.get("minimum"), schema.get("maximum")
    if lo is not None and hi is not None:
        return f"{lo}–{hi}"
    return f"{kind} ≥ {lo}" if lo is not None else (f"{kind} ≤ {hi}" if hi is not None else str(kind))


def _schema_line(err: Any, subject: str, rules: tuple[dict, ...]) -> list[str]:
    """Lines for one JSON Schema error; `subject` (model id or tool name) is named only where it matters."""
    where, kind, s, v = _path(err.absolute_path), err.validator, err.schema, err.instance
    prefix = f"{where}." if err.absolute_path else ""
    if kind == "additionalProperties":
        return [_unknown(f"{prefix}{name}", name, sorted(s.get("properties", {})), subject, rules)
                for name in v if name not in s.get("properties", {})]
    if kind == "required":
        return [f"{prefix}{name}: missing; it is required" for name in err.validator_value if name not in v]
    if kind in ("enum", "anyOf", "const"):
        return [f"{where}: {_q(v)} is not allowed; allowed: {_allowed(s)}"]
    if kind == "type":
        return [f"{where}: expected {s['type']}, got {_q(v)}"]
    if kind in _NUMBERS:
        word = "above the maximum" if kind == "maximum" else "below the minimum"
        return [f"{where}: {v} is {word} {err.validator_value} (allowed {_allowed(s)})"]
    if kind in ("maxLength", "minLength"):
        word = "longer than the maximum" if kind == "maxLength" else "shorter than the minimum"
        return [f"{where}: {len(v)} characters is {word} {err.validator_value}"]
    if kind in ("maxItems", "minItems"):
        word = "more than the maximum" if kind == "maxItems" else "fewer than the minimum"
        limits = f"{s.get('minItems', 0)}–{s['maxItems']}" if "maxItems" in s else f"at least {s['minItems']}"
        return [f"{where}: {len(v)} items is {word} {err.validator_value} (allowed {limits} items)"]
    return [f"{where}: {err.message}"]


def _unknown(path: str, name: str, allowed: list[str], subject: str, rules: tuple[dict, ...]) -> str:
    for rule in rules:
        if rule["kind"] == "unsupported" and name in rule["fields"]:
            why = rule.get("note") or f'docs: "{rule["reason"]}"'
            return f"{path}: not supported by {subject} ({why})"
    hint = difflib.get_close_matches(name, allowed, n=1)
    guess = f' (did you mean "{hint[0]}"?)' if hint else ""
    return f'unknown parameter "{path}"{guess}; allowed: {", ".join(allowed) or "none"}'


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


class _Scope:
    """Where a rule is checked: the data object, its object schema and the path prefix of its fields."""

    def __init__(self, data: dict, schema: dict, at: str, flagged: frozenset[str] = frozenset()) -> None:
        self.data, self.at, self.flagged = data, at, flagged
        self.props = schema.get("properties", {})
        self.required = set(schema.get("required", []))

    def has(self, field: str) -> bool:
        return _present(self.data, field)

    def value(self, field: str) -> Any:
        return _value(self.data, field, self.props)

    def shown(self, field: str) -> str:
        """``field``'s value for a message, marked when it is the schema default rather than given."""
        default = "" if field in self.data else " (the default)"
        return f"{_q(self.value(field))}{default}"

    def cond(self, when: dict | None) -> str:
        """`` when <condition>`` in words, or ``""``."""
        parts = []
        for field, spec in (when or {}).items():
            name = self.at + field
            if spec in ("present", "absent"):
                parts.append(f"{name} is {'set' if spec == 'present' else 'not set'}")
            else:
                parts.append(f"{name} is {self.shown(field)}")
        return f" when {' and '.join(parts)}" if parts else ""


def _note(r: dict) -> str:
    return f" ({r['note']})" if r.get("note") else ""


def _exclusive(r: dict, s: _Scope) -> list[str]:
    groups = r.get("groups") or [[f] for f in r["fields"]]
    used = ["/".join(s.at + f for f in g if s.has(f)) for g in groups if any(s.has(f) for f in g)]
    return [f"{' and '.join(used)} cannot be combined; send only one{_note(r)}"] if len(used) > 1 else []


def _requires(r: dict, s: _Scope) -> list[str]:
    missing = [s.at + f for f in r["requires"] if not s.has(f) and f not in s.required]
    return [f"{s.at}{r['field']} requires {' and '.join(missing)}{_note(r)}"] if s.has(r["field"]) and missing else []


def _at_least_one(r: dict, s: _Scope) -> list[str]:
    if any(s.has(f) or f in s.required for f in r["fields"]):
        return []
    return [f"one of {', '.join(s.at + f for f in r['fields'])} is required{s.cond(r.get('when'))}{_note(r)}"]


def _required_if(r: dict, s: _Scope) -> list[str]:
    return [f"{s.at}{f}: missing; it is required{s.cond(r['when'])}{_note(r)}"
            for f in r["fields"] if not s.has(f) and f not in s.required]


def _forbidden_if(r: dict, s: _Scope) -> list[str]:
    return [f"{s.at}{f}: not allowed{s.cond(r['when'])}{_note(r)}" for f in r["fields"] if s.has(f)]


def _allowed_values_if(r: dict, s: _Scope) -> list[str]:
    value = s.value(r["field"])
    if value is None or value in r["values"] or s.at + r["field"] in s.flagged:
        return []
    return [f"{s.at}{r['field']}: {s.shown(r['field'])} is not allowed{s.cond(r['when'])}; "
            f"allowed: {', '.join(_q(v) for v in r['values'])}{_note(r)}"]


_LIMITS = {"maximum": "is above the maximum", "minimum": "is below the minimum",
           "maxLength": "characters is longer than the maximum", "maxItems": "items is more than the maximum"}


def _limit_if(r: dict, s: _Scope) -> list[str]:
    value = s.data.get(r["field"])
    if not isinstance(value, (str, list, int, float)) or isinstance(value, bool) or s.at + r["field"] in s.flagged:
        return []
    size = len(value) if isinstance(value, (str, list)) else value
    for key, words in _LIMITS.items():
        if key in r and (size < r[key] if key == "minimum" else size > r[key]):
            return [f"{s.at}{r['field']}: {size} {words} {r[key]}{s.cond(r['when'])}{_note(r)}"]
    return []


def _range_msg(what: str, total: float, r: dict, s: _Scope) -> list[str]:
    lo, hi = r.get("min"), r.get("max")
    if (lo is not None and total < lo) or (hi is not None and total > hi):
        bounds = f"{lo}–{hi}" if lo is not None and hi is not None else f"at most {hi}" if hi is not None \
            else f"at least {lo}"
        return [f"{what} is {total:g}; allowed {bounds}{s.cond(r.get('when'))}{_note(r)}"]
    return []


def _count_range(r: dict, s: _Scope) -> list[str]:
    total = sum(len(s.data[f]) for f in r["fields"] if isinstance(s.data.get(f), list))
    return _range_msg(f"the number of items in {' + '.join(s.at + f for f in r['fields'])}", total, r, s)


def _sum_range(r: dict, s: _Scope) -> list[str]:
    items = [i for i in _list(s.data.get(r["array"])) if isinstance(i, dict)]
    if not items:
        return []
    total = sum(i[r["field"]] for i in items if type(i.get(r["field"])) in (int, float))
    return _range_msg(f"the total {s.at}{r['array']}[].{r['field']}", total, r, s)


def _any_item_has(r: dict, s: _Scope) -> list[str]:
    items = s.data.get(r["array"])
    if not isinstance(items, list) or not items or any(isinstance(i, dict) and _present(i, r["field"]) for i in items):
        return []
    return [f"{s.at}{r['array']}: at least one item needs {r['field']}{_note(r)}"]


CHECKS: dict[str, Callable[[dict, _Scope], list[str]]] = {
    "exclusive": _exclusive, "requires": _requires, "at_least_one": _at_least_one, "required_if": _required_if,
    "forbidden_if": _forbidden_if, "allowed_values_if": _allowed_values_if, "limit_if": _limit_if,
    "count_range": _count_range, "sum_range": _sum_range, "any_item_has": _any_item_has,
    "unsupported": lambda *_: [],
}


def rule_problems(model: ModelSpec, api_input: dict, flagged: frozenset[str] = frozenset()) -> list[str]:
    """Messages for every rule of ``model`` that ``api_input`` breaks; value rules skip the paths in ``flagged``
    (values the schema already refused)."""
    out: list[str] = []
    for rule in model.rules:
        scopes = [_Scope(api_input, model.schema, "", flagged)]
        if "each" in rule:
            item_schema = model.schema.get("properties", {}).get(rule["each"], {}).get("items", {})
            scopes = [_Scope(item, item_schema, f"{rule['each']}[{i}].", flagged)
                      for i, item in enumerate(_list(api_input.get(rule["each"]))) if isinstance(item, dict)]
        for scope in scopes:
            if _holds(rule.get("when"), scope.data, scope.props):
                out += CHECKS[rule["kind"]](rule, scope)
    return out


def _errors(schema: dict, instance: Any) -> list:
    from jsonschema import Draft202012Validator  # imported on first use: it is a fifth of our start-up time

    return sorted(Draft202012Validator(schema).iter_errors(instance), key=lambda e: [str(p) for p in e.path])


def _describe(errors: list, subject: str, rules: tuple[dict, ...]) -> list[str]:
    return list(dict.fromkeys(line for err in errors for line in _schema_line(err, subject, rules)))


def describe_schema_errors(schema: dict, instance: Any, subject: str, rules: tuple[dict, ...] = ()) -> list[str]:
    """One message per JSON Schema violation of `instance` (in document order of the offending paths, identical
    lines once), each naming the parameter, what is wrong and what is allowed; `subject` is the model id or
    tool name the schema belongs to (the caller names it in the header)."""
    return _describe(_errors(schema, instance), subject, rules)


def invalid_input(subject: str, problems: list[str]) -> InvalidInput:
    """The error for a refused model input: a header naming ``subject`` and one bullet per problem."""
    return InvalidInput(f"Invalid input for {subject}:\n- " + "\n- ".join(problems))


def validate_input(model: ModelSpec, api_input: dict) -> None:
    """Raise ``InvalidInput`` listing every problem of ``api_input`` for ``model`` (schema, then rules)."""
    if not isinstance(api_input, dict):
        raise invalid_input(model.id, [f"input: expected an object, got {_q(api_input)}"])
    errors = _errors(model.schema, api_input)
    flagged = frozenset(_path(e.absolute_path) for e in errors)
    problems = _describe(errors, model.id, model.rules) + rule_problems(model, api_input, flagged)
    if problems:
        raise invalid_input(model.id, list(dict.fromkeys(problems)))
