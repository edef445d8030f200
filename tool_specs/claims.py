"""Every rule-like sentence the docs state about a model's parameters, and whether the built spec enforces it.

A *claim* is a sentence of a parameter's documentation that states a number, a list of values, "required",
"only", "not supported", "at least/most", "max/min", "between", "must", "cannot", "rejected", "requires" or
"mutually exclusive". Claims come from the model's own page (the summary tables' disagreements are listed in the
README instead): every sentence of a parameter row's description (top-level and nested item fields), the row's
*Required* cell when it is not plain "No", every prose sentence or non-parameter table row (mode tables,
constraint lists) that names one of the model's parameters (in backticks, as a bare ``snake_case`` name, by a
backticked value of its enum, as an item field of a list) or a parameter it does not take ("does not support
`guidance`"), except rows of a Models table about another model of the page, and every row of a limits table (a
header with "Limit") keyed by a value of a parameter (``eleven_v3`` | 5,000 chars). Limits tables keyed by
names that are not parameter values (Suno's "v3.5, v4", Hailuo's model names, Wan's asset kinds) are covered
by curations, as are the summary tables.

A claim is *mapped* when the finished model spec carries what it states, judged from the parameters it names:

* each number is a bound, enum value or default of one of those parameters, or a value of a rule naming one
  (``under 50 chars`` is a bound of 49);
* each backticked value is in such an enum, default or rule (examples after "e.g."/"like" are not values);
* "required"-like words need the parameter required (a required string/array non-empty) or a requirement rule;
* a value the sentence rules out ("No `4k`", "passing ... `type: "video"` returns 400") must not be accepted;
* restriction words ("only", "must", "cannot", "rejected", "not supported", "exclusive", "at least"...) need a
  rule naming one of the parameters, the parameter required, or a number the spec carries (values alone do not
  carry "`720p` is only available in I2V mode"); "Image-to-video only" needs a required image input.

Otherwise a curation must explain it: an ``unenforced`` entry (its ``value`` is a regex searched in the claim
text, its ``field`` a regex every parameter of the claim must match, empty for any) or an ``open_enum`` entry
of the parameter (a list of examples); anything left is an unmapped claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .assemble import RawModel, models_for
from .curation import CURATIONS, Curation
from .params import Param
from .parse import Table
from .spec_facts import facts, numbers_in
from .text import IDENT, TOKEN, sentences, strip_markup, token_value

_TRIGGER = re.compile(
    r"(?<![\w.@])\d|\brequired?s?\b|(?<![-\w])only\b|not supported|does not support|not available|"
    r"\bat (?:least|most|minimum)\b|\bmax(?:imum)?\b|\bmin(?:imum)?\b|\bbetween\b|\bmust\b|\bcannot\b|"
    r"\brejected?\b|mutually exclusive|\bup to\b|\bcap\b", re.IGNORECASE)
_REQUIRE = re.compile(r"\brequired?s?\b|\bmust (?:have|be provided|contain)\b", re.IGNORECASE)
_RESTRICT = re.compile(
    r"(?<![-\w])only\b|not supported|does not support|not available|\bat (?:least|most|minimum)\b|\bmust\b|"
    r"\bcannot\b|\brejected?\b|mutually exclusive|\bmax(?:imum)?\b|\bmin(?:imum)?\b|\bup to\b|\bcap\b", re.IGNORECASE)
_UNDER = re.compile(r"\b(?:under|less than|below)\s+(\d+)", re.IGNORECASE)
_LITERAL = r"(?:`[^`]*`|\"[^\"]*\")"
_EXAMPLES = re.compile(rf"\(?\b(?:e\.g\.|like|such as)\s+{_LITERAL}(?:\s*,\s*(?:or\s+)?{_LITERAL})*"
                       r"(?:,?\s*(?:etc\.?|…))?\)?", re.IGNORECASE)
_STATUS = re.compile(r"\b(?:returns?|HTTP)\s+[45]\d\d\b")
# A value the sentence rules out ("No `4k`", "passing an element with `type: "video"` returns 400"): the spec must
# not accept it.
_NEGATED = re.compile(r"\b(?:[Nn]o|not|without|except|passing an? \w+ with)\s+`([^`]+)`")
# "Image-to-video only": carried by a required image input (a start frame, a first-frame image).
_IMAGE_INPUT_ONLY = re.compile(r"(?<!\()\b(?:image-to-video|I2V) only\b", re.IGNORECASE)
_UNSUPPORTED = re.compile(r"not supported|does not support|do not support|there is no\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One sentence about ``params`` (``parent`` set for a nested item field) on ``line`` of the docs."""

    model: str
    params: tuple[str, ...]
    text: str
    line: int
    parent: str = ""
    required_cell: str = ""

    def __str__(self) -> str:
        where = f"{self.parent}[]." if self.parent else ""
        return f"{self.model} line {self.line} {where}{'/'.join(self.params)}: {self.text}"


def _is_value_token(token: str) -> bool:
    return not re.search(r"[@{}/<>\[\]]|\s", token) and token not in ("", "…")


def _names(text: str, known: set[str]) -> list[str]:
    """Parameter names a text mentions in backticks (``name: value`` tokens included)."""
    out = []
    for raw in TOKEN.findall(text):
        name = raw.split(":")[0].strip() if re.match(r"^\w+:\s", raw) else token_value(raw)
        if name in known:
            out.append(name)
    return list(dict.fromkeys(out))


def _prose_names(text: str, raw: RawModel) -> list[str]:
    """The parameters a prose sentence or table row is about: those it names in backticks (item fields of a
    list included) or by an unquoted ``snake_case`` name (``end_image_url only with 768p``); the owner of a
    backticked value of one parameter's enum (```720p` resolution is only available in I2V``; not a row's first
    cell, which is the value the row describes); and backticked names the model does not take (``snake_case``,
    or any name in a sentence saying it is not supported: ``Klein models do not support `guidance` ``), a claim
    that the spec declares them unsupported. ``name=value``
    tokens (a wire payload) name nothing."""
    params = raw.params
    known = set(params) | {f.name for fields in raw.nested.values() for f in fields}
    out = _names(text, known)
    words = TOKEN.sub(" ", text).lower()
    out += [n for n in params if "_" in n and re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", words)]
    for token in TOKEN.findall(text.split(" | ", 1)[1] if " | " in text else text):
        value = token_value(token)
        if "=" in token or value in known:
            continue
        owners = [n for n, p in params.items() if value in map(str, p.schema.get("enum", []))]
        if len(owners) == 1:
            out += owners
        elif not owners and IDENT.match(value) and ("_" in value or _UNSUPPORTED.search(text)):
            out.append(value)
    return list(dict.fromkeys(out))


def _claim_text(sentence: str) -> str:
    """A sentence without examples, status codes and code/placeholder tokens (what a claim is judged on)."""
    text = _STATUS.sub("", _EXAMPLES.sub("", sentence))
    return TOKEN.sub(lambda m: m.group(0) if _is_value_token(token_value(m.group(1))) else " ", text)


def _is_claim(sentence: str, known: set[str]) -> bool:
    """A sentence states a rule: a trigger word or number outside code, or a list of (two or more) values."""
    text = _claim_text(sentence)
    values = [t for t in map(token_value, TOKEN.findall(text)) if t not in known]
    return bool(_TRIGGER.search(TOKEN.sub(" ", text))) or len(values) >= 2


def _sentences(text: str) -> list[str]:
    return [s.replace("e_g_", "e.g.") for s in sentences(strip_markup(text).replace("e.g.", "e_g_"))]


def _row_claims(model: str, param: Param, known: set[str], parent: str = "") -> list[Claim]:
    out = []
    if param.required not in ("no",):
        out.append(Claim(model, (param.name,), f"Required: {param.required}", param.line, parent, param.required))
    for sentence in _sentences(param.description):
        if _is_claim(sentence, known):
            names = tuple(dict.fromkeys([param.name, *_names(sentence, known)]))
            out.append(Claim(model, names, sentence, param.line, parent))
    return out


def _table_rows(table: Table) -> list[tuple[str, int]]:
    """Rows of a non-parameter table as text; a limits table (a header with "Limit") keeps only its key and
    limit columns (the other cells describe the row's value: latency, languages)."""
    if table.col("Parameter", "Field") is not None:
        return []
    limits = [i for i, h in enumerate(table.headers) if "limit" in h.lower()]
    keep = [0, *limits] if limits else range(len(table.headers))
    return [(" | ".join(row[i] for i in keep if i < len(row) and row[i]), table.line + 2 + n)
            for n, row in enumerate(table.rows)]


def _enum_owner(text: str, params: dict[str, Param]) -> list[str]:
    """The parameter whose enum holds a row's first backticked value (a limits table keyed by values)."""
    first = next((token_value(t) for t in TOKEN.findall(text.split("|")[0])), None)
    return [n for n, p in params.items() if first is not None and first in map(str, p.schema.get("enum", []))][:1]


def claims_of(raw: RawModel) -> list[Claim]:
    """Every claim of one model's page."""
    out: list[Claim] = []
    known = set(raw.params)
    for param in raw.params.values():
        out += _row_claims(raw.id, param, known)
    for parent, fields in raw.nested.items():
        for field in fields:
            out += _row_claims(raw.id, field, {f.name for f in fields}, parent)
    texts = [(p.text, p.line) for p in raw.prose]
    limit_rows = [row for t in raw.page.tables if raw.id in _table_models(raw, t) and
                  any("limit" in h.lower() for h in t.headers) for row in _table_rows(t)]
    texts += [row for t in raw.page.tables if raw.id in _table_models(raw, t) for row in _table_rows(t)
              if row not in limit_rows]
    for text, line in limit_rows:
        if owner := _enum_owner(text, raw.params):
            out.append(Claim(raw.id, tuple(owner), strip_markup(text), line))
    for text, line in texts:
        key = token_value(next(iter(TOKEN.findall(text.split(" | ")[0])), ""))
        if " | " in text and key in raw.page.model_ids and key != raw.id:
            continue  # a row of a Models table about another model of the page
        for sentence in _sentences(text):
            names = _prose_names(sentence, raw)
            if names and _is_claim(sentence, known):
                out.append(Claim(raw.id, tuple(names), sentence, line))
    return out


def _table_models(raw: RawModel, table: Table) -> tuple[str, ...]:
    return models_for(raw.page, table.headings)


def is_mapped(claim: Claim, model: dict) -> bool:
    """Whether the built spec of the model carries what the claim states."""
    f = facts(model, claim.params, claim.parent)
    scope = model["schema"]["properties"][claim.parent] if claim.parent else model["schema"]
    props = scope.get("items", scope).get("properties", {})
    taken = set(props) | {f for p in props.values() for f in p.get("items", {}).get("properties", {})}
    if not taken & set(claim.params):  # a field the model does not take: mapped when declared unsupported
        return any(r["kind"] == "unsupported" and set(r["fields"]) & set(claim.params) for r in model["rules"])
    known = taken | {name for r in model["rules"] if r["kind"] == "unsupported" for name in r["fields"]}
    for name in claim.params:  # fields of a named object are names, not values
        known |= set(props.get(name, {}).get("properties", {}))
    if claim.required_cell:
        return f.required
    text = _claim_text(claim.text)
    tokens = [token_value(t) for t in TOKEN.findall(text)]
    values = [t for t in tokens if t not in known and not re.match(r"^\w+:\s", t)]
    values += [token_value(t.split(":", 1)[1]) for t in TOKEN.findall(claim.text) if re.match(r"^\w+:\s", t)]
    plain = TOKEN.sub(" ", text)
    numbers = numbers_in(plain)
    numbers = {n - 1 if n in numbers_in(" ".join(_UNDER.findall(plain))) else n for n in numbers}
    negated = {token_value(t.split(":", 1)[-1]) for t in _NEGATED.findall(claim.text)}
    if any(n not in f.numbers for n in numbers) or any((v in f.values) == (v in negated) for v in values):
        return False
    if _REQUIRE.search(plain) and not (f.required or f.ruled):
        return False
    if _IMAGE_INPUT_ONLY.search(plain) and not any(re.search(r"image|frame", n) for n in scope.get("required", [])):
        return False
    return not (_RESTRICT.search(plain) and not (f.ruled or f.required or numbers or _IMAGE_INPUT_ONLY.search(plain)))


def explained_by(claim: Claim, curations: tuple[Curation, ...] = CURATIONS) -> Curation | None:
    """The ``unenforced`` curation that explains why the claim is not a schema constraint, if any."""
    for entry in curations:
        if claim.model not in entry.models:
            continue
        if entry.action == "open_enum" and entry.field in claim.params and not claim.required_cell:
            return entry  # the docs' list is examples (or cut off): kept as known values, not enforced
        if entry.action == "unenforced" and all(re.fullmatch(entry.field or ".*", p) for p in claim.params) and \
                re.search(entry.value, claim.text):
            return entry
    return None
