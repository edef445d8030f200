"""Cross-field rules of a model (data in each ``ModelSpec.rules``), checked after its JSON Schema.

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
* ``index_in`` — ``field`` is an index (``base`` 0 or 1) that must point inside the array ``array``.
* ``unsupported`` — ``fields`` are documented as not accepted; only explains the unknown-parameter error
  (quoting ``reason``, the doc sentence, unless the rule has a ``note``).

A condition (``when``) maps a field to a list of values (the field's value, or its default, is one of
them), to ``"present"`` or to ``"absent"``; several fields must all match. Wherever a rule names a field
for presence, ``array[key=value]`` stands for "some item of array has key = value". A requirement
(``requires``, ``at_least_one``, ``required_if``, ``any_item_has``) is met only by a non-empty value: ``""``,
``[]`` and ``{}`` count as missing; a prohibition (``exclusive``, ``forbidden_if``) applies to any value that
is sent. ``reason`` records where a rule comes from (for the README); an optional ``note`` is a clause added to
the message when the rule's own sentence would not say enough.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mcp_server.specs import ModelSpec


def quote(value: Any) -> str:
    """A value as it appears in messages (JSON)."""
    return json.dumps(value, ensure_ascii=False)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _present(data: dict, field: str) -> bool:
    """``field`` is sent; ``array[key=value]`` means some item of ``array`` has ``key`` equal to ``value``."""
    if "[" in field:
        name, _, selector = field[:-1].partition("[")
        key, _, wanted = selector.partition("=")
        return any(isinstance(i, dict) and str(i.get(key)) == wanted for i in _list(data.get(name)))
    return data.get(field) is not None


def _given(data: dict, field: str) -> bool:
    """``field`` is sent with content: an empty string, list or object does not satisfy a requirement."""
    return _present(data, field) and data.get(field, True) not in ("", [], {})


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

    def gives(self, field: str) -> bool:
        return _given(self.data, field)

    def value(self, field: str) -> Any:
        return _value(self.data, field, self.props)

    def shown(self, field: str) -> str:
        """``field``'s value for a message, marked when it is the schema default rather than given."""
        default = "" if field in self.data else " (the default)"
        return f"{quote(self.value(field))}{default}"

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
    missing = [s.at + f for f in r["requires"] if not s.gives(f) and f not in s.required]
    return [f"{s.at}{r['field']} requires {' and '.join(missing)}{_note(r)}"] if s.has(r["field"]) and missing else []


def _at_least_one(r: dict, s: _Scope) -> list[str]:
    if any(s.gives(f) or f in s.required for f in r["fields"]):
        return []
    return [f"one of {', '.join(s.at + f for f in r['fields'])} is required{s.cond(r.get('when'))}{_note(r)}"]


def _required_if(r: dict, s: _Scope) -> list[str]:
    return [f"{s.at}{f}: {'empty' if s.has(f) else 'missing'}; it is required{s.cond(r['when'])}{_note(r)}"
            for f in r["fields"] if not s.gives(f) and f not in s.required]


def _forbidden_if(r: dict, s: _Scope) -> list[str]:
    return [f"{s.at}{f}: not allowed{s.cond(r['when'])}{_note(r)}" for f in r["fields"] if s.has(f)]


def _allowed_values_if(r: dict, s: _Scope) -> list[str]:
    value = s.value(r["field"])
    if value is None or value in r["values"] or s.at + r["field"] in s.flagged:
        return []
    return [f"{s.at}{r['field']}: {s.shown(r['field'])} is not allowed{s.cond(r['when'])}; "
            f"allowed: {', '.join(quote(v) for v in r['values'])}{_note(r)}"]


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
    if not isinstance(items, list) or not items or any(isinstance(i, dict) and _given(i, r["field"]) for i in items):
        return []
    return [f"{s.at}{r['array']}: at least one item needs {r['field']}{_note(r)}"]


def _index_in(r: dict, s: _Scope) -> list[str]:
    value, base = s.data.get(r["field"]), r.get("base", 0)
    if type(value) is not int or s.at + r["field"] in s.flagged or not isinstance(s.data.get(r["array"]), list):
        return []
    size = len(s.data[r["array"]])
    if base <= value < size + base:
        return []
    return [f"{s.at}{r['field']}: {value} points outside {s.at}{r['array']}, which has {size} item(s) "
            f"({base}-based: allowed {base}-{size - 1 + base}){_note(r)}"]


CHECKS: dict[str, Callable[[dict, _Scope], list[str]]] = {
    "exclusive": _exclusive, "requires": _requires, "at_least_one": _at_least_one, "required_if": _required_if,
    "forbidden_if": _forbidden_if, "allowed_values_if": _allowed_values_if, "limit_if": _limit_if,
    "count_range": _count_range, "sum_range": _sum_range, "any_item_has": _any_item_has, "index_in": _index_in,
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
