"""Collect, for every model documented on a page, its parameters from the page's tables.

A page may document several models (Veo, Hailuo, Kling v2.1, Kling Omni Image, ...): each table, prose
line and heading is attributed to the models of its nearest heading that names models (see
``families.SECTION_MODELS`` and headings that contain a model id or its short name), else to every model
of the page. A table whose heading or intro names an array/object parameter already seen becomes that
parameter's item schema (``elements``, ``voices``, ``multi_shots``, ``voice_settings``, ``dialogue``,
``frames``, ``sound_effects``); tables listing backticked values (``## Enhancement Models``,
``## Output Formats``, ``## Valid Keys``...) supply the enum of a matching parameter that has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .families import SECTION_MODELS
from .params import Param, inline_items, parse_rows
from .parse import Page, Prose, Table
from .text import TOKEN, plain, short_id, token_value

_STOP = {"available", "valid", "supported", "options", "the", "of", "list", "object"}


@dataclass
class RawModel:
    """Everything the page says about one model id, before curation."""

    id: str
    page: Page
    params: dict[str, Param] = field(default_factory=dict)
    nested: dict[str, list[Param]] = field(default_factory=dict)
    prose: list[Prose] = field(default_factory=list)
    note: str = ""
    sections: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)


def models_for(page: Page, headings: tuple[str, ...]) -> tuple[str, ...]:
    """The model ids a table/line under ``headings`` applies to."""
    mapping = SECTION_MODELS.get(page.title, {})
    for heading in reversed(headings):
        if heading in mapping:
            return mapping[heading]
        hits = tuple(m for m in page.model_ids if f"`{m}`" in heading or
                     re.search(rf"(?<![\w.-]){re.escape(short_id(m))}(?![\w.-])", heading))
        if hits:
            return hits
    return page.model_ids


def _words(text: str) -> set[str]:
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in re.findall(r"[a-z0-9]+", text.lower())}


def _mentions(context: str, name: str) -> bool:
    text = " " + re.sub(r"[^a-z0-9_ ]", " ", context.lower()) + " "
    variants = {name, name.replace("_", " ")}
    variants |= {v[:-1] for v in variants if v.endswith("s")}
    return any(f" {v} " in text for v in variants)


def _object_like(param: Param) -> bool:
    schema = param.schema
    if schema.get("type") == "object":
        return "properties" not in schema
    return schema.get("type") == "array" and schema.get("items", {"type": "object"}).get("type") == "object" \
        and "properties" not in schema.get("items", {})


def _object_schema(fields: list[Param]) -> dict:
    schema: dict = {"type": "object", "properties": {f.name: f.schema for f in fields}, "additionalProperties": False}
    required = [f.name for f in fields if f.required == "yes"]
    if required:
        schema["required"] = required
    return schema


def _attach_nested(model: RawModel, table: Table, rows: list[Param]) -> bool:
    """Make ``rows`` the item/object schema of the parameter the table's heading or intro names."""
    context = f"{table.headings[-1] if table.headings else ''} {table.intro}"
    for name, param in model.params.items():
        if _object_like(param) and _mentions(context, name):
            obj = _object_schema(rows)
            if param.schema["type"] == "array":
                param.schema["items"] = obj
            else:
                param.schema.update({k: v for k, v in obj.items() if k != "type"})
            model.nested[name] = rows
            return True
    return False


def _value_tables(page: Page) -> list[tuple[set[str], list[str]]]:
    """(heading words, values) of every table whose column holds only backticked literals."""
    out = []
    for table in page.tables:
        if any("/" in t for row in table.rows for t in TOKEN.findall(row[0] if row else "")):
            continue
        label = table.headings[-1] if table.headings else ""
        if table.intro.startswith("**") and table.intro.rstrip(":*").strip():
            label = table.intro
        for col in range(len(table.headers)):
            cells = [row[col] for row in table.rows if len(row) > col]
            if len(cells) >= 2 and all(re.fullmatch(r"(?:`[^`]+`[\s,]*)+", c) for c in cells):
                values = [token_value(t) for c in cells for t in TOKEN.findall(c)]
                out.append((_words(plain(label)) - _STOP, values))
                break
    return out


def _apply_value_tables(model: RawModel, tables: list[tuple[set[str], list[str]]]) -> None:
    for name, param in model.params.items():
        branch = next((b for b in param.schema.get("anyOf", [param.schema]) if b.get("type") == "string"), None)
        if branch is None or "enum" in branch:
            continue
        hay = _words(name.replace("_", " "))
        if "see" in param.description.lower():
            hay |= _words(plain(param.description))
        for words, values in tables:
            if words and words <= hay:
                branch["enum"] = values
                break


def _finish_arrays(model: RawModel) -> None:
    """Give every array without an item schema one from its description, else string items."""
    for param in model.params.values():
        for branch in param.schema.get("anyOf", [param.schema]):
            if branch.get("type") == "array" and "items" not in branch:
                items = inline_items(param.description)
                branch["items"] = items if items else {"type": "string"}
            elif branch.get("type") == "array" and branch["items"] == {"type": "object"}:
                items = inline_items(param.description)
                if items:
                    branch["items"] = items


def assemble_page(page: Page) -> dict[str, RawModel]:
    """Per-model parameters of one page (empty for pages without models)."""
    models = {mid: RawModel(mid, page, note=page.model_notes.get(mid, "")) for mid in page.model_ids}
    for table in page.tables:
        if table.col("Parameter", "Field") is None or table.col("Type") is None:
            continue
        for mid in models_for(page, table.headings):
            model, rows = models[mid], parse_rows(table)
            if _attach_nested(model, table, rows) or table.headers[0].lower() != "parameter":
                continue
            for row in rows:
                model.params.setdefault(row.name, row)
                model.sections.setdefault(row.name, []).append(table.headings)
    value_tables = _value_tables(page)
    for model in models.values():
        _apply_value_tables(model, value_tables)
        _finish_arrays(model)
        model.prose = [p for p in page.prose if model.id in models_for(page, p.headings)]
    return models
