"""server.json for the MCP Registry: the rules of its 2025-12-11 schema that apply to a PyPI stdio package, and
agreement with the package it describes (name, version, command, the variables the settings really read).

The registry's schema is not vendored (it is not ours to copy); these checks restate its rules for the fields
this file uses: name pattern and length, description length, a pinned package version, the stdio transport,
positional arguments with a value, environment variables with a name.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from mcp_server import __version__
from mcp_server.cli import _parser
from mcp_server.settings import Settings

ROOT = Path(__file__).parent.parent
SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
SERVER = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
FORMATS = {"string", "number", "boolean", "filepath"}
PACKAGE_KEYS = {"registryType", "registryBaseUrl", "identifier", "version", "fileSha256", "runtimeHint", "transport",
                "runtimeArguments", "packageArguments", "environmentVariables"}
INPUT_KEYS = {"name", "description", "isRequired", "format", "value", "isSecret", "default", "placeholder",
              "choices", "variables"}


def test_the_registry_rules_hold():
    assert SERVER["$schema"] == SCHEMA
    assert re.fullmatch(r"[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+", SERVER["name"]) and 3 <= len(SERVER["name"]) <= 200
    assert 1 <= len(SERVER["description"]) <= 100 and 1 <= len(SERVER["title"]) <= 100
    assert set(SERVER) <= {"$schema", "name", "title", "description", "version", "websiteUrl", "repository",
                           "packages", "remotes", "icons", "_meta"}
    assert SERVER["websiteUrl"].startswith("https://")
    [package] = SERVER["packages"]
    assert set(package) <= PACKAGE_KEYS and {"registryType", "identifier", "transport"} <= set(package)
    assert re.fullmatch(r"\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?", package["version"])  # pinned: no range, no latest
    assert package["transport"] == {"type": "stdio"}
    for argument in package["packageArguments"]:
        assert argument["type"] == "positional" and argument.get("value")
    for variable in package["environmentVariables"]:
        assert set(variable) <= INPUT_KEYS and variable["name"] and variable["description"]
        assert variable.get("format", "string") in FORMATS


def test_it_describes_this_package():
    [package] = SERVER["packages"]
    assert package["registryType"] == "pypi" and package["identifier"] == PROJECT["name"]
    assert SERVER["version"] == package["version"] == PROJECT["version"] == __version__
    assert package["runtimeHint"] == "uvx"
    args = _parser().parse_args([argument["value"] for argument in package["packageArguments"]])
    assert args.command == "serve"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mcp-name: {SERVER['name']}" in readme  # how the registry verifies the PyPI package is ours


@pytest.mark.parametrize(("variable", "value", "check"), [
    ("UNIFICALLY_API_KEY", "sk-live-123", lambda s: s.key() == "sk-live-123"),
    ("UNIFICALLY_ALLOWED_DIRS", "/srv/in", lambda s: s.allowed_dirs == (Path("/srv/in"),)),
    ("UNIFICALLY_TOOLSETS", "compact", lambda s: s.toolsets == ("compact",)),
    ("UNIFICALLY_OUTPUT_DIR", "/srv/out", lambda s: s.outputs_dir == Path("/srv/out")),
])
def test_each_variable_is_read_by_the_settings(variable, value, check):
    declared = {v["name"]: v for v in SERVER["packages"][0]["environmentVariables"]}
    assert set(declared) == {"UNIFICALLY_API_KEY", "UNIFICALLY_ALLOWED_DIRS", "UNIFICALLY_TOOLSETS",
                             "UNIFICALLY_OUTPUT_DIR"}
    assert declared["UNIFICALLY_API_KEY"]["isSecret"] is True
    assert not any(v.get("isSecret") for name, v in declared.items() if name != "UNIFICALLY_API_KEY")
    assert check(Settings.from_env({variable: value}))


def test_the_declared_default_is_the_real_default():
    [toolsets] = [v for v in SERVER["packages"][0]["environmentVariables"] if "default" in v]
    assert Settings.from_env({toolsets["name"]: toolsets["default"]}).toolsets == Settings().toolsets
