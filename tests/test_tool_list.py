"""The tool list: budget on what it costs an agent's context, schema snapshot, toolsets, model coverage."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from mcp.client import Client

from bench.tool_list_size import measure
from mcp_server.server import build_server
from mcp_server.settings import Settings
from mcp_server.specs import all_model_ids, load_tool_specs
from mcp_server.tools.family import MODELS_META_KEY

pytestmark = pytest.mark.anyio

VISIBLE_BUDGET = 52_000  # room for the spending arguments to come; the tools themselves stay well under 48,000
SNAPSHOT = Path(__file__).parent / "snapshots" / "tools_list.json"


async def listed(**settings) -> list:
    async with Client(build_server(Settings(**settings))) as client:
        return (await client.list_tools()).tools


async def test_model_visible_definitions_fit_the_budget():
    tools = await listed()
    sizes = measure(tools)
    assert sizes["visible_chars"] <= VISIBLE_BUDGET, sizes
    schemas = {json.dumps(t.output_schema, sort_keys=True) for t in tools if t.output_schema}
    assert len(schemas) == 1 and len(schemas.pop()) < 720  # one small output schema, shared by all task tools


async def test_schema_snapshot():
    """Refresh deliberately with UPDATE_SNAPSHOTS=1 and review the diff."""
    tools = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in await listed()]
    current = json.dumps(tools, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.read_text(encoding="utf-8") == current, "tool schemas changed: UPDATE_SNAPSHOTS=1 to accept"


async def test_every_documented_model_has_exactly_one_typed_tool():
    tools = await listed()
    covered = [model for tool in tools for model in (tool.meta or {}).get(MODELS_META_KEY, [])]
    assert len(covered) == len(set(covered)) == len(all_model_ids()) == 97
    assert "topaz-labs/image-generative" not in covered  # no page: create_task only


@pytest.mark.parametrize(("options", "expected"), [
    ({"toolsets": ("platform",)}, {"platform"}),
    ({"toolsets": ("image", "audio")}, {"image", "audio", "platform"}),  # platform: the task tools results name
])
async def test_toolsets_select_tools(options, expected):
    names = {tool.name for tool in await listed(**options)}
    by_name = {spec.name: spec.toolset for spec in load_tool_specs()}
    kinds = {by_name.get(name, "platform") for name in names}
    assert kinds == expected


async def test_individual_tools_can_be_named():
    names = [tool.name for tool in await listed(tools=("create_task", "describe_model"))]
    assert names == ["create_task", "get_task", "wait_for_task", "get_account", "list_tasks", "describe_model"]
    with pytest.raises(Exception, match="unknown tool"):
        await listed(tools=("nope",))


def test_toolsets_setting_from_environment():
    settings = Settings.from_env({"UNIFICALLY_TOOLSETS": "video, platform", "UNIFICALLY_TOOLS": ""})
    assert settings.toolsets == ("video", "platform")
    assert Settings.from_env({"UNIFICALLY_TOOLSETS": "all"}).toolsets == ("image", "video", "audio", "platform")
    with pytest.raises(Exception, match="unknown toolset"):
        Settings.from_env({"UNIFICALLY_TOOLSETS": "dragons"})


async def test_readme_reports_the_measured_size():
    sizes = measure(await listed())
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"{sizes['visible_chars']:,} chars" in readme, "update the size table in README.md"
    assert f"{sizes['full_chars']:,} chars" in readme, "update the size table in README.md"
