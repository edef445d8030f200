"""Turn one parameter-table row into a JSON Schema property.

Handles the documented type spellings (``string``, ``int``/``integer``, ``float``/``number``, ``boolean``,
``string[]``, ``list[string]``, ``array``, ``object``, ``object[]``, ``ElementInput30[]``,
``number/string``, ``string/array``), enums (backticked values in an *Allowed Values* column or at the
start of / after a marker in the description), ranges (``3-15``, ``3–15``, ``0.0–1.0``, `` `1`–`10` ``),
string limits (``max 800 chars``), item counts (``up to 7``, ``max 3``, ``1–3``, ``2–6 shots``, ``Min 1``),
defaults (a *Default* column, ``(default 5)``, ``Default: `16:9` ``, ```` `x` (default) ````) and the
*Required* column (``Yes``, ``**Yes**``, ``Yes*``, ``Conditional``, ``Depends``, ``No``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .limits import array_limits, find_range, item_length, number_limits, string_limits
from .parse import Table
from .text import TOKEN, coerce, plain, strip_markup, token_value, tokens

SCALARS = {"string": "string", "integer": "integer", "int": "integer", "number": "number",
           "float": "number", "boolean": "boolean", "bool": "boolean"}
_MARKER = re.compile(r"(?:Allowed|Values|One of|Must be|Fixed at)\s*:?\s*(?=`)")
_LABEL = re.compile(r"^[A-Za-z][\w ./+-]{0,40}:\s*(?=`)")
_SEP = re.compile(r"\s*(?:\((?:[^()]|\([^()]*\))*\))?\s*(?:[.,;]\s*)?(?:(?:or|and)\s+)?")
_RUN_TOKEN = re.compile(r"`([^`]+)`")
_PLAIN_NUMBERS = re.compile(r"^\s*(\d+(?:\s*,\s*(?:or\s+)?\d+)+)\b")
_NO_DEFAULT = {"", "-", "—", "null", "random", "none", "auto-detect"}


@dataclass
class Param:
    """One documented input: its JSON schema plus what the table said about it."""

    name: str
    schema: dict
    required: str  # yes | no | conditional | depends | alternative
    description: str
    line: int
    truncated: bool = False
    issues: list[str] = field(default_factory=list)


def kind_of(schema: dict) -> str:
    """``string``/``integer``/``number``/``boolean``/``array``/``object``/``union`` of a property."""
    if "anyOf" in schema:
        return "union"
    return schema.get("type", "any")


def type_schema(type_cell: str, name: str, description: str) -> dict:
    """Base schema for a *Type* cell."""
    t = type_cell.strip().strip("`").lower().replace(" ", "")
    if "/" in t:
        return {"anyOf": [type_schema(part, name, description) for part in t.split("/")]}
    if t.endswith("[]") or t.startswith("list["):
        inner = t[:-2] if t.endswith("[]") else t[5:-1]
        items = {"type": SCALARS[inner]} if inner in SCALARS else {"type": "object"}
        return {"type": "array", "items": items}
    if t == "array":
        return {"type": "array"}
    if t == "object":
        return {"type": "object"}
    return {"type": SCALARS.get(t, "string")}


def enum_run(text: str) -> tuple[list[str], bool]:
    """The list of backticked values a description starts with (or that follows a marker).

    Returns (values, truncated); truncated means the docs cut the list off with ``…``.
    """
    text = strip_markup(text)
    if text.startswith("`"):
        pos = 0
    elif (m := _LABEL.match(text)) or (m := _MARKER.search(text)):
        pos = m.end()
    else:
        return [], False
    values: list[str] = []
    while (m := _RUN_TOKEN.match(text, pos)) is not None:
        values.append(token_value(m.group(1)))
        pos = m.end()
        nxt = _SEP.match(text, pos).end()
        if not _RUN_TOKEN.match(text, nxt):
            break
        pos = nxt
    truncated = bool(re.match(r"\s*,?\s*(…|\.\.\.)", text[pos:]))
    return list(dict.fromkeys(values)), truncated


def _num(value: float, kind: str) -> int | float:
    return int(value) if kind == "integer" or float(value).is_integer() else value


def _scalar_constraints(schema: dict, kind: str, desc: str, allowed: str) -> bool:
    """Add enum/range/length keywords to a scalar schema in place; return True if the enum was truncated."""
    source = allowed if allowed and plain(allowed) not in ("", "—", "-") else desc
    truncated = False
    if kind in ("integer", "number"):
        rng = find_range(source)
        if rng:
            schema["minimum"], schema["maximum"] = _num(rng[0], kind), _num(rng[1], kind)
        else:
            values, truncated = enum_run(source)
            if not values and (m := _PLAIN_NUMBERS.match(plain(source))):
                values = re.findall(r"\d+", m.group(1))
            if values:
                schema["enum"] = [coerce(v, kind) for v in values]
            else:
                schema.update({k: _num(v, kind) for k, v in number_limits(desc).items()})
    elif kind == "string":
        values, truncated = enum_run(source)
        if values:
            schema["enum"] = values
        schema.update(string_limits(desc))
    return truncated


def _array_constraints(schema: dict, desc: str) -> None:
    schema.update(array_limits(desc))
    if (length := item_length(desc)) is not None:
        schema.setdefault("items", {"type": "string"})["maxLength"] = length


def find_default(default_cell: str | None, desc: str) -> str | None:
    """The documented default literal, from a *Default* column or the description."""
    if default_cell is not None:
        cell = default_cell.strip()
        value = token_value(cell.strip("`")) if cell.startswith("`") else cell
        if value.lower() in _NO_DEFAULT or (not cell.startswith("`") and value.lower() == "auto"):
            return None
        return value
    text = strip_markup(desc)
    for pattern in (r"`([^`]+)`\s*\(default\b(?!:?\s*[`\w])", r"\(default:?\s*`?\"?([\w.:-]+)",
                    r"\bDefault:\s*`?\"?([\w.:-]+)", r"\bdefault\s+(true|false|\d+(?:\.\d+)?)\b"):
        if (m := re.search(pattern, text, re.IGNORECASE)) is not None:
            return token_value(m.group(1))
    return None


def _valid_default(schema: dict, value: object) -> bool:
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return schema.get("minimum", value) <= value <= schema.get("maximum", value)
    return True


def build_param(name: str, type_cell: str, required: str, desc: str, line: int,
                default_cell: str | None = None, allowed: str = "") -> Param:
    """Parse one row into a :class:`Param`."""
    schema = type_schema(type_cell, name, desc)
    param = Param(name, schema, _required(required), strip_markup(desc), line)
    branches = schema["anyOf"] if "anyOf" in schema else [schema]
    for branch in branches:
        kind = branch.get("type")
        if kind == "array":
            _array_constraints(branch, desc)
        elif kind in ("integer", "number", "string"):
            param.truncated |= _scalar_constraints(branch, kind, desc, allowed)
            if len(branches) > 1 and kind == "string" and tokens(desc):
                branch["enum"] = list(dict.fromkeys(tokens(desc)))  # e.g. number/string: `"auto"`
    literal = find_default(default_cell, desc)
    if literal is not None and "anyOf" not in schema and schema.get("type") not in ("array", "object"):
        try:
            value = coerce(literal, schema["type"])
        except ValueError:
            value = None
        if value is not None and _valid_default(schema, value):
            schema["default"] = value
        else:
            param.issues.append(f"{name}: documented default {literal!r} is not a valid value")
    if plain(desc):
        schema["description"] = plain(desc)
    return param


def _required(cell: str) -> str:
    """Normalise a *Required* cell: ``yes``, ``alternative`` (``Yes*``), ``conditional`` or ``no``."""
    value = cell.replace("**", "").strip().lower()
    if value == "yes*":
        return "alternative"
    if value in ("yes", "conditional", "no"):
        return value
    return "depends" if value == "depends" else "no"


def parse_rows(table: Table) -> list[Param]:
    """All rows of a parameter (or nested-object field) table."""
    name_col = table.col("Parameter", "Field")
    type_col = table.col("Type")
    if name_col is None or type_col is None:
        return []
    req_col, def_col = table.col("Required"), table.col("Default")
    allowed_col, desc_col = table.col("Allowed Values"), table.col("Description")
    out = []
    for number, row in enumerate(table.rows):
        if len(row) < len(table.headers):
            continue
        name = token_value(row[name_col].strip("`"))
        out.append(build_param(
            name, row[type_col], row[req_col] if req_col is not None else "No",
            row[desc_col] if desc_col is not None else "", table.line + 2 + number,
            row[def_col] if def_col is not None else None,
            row[allowed_col] if allowed_col is not None else "",
        ))
    return out


def inline_items(desc: str) -> dict | None:
    """Item object schema described inline, e.g. ``Each object has: `prompt` (string, required), ...``,
    ``[{prompt, duration}]`` or ``each with `prompt` and `duration```."""
    text = strip_markup(desc)
    typed = re.findall(r"`(\w+)`\s*\((\w+),\s*(required|optional)\)", text)
    if typed:
        props = {n: {"type": SCALARS.get(t, "string")} for n, t, _ in typed}
        return _object(props, [n for n, _, r in typed if r == "required"])
    names: list[str] = []
    if (m := re.search(r"\[\{([\w ,]+)\}\]", text)) is not None:
        names = [n.strip() for n in m.group(1).split(",")]
    elif (m := re.search(r"each with ((?:`\w+`(?:,\s*|\s+and\s+)?)+)", text)) is not None:
        names = TOKEN.findall(m.group(1))
    if not names:
        return None
    return _object({n: {"type": "integer" if n == "duration" else "string"} for n in names}, [])


def _object(props: dict, required: list[str]) -> dict:
    schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema
