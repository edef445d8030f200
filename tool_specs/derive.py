"""Cross-field rules that the parameter tables state in words, turned into rule data.

Recognised phrasings (each rule's ``reason`` quotes the description it came from):

* ``Yes*`` + ``Required if no `x``` -> ``at_least_one [param, x]``
* ``Mutually exclusive with `x``` / ``Cannot be combined with `x``` -> ``exclusive [param, x]``
  (plus ``at_least_one`` when the param is ``Conditional``: one of the two is needed)
* ``Requires `x``` / ``requires x`` -> ``requires`` (or ``allowed_values_if x=true`` for a boolean x)
* ``not available with x`` (boolean x) -> ``forbidden_if param when x=true``
* ``Required for/when/in <values>`` -> ``required_if param when <field whose enum holds the values>``
* mode-dependent fields (``modes``): refused in the modes they do not belong to; a Modes table's per-mode
  requirements
* page prose ``... not supported`` / ``does not support`` / ``there is no`` naming backticked fields the
  model lacks -> ``unsupported`` (used to explain why such a field is refused)

The rule kinds themselves are documented and enforced in ``mcp_server.validation``.
"""

from __future__ import annotations

import json
import re

from .assemble import RawModel, models_for
from .modes import matching_enum, modes_table_rules, ownership_rules
from .params import Param, kind_of
from .text import IDENT, TOKEN, plain, sentences, strip_markup, token_value

_EXCLUSIVE = re.compile(r"(?:mutually exclusive with|cannot be combined with)\s+([^.;]*)", re.IGNORECASE)
_REQUIRES = re.compile(r"\brequires\s+`?([a-z_]+)`?", re.IGNORECASE)
_IF_NO = re.compile(r"required if no\s+`([^`]+)`", re.IGNORECASE)
_NOT_WITH = re.compile(r"not available with\s+`?([a-z_]+)`?", re.IGNORECASE)
_REQUIRED_FOR = re.compile(r"\brequired\b\s*(?:for|when|in)\s+([^.;]*)", re.IGNORECASE)
_UNSUPPORTED = re.compile(r"not supported|does not support|do not support|there is no|does not accept", re.IGNORECASE)


def _reason(param: Param) -> str:
    return plain(param.description)


def rules_for(param: Param, params: dict[str, Param]) -> list[dict]:
    """Rules one row's description implies, given its sibling parameters."""
    text, name, out = strip_markup(param.description), param.name, []
    if param.required == "alternative":
        for other in _IF_NO.findall(text):
            if token_value(other) in params:
                out.append({"kind": "at_least_one", "fields": [name, token_value(other)]})
    for clause in _EXCLUSIVE.findall(text):
        for raw in TOKEN.findall(clause):
            for other in (token_value(x) for x in raw.split("/")):
                if other in params and other != name:
                    out.append({"kind": "exclusive", "fields": [name, other]})
                    if param.required == "conditional":
                        out.append({"kind": "at_least_one", "fields": [name, other]})
    for other in _REQUIRES.findall(text):
        if other in params and other != name:
            if kind_of(params[other].schema) == "boolean":
                out.append({"kind": "allowed_values_if", "field": other, "values": [True],
                            "when": {name: "present"}})
            else:
                out.append({"kind": "requires", "field": name, "requires": [other]})
    for other in _NOT_WITH.findall(text):
        if other in params and kind_of(params[other].schema) == "boolean":
            out.append({"kind": "forbidden_if", "fields": [name], "when": {other: [True]}})
    if param.required != "yes":
        for clause in _REQUIRED_FOR.findall(text):
            match = matching_enum(clause, params, name)
            if match:
                out.append({"kind": "required_if", "fields": [name], "when": {match[0]: match[1]}})
    for rule in out:
        rule["reason"] = _reason(param)
    return out


def unsupported_rules(model: RawModel) -> list[dict]:
    """``unsupported`` rules from page prose that names fields this model does not take."""
    out = []
    for line in model.prose:
        for sentence in sentences(strip_markup(line.text)):
            if not _UNSUPPORTED.search(sentence):
                continue
            fields = [t for t in (token_value(x) for x in TOKEN.findall(sentence))
                      if IDENT.match(t) and t not in model.params]
            if fields:
                out.append({"kind": "unsupported", "fields": list(dict.fromkeys(fields)), "reason": plain(sentence)})
    return out


def derive_rules(model: RawModel) -> list[dict]:
    """All rules implied by a model's tables and prose, de-duplicated, in document order."""
    rules: list[dict] = []
    for param in model.params.values():
        rules += rules_for(param, model.params)
    for parent, fields in model.nested.items():
        siblings = {f.name: f for f in fields}
        for field_param in fields:
            rules += [{**rule, "each": parent} for rule in rules_for(field_param, siblings)]
    rules += unsupported_rules(model)
    rules += ownership_rules(model.params, model.sections)
    tables = tuple(t for t in model.page.tables if model.id in models_for(model.page, t.headings))
    rules += modes_table_rules(tables, model.params)
    seen, unique = set(), []
    for rule in rules:
        key = json.dumps({k: sorted(v) if k == "fields" else v for k, v in rule.items() if k != "reason"},
                         sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(rule)
    return unique
