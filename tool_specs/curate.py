"""Apply the curation entries of ``curation.py`` to per-model schemas, rules and examples.

Each action is a small generic operation on a JSON Schema path (``duration``, ``multi_shots[]``,
``multi_shots[].duration``, ``voice_settings.speed``); an entry that does not find its model or field is an
error, so stale curations cannot linger silently.
"""

from __future__ import annotations

from .curation import ACTIONS, CURATIONS, Curation


class CurationError(ValueError):
    """A curation entry does not apply to the docs as parsed."""


def resolve(schema: dict, path: str) -> tuple[dict, str, dict]:
    """(parent object schema, property name, property schema) for a dotted path; ``a[]`` means items of a."""
    parent, node, name = schema, schema, ""
    for part in path.split("."):
        items = part.endswith("[]")
        name = part[:-2] if items else part
        parent = node
        if name not in node.get("properties", {}):
            raise KeyError(path)
        node = node["properties"][name]
        if items:
            parent, node = node, node["items"]
            name = ""
    return parent, name, node


def _require(schema: dict, path: str, on: bool) -> None:
    parent, name, _ = resolve(schema, path)
    required = [r for r in parent.get("required", []) if r != name] + ([name] if on else [])
    if required:
        parent["required"] = sorted(set(required), key=required.index)
    else:
        parent.pop("required", None)


def _drop(schema: dict, path: str) -> None:
    parent, name, _ = resolve(schema, path)
    del parent["properties"][name]
    parent["required"] = [r for r in parent.get("required", []) if r != name]
    if not parent["required"]:
        del parent["required"]


def _named(rule: dict) -> set[str]:
    """Top-level fields a rule refers to."""
    names = {*rule.get("fields", []), *rule.get("requires", []), *rule.get("when", {})}
    return names | ({rule["field"]} if "field" in rule and "array" not in rule else set())


def apply_schema(entry: Curation, schema: dict, rules: list[dict]) -> None:
    """Apply one entry to one model's schema/rules in place (examples are handled by the builder)."""
    action, path, value = entry.action, entry.field, entry.value
    try:
        if action == "set":
            resolve(schema, path)[2].update(value)
        elif action == "unset":
            node = resolve(schema, path)[2]
            for key in value:
                node.pop(key)
        elif action == "widen_enum":
            node = resolve(schema, path)[2]
            node["enum"] = node["enum"] + [v for v in value if v not in node["enum"]]
        elif action == "open_enum":
            node = resolve(schema, path)[2]
            known = [v for b in node.get("anyOf", [node]) for v in b.pop("enum", [])]
            if not known:
                raise KeyError(f"{path} enum")
            node["description"] = f"{node.get('description', '')} (known values, not exhaustive: " \
                                  f"{', '.join(map(str, known))})".strip()
        elif action == "allow_pattern":
            node = resolve(schema, path)[2]
            node["anyOf"] = [{"enum": node.pop("enum")}, dict(value)]
        elif action == "add_field":
            parent_path, _, name = path.rpartition(".")
            parent = resolve(schema, parent_path)[2] if parent_path else schema
            if name in parent.get("properties", {}):
                raise KeyError(f"{path} already exists:")
            parent["properties"][name] = dict(value)
        elif action == "drop_field":
            _drop(schema, path)
            rules[:] = [r for r in rules if r["kind"] == "unsupported" or path not in _named(r)]
        elif action == "require":
            _require(schema, path, bool(value))
        elif action == "add_rule":
            rules.append({**value, "reason": value.get("reason", entry.reason)})
        elif action == "drop_rule":
            kept = [r for r in rules if not all(r.get(k) == v for k, v in value.items())]
            if len(kept) == len(rules):
                raise KeyError(f"no rule matching {value}")
            rules[:] = kept
    except KeyError as exc:
        raise CurationError(f"curation {entry.name!r}: {exc} not found") from exc


def curations_for(model_id: str, action: str | None = None) -> list[Curation]:
    """Entries for one model (optionally of one action), in list order."""
    return [c for c in CURATIONS if model_id in c.models and (action is None or c.action == action)]


def check_entries(known_models: set[str]) -> None:
    """Every entry has a known action and names only documented models."""
    names = set()
    for entry in CURATIONS:
        if entry.action not in ACTIONS:
            raise CurationError(f"curation {entry.name!r}: unknown action {entry.action!r}")
        if entry.name in names:
            raise CurationError(f"curation {entry.name!r} is listed twice")
        names.add(entry.name)
        unknown = [m for m in entry.models if m not in known_models]
        if unknown or not entry.models:
            raise CurationError(f"curation {entry.name!r}: unknown or no models {unknown}")


def matches_example(entry: Curation, example_input: dict) -> bool:
    """A ``refuse_example`` entry matches an example whose input contains every key/value of ``value``."""
    return all(example_input.get(k) == v for k, v in entry.value.items())
