"""Published input schemas stay in the subset OpenAI, Anthropic and Gemini (and the common converters) accept; the
server still validates the exact schema, refuses unknown arguments and treats null as "not given"."""

from __future__ import annotations

import copy
import json
import re

import pytest
from mcp.client import Client

from mcp_server.portable import drop_nulls, portable
from mcp_server.server import build_server
from mcp_server.settings import Settings
from mcp_server.tools import build_tools
from tests.conftest import posts, text_of

pytestmark = pytest.mark.anyio
ALL = ("image", "video", "audio", "platform")


SUBSCHEMAS = ("items", "prefixItems", "anyOf", "oneOf", "allOf", "not", "if", "then", "else", "contains",
              "additionalProperties", "additionalItems", "unevaluatedProperties", "propertyNames")
SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")


def forbidden(schema: dict) -> list[str]:
    """Every construct outside the portable subset, as ``path: what``, at any depth: every keyword that holds a
    schema (or a list or a map of them) is walked."""
    found = [f"top: {key}" for key in ("oneOf", "anyOf", "allOf") if key in schema]
    if schema.get("type") != "object":
        found.append("top: not an object schema")

    def walk(node: object, path: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")
            return
        if not isinstance(node, dict):
            return
        for key in ("additionalProperties", "$ref", "$defs", "definitions", "const"):
            if key in node:
                found.append(f"{path}: {key}")
        if isinstance(node.get("type"), list):
            found.append(f"{path}: type array")
        if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in node.get("enum", [])):
            found.append(f"{path}: numeric enum")
        elif any(not isinstance(v, str) for v in node.get("enum", [])):
            found.append(f"{path}: enum of non-strings")  # Gemini's enum is a list of strings
        for branch in node.get("anyOf", []) + node.get("oneOf", []):
            if "type" not in branch:
                found.append(f"{path}: anyOf branch without type")
        for key, value in node.items():
            if key in SCHEMA_MAPS and isinstance(value, dict):
                for name, prop in value.items():
                    walk(prop, f"{path}.{name}")
            elif key in SUBSCHEMAS:
                walk(value, f"{path}.{key}")

    walk(schema, "")
    return found


async def listed_tools(toolsets: tuple[str, ...] = ALL) -> list:
    async with Client(build_server(Settings(toolsets=toolsets))) as client:
        return (await client.list_tools()).tools


async def test_every_published_input_schema_is_portable():
    tools = await listed_tools() + await listed_tools(("compact",))
    assert len(tools) == 52 + 15
    problems = {tool.name: bad for tool in tools if (bad := forbidden(tool.input_schema))}
    assert problems == {}


def test_the_check_itself_finds_each_forbidden_construct():
    bad = {"type": "object", "anyOf": [{}], "additionalProperties": False, "properties": {
        "a": {"type": ["string", "null"]}, "b": {"type": "integer", "enum": [5, 10]}, "c": {"$ref": "#/$defs/x"},
        "d": {"anyOf": [{"enum": ["x"]}, {"type": "integer"}]},
        "e": {"type": "array", "items": {"type": "object", "properties": {
            "f": {"type": "array", "items": {"type": "integer", "enum": [1, 2]}},
            "g": {"const": True}, "h": {"type": "boolean", "enum": [True]}}}}}}
    assert sorted(forbidden(bad)) == sorted(["top: anyOf", ": anyOf branch without type", ": additionalProperties",
                                            ".a: type array",
                                            ".b: numeric enum", ".c: $ref", ".d: anyOf branch without type",
                                            ".e.items.f.items: numeric enum", ".e.items.g: const",
                                            ".e.items.h: enum of non-strings"])
    assert forbidden(portable(bad)) == []
    assert portable(bad)["properties"]["e"]["items"]["properties"]["g"] == {"type": "boolean",
                                                                          "description": "Only true"}


async def test_numeric_enums_keep_their_values_in_the_published_description():
    """Where a numeric enum became minimum/maximum, the model still reads the exact values (and the server still
    refuses the others: test_server_still_refuses_bad_numbers_and_unknown_arguments)."""
    checked = 0

    def compare(exact: object, published: object, where: str) -> None:
        nonlocal checked
        if not (isinstance(exact, dict) and isinstance(published, dict)):
            return
        values = exact.get("enum") or []
        if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            checked += 1
            text = published.get("description", "")
            assert (published.get("minimum"), published.get("maximum")) == (min(values), max(values)), where
            assert all(re.search(rf"(?<![\d.]){re.escape(str(v))}(?![\d.])", text) for v in values), (where, text)
        for name, prop in (exact.get("properties") or {}).items():
            compare(prop, (published.get("properties") or {}).get(name), f"{where}.{name}")
        compare(exact.get("items"), published.get("items"), f"{where}[]")

    for settings in (Settings(), Settings(toolsets=("compact",))):
        for tool in build_tools(settings).values():
            compare(tool.input_schema, portable(tool.input_schema), tool.name)
    assert checked >= 3


def test_portable_rewrites_without_changing_its_input():
    schema = {"type": "object", "additionalProperties": False, "$defs": {"shot": {
        "type": "object", "additionalProperties": False, "properties": {"duration": {"type": "integer"}}}},
        "properties": {
            "duration": {"type": "integer", "enum": [6, 10], "description": "Seconds"},
            "fps": {"type": "integer", "enum": [24, 30]},
            "seed": {"type": ["integer", "null"]},
            "shots": {"type": "array", "items": {"$ref": "#/$defs/shot"}},
            "mv": {"anyOf": [{"enum": ["a", "b"]}, {"pattern": "^c:"}]},
            "kind": {"const": "x"}}}
    before = copy.deepcopy(schema)
    out = portable(schema)
    assert schema == before
    props = out["properties"]
    assert props["duration"] == {"type": "integer", "minimum": 6, "maximum": 10, "description": "Seconds; One of 6, 10"}
    assert props["fps"] == {"type": "integer", "minimum": 24, "maximum": 30, "description": "One of 24, 30"}
    assert props["seed"] == {"type": "integer"}
    assert props["shots"]["items"] == {"type": "object", "properties": {"duration": {"type": "integer"}}}
    assert props["mv"]["anyOf"] == [{"enum": ["a", "b"], "type": "string"}, {"pattern": "^c:", "type": "string"}]
    assert props["kind"] == {"enum": ["x"], "type": "string"}
    assert "$defs" not in out and "additionalProperties" not in out


def test_drop_nulls_at_every_object_level():
    value = {"a": None, "b": {"c": None, "d": 1}, "e": [{"f": None, "g": 2}, None]}
    assert drop_nulls(value) == {"b": {"d": 1}, "e": [{"g": 2}, None]}


async def test_server_still_refuses_bad_numbers_and_unknown_arguments(client, sim):
    listed = {t.name: t for t in (await client.list_tools()).tools}
    assert "enum" not in listed["generate_video_hailuo"].input_schema["properties"]["duration"]
    result = await client.call_tool("generate_video_hailuo", {"model": "hailuo/minimax-2.3", "prompt": "p",
                                                              "duration": 7})
    assert result.is_error and "duration: 7 is not allowed; allowed: 6, 10" in text_of(result)
    result = await client.call_tool("generate_video_hailuo", {"model": "hailuo/minimax-2.3", "promt": "p"})
    text = text_of(result)
    assert result.is_error and 'unknown parameter "promt" (did you mean "prompt"?); allowed: ' in text
    assert "start_image_url" in text
    result = await client.call_tool("list_tasks", {"limt": 3})
    assert result.is_error and 'did you mean "limit"' in text_of(result)
    assert posts(sim) == []


async def test_null_means_not_given(client, sim):
    result = await client.call_tool("generate_video_kling", {
        "model": "kuaishou/kling-3.0-video", "prompt": None, "duration": None, "aspect_ratio": None,
        "multi_shots": [{"prompt": "a", "duration": 3}, {"prompt": "b", "duration": 4}], "wait_seconds": 0,
        "callback_url": None, "dry_run": None})
    assert not result.is_error, text_of(result)
    result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "wait_seconds": 0,
                                                    "input": {"prompt": "x", "seed": None, "voice": None}})
    assert not result.is_error, text_of(result)
    sent = [p.json for p in posts(sim)]
    assert sent[0] == {"model": "kuaishou/kling-3.0-video", "input": {
        "multi_shots": [{"prompt": "a", "duration": 3}, {"prompt": "b", "duration": 4}]}}
    assert sent[1] == {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}}
    assert json.dumps(sent).count("null") == 0
