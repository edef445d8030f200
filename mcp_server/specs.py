"""Run-time access to the generated tool specs (``tool_specs/*.json``).

The JSON files are produced by ``python -m tool_specs.generate`` and shipped as package data; this module
only reads them (through ``importlib.resources``), so it needs neither the generator nor the provider docs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from mcp_server.errors import InvalidInput

# Arguments the server adds to every typed tool; they never reach the API's ``input`` object.
COMMON_ARGS = ("callback_url", "dry_run", "wait_seconds", "allow_duplicate", "confirm_spend")


@dataclass(frozen=True)
class ModelSpec:
    """One model id: its full input schema, cross-field rules, docs page and examples."""

    id: str
    tool: str
    summary: str
    page: str
    typical_seconds: int | None
    schema: dict
    rules: tuple[dict, ...]
    url_fields: tuple[str, ...]
    outputs: str
    examples: tuple[dict, ...]
    refused_examples: tuple[dict, ...]

    @classmethod
    def from_json(cls, model_id: str, tool: str, data: dict) -> ModelSpec:
        """Build from the ``models[model_id]`` object of a spec file."""
        return cls(
            id=model_id,
            tool=tool,
            summary=data["summary"],
            page=data["page"],
            typical_seconds=data.get("typical_seconds"),
            schema=data["schema"],
            rules=tuple(data.get("rules", ())),
            url_fields=tuple(data.get("url_fields", ())),
            outputs=data["outputs"],
            examples=tuple(data.get("examples", ())),
            refused_examples=tuple(data.get("refused_examples", ())),
        )


@dataclass(frozen=True)
class ToolSpec:
    """One typed MCP tool: the model-visible union schema and the models behind it."""

    name: str
    toolset: str
    title: str
    description: str
    input_schema: dict
    models: dict[str, ModelSpec]

    @property
    def multi_model(self) -> bool:
        """True when the tool takes a ``model`` argument choosing among several ids."""
        return len(self.models) > 1

    def split(self, arguments: dict) -> tuple[str, dict]:
        """Turn tool arguments into ``(model_id, api_input)``.

        Drops the common server arguments; for multi-model tools pops ``model`` (which must be one of the
        tool's ids). For single-model tools a ``model`` argument is API input and is kept.
        """
        api_input = {k: v for k, v in arguments.items() if k not in COMMON_ARGS}
        if not self.multi_model:
            return next(iter(self.models)), api_input
        model = api_input.pop("model", None)
        if model not in self.models:
            allowed = ", ".join(f'"{m}"' for m in self.models)
            what = "is missing" if model is None else f"{json.dumps(model)} is not a model of {self.name}"
            raise InvalidInput(f"model: {what}; allowed: {allowed}")
        return model, api_input

    @classmethod
    def from_json(cls, data: dict) -> ToolSpec:
        """Build from a parsed spec file."""
        order = data["input_schema"].get("properties", {}).get("model", {}).get("enum", [])
        ids = [m for m in order if m in data["models"]] + [m for m in data["models"] if m not in order]
        models = {mid: ModelSpec.from_json(mid, data["name"], data["models"][mid]) for mid in ids}
        return cls(data["name"], data["toolset"], data["title"], data["description"], data["input_schema"], models)


@lru_cache(maxsize=1)
def load_tool_specs() -> tuple[ToolSpec, ...]:
    """Every generated tool spec, sorted by tool name (read once, then cached)."""
    root = files("tool_specs")
    specs = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json") and not entry.name.startswith("_"):
            specs.append(ToolSpec.from_json(json.loads(entry.read_text(encoding="utf-8"))))
    return tuple(specs)


@lru_cache(maxsize=1)
def undocumented_models() -> dict[str, dict]:
    """Model ids the docs list without a page (``category``, ``title``, ``reason``): no typed tool, create_task only."""
    return json.loads((files("tool_specs") / "_undocumented.json").read_text(encoding="utf-8"))["models"]


@lru_cache(maxsize=1)
def _models_by_id() -> dict[str, ModelSpec]:
    return {mid: model for tool in load_tool_specs() for mid, model in tool.models.items()}


def find_model(model_id: str) -> ModelSpec | None:
    """The spec of a model id, or None when no typed tool covers it."""
    return _models_by_id().get(model_id)


def find_tool(name: str) -> ToolSpec | None:
    """The tool spec called ``name``, or None."""
    return next((tool for tool in load_tool_specs() if tool.name == name), None)


def all_model_ids() -> list[str]:
    """Every model id reachable through a typed tool, sorted."""
    return sorted(_models_by_id())
