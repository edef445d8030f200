"""The "## Model Parameters" summary tables (Unified Tasks API page) and where they disagree with the pages.

The model's own page wins; this module only finds and describes the disagreements so that the README
lists every one of them (presence of a parameter, its type, whether it is required, enum, range, length,
item counts and default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .params import Param, kind_of, parse_rows
from .parse import Page
from .text import TOKEN, token_value

SUMMARY_PAGE = "Unified Tasks API"
SUMMARY_SECTION = "Model Parameters"
_KEYS = ("minimum", "maximum", "maxLength", "minItems", "maxItems", "default")


@dataclass(frozen=True)
class Contradiction:
    """One disagreement between the summary table and a model page, for one or more models."""

    models: tuple[str, ...]
    field: str
    summary: str
    page: str
    summary_line: int


def summary_params(page: Page) -> dict[str, tuple[int, dict[str, Param]]]:
    """Model id -> (table line, parameters) from the summary tables, following "Same parameters as X"."""
    by_heading: dict[str, tuple[int, dict[str, Param]]] = {}
    out: dict[str, tuple[int, dict[str, Param]]] = {}
    for table in page.tables:
        if SUMMARY_SECTION not in table.headings or table.col("Parameter") is None:
            continue
        params = {p.name: p for p in parse_rows(table)}
        by_heading[table.headings[-1]] = (table.line, params)
        for mid in _section_models(page, table.headings, table.line):
            out.setdefault(mid, (table.line, params))
    for line in page.prose:
        if SUMMARY_SECTION not in line.headings:
            continue
        m = re.search(r"Same parameters as (.+?)\.?$", line.text)
        if m and m.group(1).strip() in by_heading:
            for mid in _section_models(page, line.headings, line.line):
                out.setdefault(mid, by_heading[m.group(1).strip()])
    return out


def _section_models(page: Page, headings: tuple[str, ...], before: int) -> list[str]:
    lines = [p for p in page.prose if p.headings == headings and p.line <= before and re.match(r"Models?:", p.text)]
    if not lines:
        return []
    return [token_value(t) for t in TOKEN.findall(lines[-1].text) if "/" in t]


def _describe(param: Param | None) -> dict[str, str]:
    if param is None:
        return {"presence": "absent"}
    schema = param.schema
    kind = kind_of(schema)
    required = {"yes": "required", "no": "optional"}.get(param.required, "conditional")
    facts = {"presence": "present", "type": kind, "required": required}
    if kind == "array" and "items" in schema:
        facts["items"] = schema["items"].get("type", "any")
    branch = next((b for b in schema.get("anyOf", [schema]) if "enum" in b), {})
    if branch:
        facts["enum"] = ", ".join(sorted(str(v) for v in branch["enum"]))
    for key in _KEYS:
        if key in schema:
            facts[key] = str(schema[key]).lower() if isinstance(schema[key], bool) else str(schema[key])
    return facts


def compare(summary: dict[str, tuple[int, dict[str, Param]]],
            pages: dict[str, dict[str, Param]]) -> list[Contradiction]:
    """Every summary-vs-page disagreement, grouped across models with the same disagreement."""
    grouped: dict[tuple[str, str, str, int], list[str]] = {}
    for mid, (line, s_params) in summary.items():
        p_params = pages.get(mid)
        if p_params is None:
            continue
        for name in list(dict.fromkeys([*s_params, *p_params])):
            s_facts, p_facts = _describe(s_params.get(name)), _describe(p_params.get(name))
            if s_facts["presence"] != p_facts["presence"]:
                key = (name, f"{s_facts['presence']}", f"{p_facts['presence']}", line)
                grouped.setdefault(key, []).append(mid)
                continue
            for aspect in sorted(set(s_facts) | set(p_facts)):
                if aspect == "items" and (aspect not in s_facts or aspect not in p_facts):
                    continue
                if aspect not in s_facts:
                    continue  # the page only adds detail the summary leaves out
                if s_facts.get(aspect) != p_facts.get(aspect):
                    key = (name, f"{aspect}: {s_facts.get(aspect, '—')}", f"{aspect}: {p_facts.get(aspect, '—')}", line)
                    grouped.setdefault(key, []).append(mid)
    return [Contradiction(tuple(models), name, s, p, line) for (name, s, p, line), models in grouped.items()]


def listed_models(page: Page) -> dict[str, tuple[str, str]]:
    """Model id -> (category, description) from the "## Available Models" tables ("### Image Generation" ->
    image)."""
    return {row[0].strip("` "): (t.headings[-1].split()[0].lower(), row[1] if len(row) > 1 else "")
            for t in page.tables if "Available Models" in t.headings for row in t.rows if "/" in row[0]}
