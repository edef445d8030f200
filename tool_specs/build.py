"""Build every tool spec (the JSON-ready dicts) from the text of ``llms-full.txt``.

Steps: parse pages -> per-model parameters (``assemble``) -> per-model JSON Schema and derived rules ->
curations -> examples attributed by their ``"model"`` and checked against the finished model spec (every
example must validate, or be refused by a curation and fail) -> union schema and description per family.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field

from mcp_server.errors import InvalidInput
from mcp_server.specs import ModelSpec
from mcp_server.validation import validate_input

from .assemble import RawModel, assemble_page
from .curate import CurationError, apply_schema, check_entries, curations_for, matches_example, resolve
from .derive import derive_rules
from .families import EXCLUDED, FAMILIES, Family
from .implied import conditional_segment_rules, counts, index_rules, nonempty, segment_rules
from .pages import model_page
from .parse import Example, Page, parse_document
from .summary import SUMMARY_PAGE, Contradiction, compare, listed_models, summary_params
from .text import plain
from .union import describe_tool, union_schema
from .wording import HINTS, SUMMARIES

_TYPICAL = re.compile(r"~\s*(\d+)\s*s\b")
_ENUM_FIXES = ("open_enum", "set", "widen_enum")


class BuildError(ValueError):
    """The docs and the curation data disagree in a way that needs a human decision."""


@dataclass
class Docs:
    """The parsed document."""

    text: str
    sha256: str
    pages: list[Page]
    raw: dict[str, RawModel]
    examples: list[Example]
    all_ids: list[str]


@dataclass
class Build:
    """Everything the renderer needs."""

    docs: Docs
    tools: list[dict]
    contradictions: list[Contradiction]
    summary_missing: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    table_issues: list[str] = field(default_factory=list)
    undocumented: dict[str, dict] = field(default_factory=dict)


def read_docs(text: str) -> Docs:
    """Parse the document and collect every model id it mentions."""
    pages = parse_document(text)
    raw: dict[str, RawModel] = {}
    for page in pages:
        raw.update(assemble_page(page))
    ids = set(re.findall(r"`([a-z0-9-]+/[a-z0-9.\-]+)`", text))
    ids |= set(re.findall(r'"model":\s*"([a-z0-9-]+/[^"]+)"', text))
    ids |= set(raw)
    ids -= {"provider/model-name", "application/json"}
    examples = [ex for page in pages for ex in page.examples]
    return Docs(text, hashlib.sha256(text.encode("utf-8")).hexdigest(), pages, raw, examples, sorted(ids))


def model_schema(raw: RawModel) -> dict:
    """The per-model JSON Schema of the API ``input`` object."""
    props = {name: copy.deepcopy(p.schema) for name, p in raw.params.items()}
    schema: dict = {"type": "object", "properties": props, "additionalProperties": False}
    required = [name for name, p in raw.params.items() if p.required == "yes"]
    if required:
        schema["required"] = required
    return schema


def url_fields(schema: dict, prefix: str = "") -> list[str]:
    """Paths of every input that takes a media URL (``a[]`` = each item of array ``a``)."""
    out = []
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        items = prop.get("items", {})
        is_url = name.endswith(("_url", "_urls")) or (
            name in ("references", "elements") and items.get("type") == "string")
        if prop.get("type") == "string" and is_url and name != "callback_url":
            out.append(path)
        elif prop.get("type") == "array" and items.get("type") == "string" and is_url:
            out.append(f"{path}[]")
        elif prop.get("type") == "array" and items.get("type") == "object":
            out += url_fields(items, f"{path}[].")
        elif prop.get("type") == "object":
            out += url_fields(prop, f"{path}.")
    return out


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])")
_BOILERPLATE = re.compile(r"async operation|poll for the result", re.IGNORECASE)
SUMMARY_MAX = 160


def model_summary(raw: RawModel) -> str:
    """One line for ``list_models``: ``wording.SUMMARIES`` if it has the model, else the page's Models-table
    description or first line, as many whole sentences as fit in ``SUMMARY_MAX`` characters (at least one),
    without boilerplate ("This is an async operation...") or other Models-table cells."""
    if raw.id in SUMMARIES:
        return SUMMARIES[raw.id]
    lines = [p.text for p in raw.page.prose if not p.headings]
    described = raw.note and not re.match(r"^[A-Z][\w ]*: ", raw.note)
    text = plain(raw.note if described else lines[0] if lines else raw.page.title)
    kept: list[str] = []
    for sentence in (x.rstrip(".:") + "." for x in _SENTENCE_END.split(text) if not _BOILERPLATE.search(x)):
        if kept and len(" ".join([*kept, sentence])) > SUMMARY_MAX:
            break
        kept.append(sentence)
    return " ".join(kept)


def _examples(model_id: str, docs: Docs, spec: ModelSpec, problems: list[str]) -> tuple[list[dict], list[dict]]:
    """Split the model's documented examples into accepted and refused, checking both against the spec."""
    ok, refused = [], []
    refusals = curations_for(model_id, "refuse_example")
    for ex in (e for e in docs.examples if e.model == model_id):
        entry = {"title": ex.title, "input": ex.input, "line": ex.line}
        try:
            validate_input(spec, ex.input)
            error = None
        except InvalidInput as exc:
            error = exc.message
        curation = next((c for c in refusals if matches_example(c, ex.input)), None)
        if curation is None and error is None:
            ok.append(entry)
        elif curation is not None and error is not None:
            refused.append({**entry, "reason": curation.reason, "curation": curation.name,
                            "deviation": curation.value})
        elif curation is None:
            problems.append(f"line {ex.line} ({model_id}) fails validation and no curation refuses it:\n  {error}")
        else:
            problems.append(f"line {ex.line} ({model_id}) is refused by {curation.name!r} but validates")
    for curation in refusals:
        if not any(matches_example(curation, e.input) for e in docs.examples if e.model == model_id):
            problems.append(f"curation {curation.name!r} refuses no example of {model_id}")
    return ok, refused


def _rule_key(rule: dict) -> str:
    return json.dumps({k: v for k, v in rule.items() if k not in ("reason", "note")}, sort_keys=True)


def build_model(raw: RawModel, family: Family, docs: Docs, problems: list[str]) -> dict:
    """The ``models[id]`` object of a spec file."""
    schema, rules = model_schema(raw), derive_rules(raw)
    counts(schema)
    rules += index_rules(schema) + segment_rules(schema)
    derived = {_rule_key(r) for r in rules}
    for entry in curations_for(raw.id):
        if entry.action == "add_rule" and _rule_key(entry.value) in derived:
            problems.append(f"curation {entry.name!r} adds a rule {raw.id} already has from the docs")
        if entry.action not in ("refuse_example", "note", "unenforced"):
            apply_schema(entry, schema, rules)
    rules += conditional_segment_rules(rules)
    nonempty(schema)
    match = _TYPICAL.search(raw.note)
    data = {
        "summary": model_summary(raw),
        "page": "",
        "typical_seconds": int(match.group(1)) if match else None,
        "schema": schema,
        "rules": rules,
        "url_fields": url_fields(schema),
        "outputs": family.output_of(raw.id),
        "examples": [],
        "refused_examples": [],
    }
    spec = ModelSpec.from_json(raw.id, family.tool, data)
    data["examples"], data["refused_examples"] = _examples(raw.id, docs, spec, problems)
    data["page"] = model_page(raw, data["refused_examples"])
    return data


def build_tool(family: Family, docs: Docs, problems: list[str]) -> dict:
    """One spec file's content (without the ``_generated`` header); example problems go to ``problems``."""
    models = {mid: build_model(docs.raw[mid], family, docs, problems) for mid in family.models}
    return {
        "name": family.tool,
        "toolset": family.toolset,
        "title": family.title,
        "description": describe_tool(family, models),
        "input_schema": union_schema(family, models),
        "models": models,
    }


def _table_issues(docs: Docs) -> list[str]:
    """Defaults that contradict their own row (dropped); truncated enums without a curation are errors."""
    issues = []
    for mid, raw in docs.raw.items():
        for param in [*raw.params.values(), *(p for ps in raw.nested.values() for p in ps)]:
            issues += [f"{mid}: {issue} (dropped)" for issue in param.issues]
            fixed = [c for c in curations_for(mid) if c.field == param.name and c.action in _ENUM_FIXES]
            if param.truncated and not fixed:
                raise BuildError(f"{mid}: the enum of {param.name} is cut off ('…'); add a curation")
    return issues


def _check_coverage(docs: Docs) -> None:
    seen: dict[str, str] = {}
    for family in FAMILIES:
        for mid in family.models:
            if mid in seen:
                raise BuildError(f"{mid} is in both {seen[mid]} and {family.tool}")
            if mid not in docs.raw:
                raise BuildError(f"{family.tool}: {mid} has no documentation page")
            seen[mid] = family.tool
    missing = [m for m in docs.all_ids if m not in seen and m not in EXCLUDED]
    if missing:
        raise BuildError(f"documented model ids in no tool: {missing}")


def _check_wording(docs: Docs, tools: list[dict]) -> None:
    """Every ``wording`` entry names an existing tool parameter (or item field) or model."""
    schemas = {t["name"]: t["input_schema"] for t in tools}
    for key in HINTS:
        tool, _, path = key.partition(".")
        try:
            resolve(schemas[tool], path)
        except KeyError as exc:
            raise BuildError(f"wording.HINTS[{key!r}]: no such tool parameter") from exc
    unknown = [m for m in SUMMARIES if m not in docs.raw]
    if unknown:
        raise BuildError(f"wording.SUMMARIES: unknown models {unknown}")


def build(text: str) -> Build:
    """Parse, curate, verify and assemble every tool."""
    docs = read_docs(text)
    _check_coverage(docs)
    try:
        check_entries(set(docs.raw))
        table_issues = _table_issues(docs)
        problems: list[str] = []
        tools = [build_tool(family, docs, problems) for family in FAMILIES]
    except CurationError as exc:
        raise BuildError(str(exc)) from exc
    if problems:
        raise BuildError("\n".join(problems))
    _check_wording(docs, tools)
    summary_page = next(p for p in docs.pages if p.title == SUMMARY_PAGE)
    summary = summary_params(summary_page)
    contradictions = compare(summary, {mid: raw.params for mid, raw in docs.raw.items()})
    missing = [m for f in FAMILIES for m in f.models if m not in summary]
    listed = listed_models(summary_page)
    unlisted = [m for f in FAMILIES for m in f.models if m not in listed]
    undocumented = {mid: {"category": listed.get(mid, ("", ""))[0], "title": listed.get(mid, ("", ""))[1],
                          "reason": why} for mid, why in EXCLUDED.items()}
    return Build(docs, tools, contradictions, missing, unlisted, table_issues, undocumented)
