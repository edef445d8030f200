"""Clients we did not write, against `unifically-mcp serve --simulate` as their stdio subprocess: the MCP
Inspector CLI (2.x) and the official TypeScript SDK. Second CI tier (`pytest -m clients`); see npm_clients.py
for how they are installed, and when these tests skip."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.settings import Settings
from mcp_server.tools import build_tools
from tests.clients.npm_clients import HERE, NodeClients, node_clients

pytestmark = pytest.mark.clients

FAST = {"UNIFICALLY_SIMULATOR_TIME_SCALE": "20", "UNIFICALLY_SIMULATOR_TASK_SECONDS": "20",
        "UNIFICALLY_WAIT_SECONDS": "120", "UNIFICALLY_LOG_LEVEL": "WARNING"}


def server_command() -> list[str]:
    script = Path(sys.executable).parent / "unifically-mcp"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "mcp_server"]
    return [*command, "serve", "--simulate"]


@pytest.fixture(scope="module")
def clients() -> NodeClients:
    return node_clients()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**FAST, "UNIFICALLY_DATA_DIR": str(tmp_path / "data")}


def inspect(clients: NodeClients, env: dict[str, str], method: str, *options: str) -> dict:
    """One Inspector CLI run (its own server process); the `result` of its JSON output."""
    flags = [flag for name, value in env.items() for flag in ("-e", f"{name}={value}")]
    command = [*clients.inspector, "--cli", "--method", method, *options, "--format", "json", *flags, "--",
               *server_command()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (method, done.returncode, done.stdout[-3000:], done.stderr[-3000:])
    return json.loads(done.stdout)["result"]


def test_inspector_lists_tools_prompts_and_resources(clients, env):
    started = inspect(clients, env, "initialize")
    assert started["serverInfo"]["name"] == "unifically-mcp" and started["serverInfo"]["icons"]
    assert {"tools", "prompts", "resources", "completions"} <= set(started["capabilities"])
    tools = inspect(clients, env, "tools/list")["tools"]
    assert len(tools) == len(build_tools(Settings())) and all(tool["icons"] for tool in tools)
    assert {"generate_video_veo", "wait_for_task", "describe_model"} <= {tool["name"] for tool in tools}
    prompts = inspect(clients, env, "prompts/list")["prompts"]
    assert {prompt["name"] for prompt in prompts} >= {"image_to_video", "song_stems_wav", "custom_voice",
                                                      "long_video", "podcast"}
    guide = inspect(clients, env, "prompts/get", "--prompt-name", "image_to_video", "--prompt-args",
                    "subject=a red fox in snow")
    assert "generate_video_veo" in guide["messages"][0]["content"]["text"]
    templates = inspect(clients, env, "resources/templates/list")["resourceTemplates"]
    assert {t["uriTemplate"] for t in templates} >= {"unifically://models/{+model_id}", "unifically://tasks/{task_id}"}


def test_inspector_runs_a_generation_tool_to_completion(clients, env):
    result = inspect(clients, env, "tools/call", "--tool-name", "generate_image_flux", "--tool-args-json",
                     json.dumps({"model": "black-forest-labs/flux.2-pro", "prompt": "a red fox in snow"}))
    assert not result.get("isError"), result
    task = result["structuredContent"]
    assert task["status"] == "completed" and Path(task["files"][0]).is_file()
    entries = {entry["uri"]: entry for entry in inspect(clients, env, "resources/list")["resources"]}
    assert entries[f"unifically://tasks/{task['task_id']}"]["mimeType"] == "application/json"
    assert entries[f"unifically://tasks/{task['task_id']}/files/1"]["mimeType"] == "image/png"


def test_inspector_with_the_compact_toolset(clients, env):
    env = {**env, "UNIFICALLY_TOOLSETS": "compact"}
    tools = inspect(clients, env, "tools/list")["tools"]
    assert len(tools) <= 16 and "generate_video" in {tool["name"] for tool in tools}
    result = inspect(clients, env, "tools/call", "--tool-name", "generate_video", "--tool-args-json",
                     json.dumps({"model": "google/veo-3.1-fast", "input": {"prompt": "a red fox in snow"}}))
    assert result["structuredContent"]["status"] == "completed", result


@pytest.mark.parametrize(("tool", "arguments", "extra"), [
    ("generate_video_veo", {"model": "google/veo-3.1-fast", "prompt": "a red fox running in snow"}, {}),
    ("generate_video", {"model": "google/veo-3.1-fast", "input": {"prompt": "a red fox running in snow"}},
     {"UNIFICALLY_TOOLSETS": "compact"}),
], ids=["typed", "compact"])
def test_typescript_sdk_gets_progress_and_a_result_matching_the_output_schema(clients, env, tool, arguments,
                                                                              extra):
    script = clients.root / "sdk_client.mjs"  # beside node_modules, where its imports resolve
    shutil.copy(HERE / "sdk_client.mjs", script)
    done = subprocess.run([clients.node, str(script), tool, json.dumps(arguments), "--", *server_command()],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env, **extra})
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["server"]["name"] == "unifically-mcp"
    assert not report["isError"] and report["structured"]["status"] == "completed", report
    assert len(report["progress"]) >= 2 and report["increasing"], report["progress"]
    assert all(update["message"] for update in report["progress"])
