"""The published (model-visible) form of an input schema: the subset every common client accepts.

OpenAI (non-strict), Anthropic and Gemini (``parameters`` and ``parametersJsonSchema``), and the usual converters
(google-genai's MCP conversion, LangChain's Gemini binding, OpenAI Agents) all pass a schema through when it has

* no numeric ``enum``: an integer/number enum becomes ``minimum``/``maximum`` with the allowed values in the
  description ("One of 6, 10"); an ``enum`` holds strings only (a boolean one becomes a plain boolean);
* no type arrays: ``["string", "null"]`` becomes ``"string"`` (null means "not given" to the server anyway);
* no ``oneOf``/``anyOf``/``allOf`` at the top level, no ``$ref``/``$defs`` (local references are inlined);
* no ``additionalProperties``: the server itself refuses unknown arguments, naming the allowed ones;
* a ``type`` in every ``anyOf`` branch (inferred from its ``enum``/``pattern``/``const``).

``portable`` is a pure function; the server keeps validating against the exact schema it was given. The other
half of the same convention is on the way in: strict-mode clients (and several models) send ``null`` for an
optional argument they do not mean to give, so ``drop_nulls`` removes null-valued keys before validation.
"""

from __future__ import annotations

import copy
import re
from typing import Any


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_of(values: list) -> str | None:
    kinds = {"boolean" if isinstance(v, bool) else "integer" if isinstance(v, int) else "number" if _number(v)
             else "string" if isinstance(v, str) else None for v in values}
    if kinds <= {"integer", "number"} and kinds:
        return "number" if "number" in kinds else "integer"
    return kinds.pop() if len(kinds) == 1 else None


def _inline(node: Any, defs: dict) -> Any:
    if isinstance(node, list):
        return [_inline(x, defs) for x in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str) and node["$ref"].split("/")[-1] in defs:
        target = _inline(copy.deepcopy(defs[node["$ref"].split("/")[-1]]), defs)
        return {**target, **{k: _inline(v, defs) for k, v in node.items() if k != "$ref"}}
    return {k: _inline(v, defs) for k, v in node.items()}


def _numeric_enum(node: dict) -> None:
    values = node.pop("enum")
    node.setdefault("type", _type_of(values))
    node["minimum"], node["maximum"] = min(values), max(values)
    listed = f"One of {', '.join(map(str, values))}"
    text = node.get("description", "")
    if not all(re.search(rf"(?<![\d.]){re.escape(str(v))}(?![\d.])", text) for v in values):
        node["description"] = f"{text}; {listed}" if text else listed


def _boolean_enum(node: dict) -> None:
    """Gemini's enum holds strings only: a boolean enum (or const) becomes a plain boolean, its one allowed
    value said in the description."""
    values = set(node.pop("enum"))
    node["type"] = "boolean"
    if len(values) == 1:
        only = f"Only {str(values.pop()).lower()}"
        node["description"] = f"{node['description']}; {only}" if node.get("description") else only


def _clean(node: dict) -> dict:
    node.pop("additionalProperties", None)
    node.pop("$ref", None)
    if isinstance(node.get("type"), list):
        kinds = [t for t in node["type"] if t != "null"]
        node["type"] = kinds[0] if kinds else "string"
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if "enum" in node and node["enum"] and all(_number(v) for v in node["enum"]):
        _numeric_enum(node)
    elif "enum" in node and node["enum"] and all(isinstance(v, bool) for v in node["enum"]):
        _boolean_enum(node)
    if "type" not in node and (kind := _type_of(node.get("enum", [])) or ("string" if "pattern" in node else None)):
        node["type"] = kind
    for key in ("anyOf", "oneOf"):
        if key in node:
            branches = [b for b in (_clean(x) for x in node[key]) if b.get("type") != "null"]
            if len(branches) == 1:
                del node[key]
                node.update({k: v for k, v in branches[0].items() if k not in node})
            else:
                node[key] = branches
    if "allOf" in node:
        for branch in node.pop("allOf"):
            node.update({k: v for k, v in _clean(branch).items() if k not in node})
    if isinstance(node.get("properties"), dict):
        node["properties"] = {k: _clean(v) for k, v in node["properties"].items()}
    if isinstance(node.get("items"), dict):
        node["items"] = _clean(node["items"])
    return node


def portable(schema: dict[str, Any]) -> dict[str, Any]:
    """The published form of an input schema (a new dict; ``schema`` is not changed)."""
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    out = _inline({k: v for k, v in copy.deepcopy(schema).items() if k not in ("$defs", "definitions")}, defs)
    for key in ("oneOf", "anyOf", "allOf"):
        out.pop(key, None)  # the top level must be a plain object schema; the server checks the exact one
    out = _clean(out)
    out["type"] = "object"
    out.setdefault("properties", {})
    return out


def drop_nulls(value: Any) -> Any:
    """Remove every null-valued key of every object inside ``value``, in place (items of lists included)."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for item in value.values():
            drop_nulls(item)
    elif isinstance(value, list):
        for item in value:
            drop_nulls(item)
    return value
