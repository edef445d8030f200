"""Mode-dependent parameters: which fields belong to which value of a mode switch, and the rules that follow.

A model with a switch (``mode``, ``video_mode``, ``reference_mode``, ``shot_mode``: any parameter with an enum)
documents, per field, the modes it belongs to, in one of these ways:

* the field's description restricts it to modes: ``(elements mode only)``, ``(`transform` / `video_reference`
  modes)``, ``for I2V mode``, ``Optional for `first_last_frame```, or a requirement ``Required for
  `omni_reference``` / ``(required for `i2v`)`` (unless the field is also in a section common to all modes);
  "placeholders in `omni_reference` mode" or "Auto-calculated in `multi_frame` mode" are usage, not ownership;
* the field is documented only in per-mode sections (``## I2V Mode`` / ``### Parameters``);
* a *Modes* table lists each mode's required and optional inputs (a field named there for some modes
  belongs to those);
* a boolean switch names its modes ("`false` for simple mode, `true` for custom mode", or "Simple or custom
  mode" on ``custom``) and a field's description starts with one ("Custom mode: genre/style tags").

A field that belongs to some modes is refused in the others (``forbidden_if``); a boolean field is refused
only when true (``allowed_values_if`` on the switch). A Modes table also yields each mode's requirements
(``required_if``, or ``at_least_one`` for "At least one of `a`, `b`" / "`a` or `b`").
"""

from __future__ import annotations

import re

from .params import Param, kind_of
from .parse import Table
from .text import TOKEN, plain, strip_markup, token_value

FILLER = {"and", "or", "the", "mode", "modes", "shot", "is", "set", "to"}
_MODE_WORD = re.compile(r"\bmodes?\b", re.IGNORECASE)
_OPTIONAL_FOR = re.compile(r"\boptional\s+(?:for|in)\s+([^.;]*)", re.IGNORECASE)
_REQUIRED_FOR = re.compile(r"\brequired\b\s*(?:for|when|in)\s+([^.;]*)", re.IGNORECASE)


def matching_enum(clause: str, params: dict[str, Param], skip: str, backwards: bool = False
                  ) -> tuple[str, list] | None:
    """The parameter whose enum holds the values a clause starts with (or ends with, ``backwards``).

    Words are read in order; fillers (``and``, ``mode``, the switch's own name...) are skipped and the
    first other word that is not one of the enum's values ends the list (``Required for voices, pro mode
    only`` names no mode value).
    """
    words = re.findall(r"[A-Za-z0-9_-]+", plain(clause))
    if backwards:
        words.reverse()
    for name, other in params.items():
        enum = other.schema.get("enum")
        if name == skip or not enum:
            continue
        lowered = {str(v).lower(): v for v in enum}
        hits = []
        for word in words:
            if word.lower() in lowered:
                hits.append(lowered[word.lower()])
            elif word.lower() not in FILLER and word != name:
                break
        if hits:
            return name, list(dict.fromkeys(hits))
    return None


def _segment(text: str) -> tuple[bool, str]:
    """The clause before a "mode" word (from the last bracket or sentence break), and whether a bracket opened it."""
    cut = max(text.rfind(c) for c in "(.;:—")
    return cut >= 0 and text[cut] == "(", text[cut + 1:]


def _described_modes(param: Param, params: dict[str, Param], common: bool) -> tuple[str, list] | None:
    """The switch and its values a field's description assigns the field to."""
    text = strip_markup(param.description)
    for m in _MODE_WORD.finditer(text):
        opened, before = _segment(text[: m.start()])
        after = text[m.end():].lstrip()
        match = matching_enum(before, params, param.name, backwards=True)
        restricted = after.startswith("only") or (opened and after.startswith(")")) or \
            re.search(r"\bfor\s+[^(]*$", before, re.IGNORECASE)
        if match is not None and restricted:
            return match
    clauses = _OPTIONAL_FOR.findall(text)
    if not common and param.required != "yes":
        clauses += _REQUIRED_FOR.findall(text)
    for clause in clauses:
        if (match := matching_enum(clause, params, param.name)) is not None:
            return match
    return None


def _section_modes(sections: list[tuple[str, ...]], params: dict[str, Param], name: str
                   ) -> tuple[str, list] | None:
    """The switch values named by the headings of every table that documents the field (None if any
    table is not a per-mode section)."""
    switch, values = None, []
    for headings in sections:
        found = next((m for h in headings if (m := matching_enum(h, params, name)) is not None), None)
        if found is None or (switch is not None and found[0] != switch):
            return None
        switch, values = found[0], values + found[1]
    return (switch, list(dict.fromkeys(values))) if switch else None


def _owned_rule(name: str, switch: str, values: list, params: dict[str, Param], reason: str) -> dict | None:
    choices = params[switch].schema.get("enum", [True, False])
    others = [v for v in choices if v not in values]
    if not others:
        return None
    if kind_of(params[name].schema) == "boolean":
        return {"kind": "allowed_values_if", "field": switch, "values": values, "when": {name: [True]},
                "reason": reason}
    return {"kind": "forbidden_if", "fields": [name], "when": {switch: others}, "reason": reason}


def named_modes(params: dict[str, Param]) -> dict[str, tuple[str, bool]]:
    """Modes a boolean switch names: ``custom``: "`false` for simple mode, `true` for custom mode", or "Simple or
    custom mode" (the mode named like the switch is ``true``) -> {"simple": ("custom", False), ...}."""
    out: dict[str, tuple[str, bool]] = {}
    for name, param in params.items():
        if kind_of(param.schema) != "boolean":
            continue
        text = plain(param.description).lower()
        pairs = re.findall(r"\b(true|false)\s+for\s+(\w+)\s+mode", text)
        if not pairs and (m := re.search(r"\b(\w+)\s+or\s+(\w+)\s+mode", text)) and name in m.groups():
            pairs = [("true" if word == name else "false", word) for word in m.groups()]
        out.update({word: (name, value == "true") for value, word in pairs})
    return out


def _labelled_mode(param: Param, named: dict[str, tuple[str, bool]]) -> tuple[str, list] | None:
    """A field whose description starts with a mode a boolean switch names ("Custom mode: lyrics")."""
    m = re.match(r"(\w+) mode\b", plain(param.description), re.IGNORECASE)
    if m is None or m.group(1).lower() not in named:
        return None
    switch, value = named[m.group(1).lower()]
    return switch, [value]


def ownership_rules(params: dict[str, Param], sections: dict[str, list[tuple[str, ...]]]) -> list[dict]:
    """Rules refusing each mode-specific field in the modes it does not belong to."""
    out = []
    named = named_modes(params)
    for name, param in params.items():
        common = any("common" in h.lower() for hs in sections.get(name, []) for h in hs)
        match = _described_modes(param, params, common) or _section_modes(sections.get(name, []), params, name) \
            or _labelled_mode(param, named)
        if match is not None:
            reason = plain(param.description) or f"{name} is documented only for {', '.join(map(str, match[1]))}"
            rule = _owned_rule(name, *match, params, reason)
            if rule:
                out.append(rule)
    return out


def _cell_fields(cell: str, params: dict[str, Param]) -> list[str]:
    return [t for t in (token_value(x) for x in TOKEN.findall(cell)) if t in params]


def modes_table_rules(tables: tuple[Table, ...], params: dict[str, Param]) -> list[dict]:
    """Requirements and refusals from a table with *Mode*, *Required inputs* and *Optional inputs* columns."""
    out = []
    for table in tables:
        mode_col, req_col, opt_col = table.col("Mode"), table.col("Required inputs"), table.col("Optional inputs")
        if mode_col is None or req_col is None or opt_col is None:
            continue
        rows = []
        for row in table.rows:
            match = matching_enum(row[mode_col], params, "")
            if match is not None:
                rows.append((match, _cell_fields(row[req_col], params), _cell_fields(row[opt_col], params), row))
        universe = list(dict.fromkeys(f for _, req, opt, _ in rows for f in req + opt))
        for (switch, values), required, optional, row in rows:
            when = {switch: values}
            reason = plain(" | ".join(row))
            if len(required) > 1:
                out.append({"kind": "at_least_one", "fields": required, "when": when, "reason": reason})
            elif required:
                out.append({"kind": "required_if", "fields": required, "when": when, "reason": reason})
            refused = [f for f in universe if f not in required + optional]
            if refused:
                out.append({"kind": "forbidden_if", "fields": refused, "when": when, "reason": reason})
    return out
