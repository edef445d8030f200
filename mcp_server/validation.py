"""Per-model input validation: the model's JSON Schema, then its cross-field rules (``mcp_server.rules``).

``validate_input`` collects every problem and raises one ``InvalidInput``: a header naming the model
(``Invalid input for <model id>:``) and one ``- `` bullet per problem, each a short sentence that names the
parameter by dotted path, says what is wrong and what is allowed. Identical lines are reported once, and a
rule never repeats a field the schema already reported (missing, or a refused value). An unknown parameter is
named with the allowed ones (and a "did you mean" hint), or with the docs' reason when a rule declares it
unsupported.
"""

from __future__ import annotations

import difflib
from typing import Any

from mcp_server.errors import InvalidInput
from mcp_server.rules import CHECKS, quote, rule_problems
from mcp_server.specs import ModelSpec

__all__ = ["CHECKS", "describe_schema_errors", "documented_deviation", "invalid_input", "rule_problems",
           "validate_input"]

_NUMBERS = ("minimum", "maximum")


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "input"


def _allowed(schema: dict) -> str:
    """Short human description of what a (sub)schema accepts."""
    if "enum" in schema:
        return ", ".join(quote(v) for v in schema["enum"])
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
        return [f"{where}: {quote(v)} is not allowed; allowed: {_allowed(s)}"]
    if kind == "type":
        return [f"{where}: expected {s['type']}, got {quote(v)}"]
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
        raise invalid_input(model.id, [f"input: expected an object, got {quote(api_input)}"])
    errors = _errors(model.schema, api_input)
    flagged = frozenset(_path(e.absolute_path) for e in errors)
    problems = _describe(errors, model.id, model.rules) + rule_problems(model, api_input, flagged)
    if problems:
        raise invalid_input(model.id, list(dict.fromkeys(problems)))


def documented_deviation(model: ModelSpec, api_input: dict) -> dict | None:
    """The refused documented example whose contradiction ``api_input`` repeats (every key/value of the
    example's recorded ``deviation``), provided the input is valid without those keys; else None. Such an
    input is what the docs' own example sends: ``create_task`` sends it, with a warning naming the contradiction."""
    if not isinstance(api_input, dict):
        return None
    for refused in model.refused_examples:
        deviation = refused.get("deviation") or {}
        if not deviation or any(api_input.get(k) != v for k, v in deviation.items()):
            continue
        try:
            validate_input(model, {k: v for k, v in api_input.items() if k not in deviation})
        except InvalidInput:
            continue
        return refused
    return None
