"""What a built model spec (``schema`` and ``rules``) says about some of its parameters: the numbers, values,
requirements and rules that a doc claim (``tool_specs/claims.py``) is matched against."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"(?<![\w.@])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)")
_REQUIREMENT_KINDS = ("required_if", "at_least_one", "requires", "any_item_has")


def numbers_in(text: str) -> set[float]:
    """The numbers a text states (thousands separators allowed)."""
    return {float(n.replace(",", "")) for n in _NUMBER.findall(text)}


def _schema_facts(schema: dict, numbers: set[float], values: set[str]) -> None:
    for key in ("minimum", "maximum", "minItems", "maxItems", "minLength", "maxLength"):
        if key in schema:
            numbers.add(float(schema[key]))
    for value in [*schema.get("enum", []), *([schema["default"]] if "default" in schema else [])]:
        _value_facts(value, numbers, values)
    for branch in schema.get("anyOf", []):
        _schema_facts(branch, numbers, values)
    if isinstance(schema.get("items"), dict) and "properties" not in schema["items"]:
        _schema_facts(schema["items"], numbers, values)


def _value_facts(value: object, numbers: set[float], values: set[str]) -> None:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    values.add(text)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        numbers.add(float(value))
    else:
        numbers.update(numbers_in(text))


def _selector_values(rule: dict) -> list[str]:
    return [f.split("=", 1)[1].rstrip("]") for f in rule.get("fields", []) if "=" in f]


def _rule_names(rule: dict) -> set[str]:
    names = {*rule.get("fields", []), *rule.get("requires", []), *rule.get("when", {})}
    names |= {rule[k] for k in ("field", "array") if k in rule}
    return {n.split("[")[0] for n in names}


@dataclass
class Facts:
    numbers: set[float]
    values: set[str]
    required: bool
    ruled: bool
    enum: bool


def facts(model: dict, names: tuple[str, ...], parent: str = "") -> Facts:
    """What the built spec (``schema``, ``rules``) says about the named parameters (of ``parent``'s items)."""
    schema = model["schema"]
    scope = schema["properties"][parent] if parent else schema
    scope = scope.get("items", scope)
    props = scope.get("properties", {})
    numbers: set[float] = set()
    values: set[str] = set()
    required = enum = ruled = False
    for name in names:
        prop = props.get(name, {})
        _schema_facts(prop, numbers, values)
        enum |= any("enum" in b for b in [prop, *prop.get("anyOf", [])])
        if prop.get("type") == "boolean":
            values |= {"true", "false"}
        ruled |= bool(prop.get("items", {}).get("required"))
        if name in scope.get("required", []):
            kind, closed = prop.get("type"), all(v != "" for v in prop.get("enum", [""])) or "pattern" in prop
            required |= kind not in ("string", "array") or closed or prop.get("minLength", prop.get("minItems", 0)) >= 1
    for rule in model["rules"]:
        if rule.get("each", "") != parent or not _rule_names(rule) & set(names):
            continue
        ruled = True
        if rule["kind"] in _REQUIREMENT_KINDS:
            required = True
            numbers.add(1.0)  # a requirement is met only by a non-empty value: at least 1 item
        values.update(_selector_values(rule))
        for key in ("min", "max", "minimum", "maximum", "maxLength", "maxItems"):
            if key in rule:
                numbers.add(float(rule[key]))
        for value in rule.get("values", []):
            _value_facts(value, numbers, values)
        for field, spec in rule.get("when", {}).items():
            for value in spec if isinstance(spec, list) else []:
                _value_facts(value, numbers, values)
            for value in props.get(field, {}).get("enum", []):
                _value_facts(value, numbers, values)
    found = Facts(numbers, values, required, ruled, enum)
    if not parent:  # prose may name an item field (``duration`` of each shot): its facts count too
        for name, prop in props.items():
            if prop.get("type") == "array" and set(names) & set(prop.get("items", {}).get("properties", {})):
                nested = facts(model, names, name)
                found = Facts(found.numbers | nested.numbers, found.values | nested.values,
                              found.required or nested.required, found.ruled or nested.ruled,
                              found.enum or nested.enum)
    return found
