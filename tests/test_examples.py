"""Every documented curl example, replayed through its typed tool against the simulator.

The request the simulator receives must equal `{"model": id, "input": example_input}` exactly; an example that
contradicts its own page is refused by the typed tool with a clear error (the specs list each with its reason), and
nothing reaches the simulator; `create_task` then sends exactly what the docs' example sends, with a warning naming
the contradiction in the text and in `structured_content["warnings"]`.
"""

from __future__ import annotations

import pytest
from mcp.client import Client

from mcp_server.server import build_server
from mcp_server.specs import load_tool_specs
from tests.conftest import make_settings, make_sim, posts, text_of

pytestmark = pytest.mark.anyio


def arguments_for(tool, model_id: str, example_input: dict) -> dict:
    arguments = dict(example_input)
    if tool.multi_model:
        arguments["model"] = model_id
    return {**arguments, "wait_seconds": 0}


async def test_every_documented_example_replays_exactly(dirs):
    sim = make_sim(task_seconds=60)
    replayed = refused = 0
    async with Client(build_server(make_settings(dirs, dedup_seconds=0), sim.transport())) as client:
        for tool in load_tool_specs():
            for model_id, model in tool.models.items():
                for example in model.examples:
                    before = len(posts(sim))
                    result = await client.call_tool(tool.name, arguments_for(tool, model_id, example["input"]))
                    assert not result.is_error, (tool.name, model_id, example.get("title"), text_of(result))
                    sent = posts(sim)[before:]
                    assert [r.json for r in sent] == [{"model": model_id, "input": example["input"]}], (
                        tool.name, model_id, example.get("title"))
                    replayed += 1
                for example in model.refused_examples:
                    before = len(sim.requests)
                    result = await client.call_tool(tool.name, arguments_for(tool, model_id, example["input"]))
                    assert result.is_error and example["reason"], (model_id, example.get("title"))
                    assert len(sim.requests) == before
                    sent = await client.call_tool("create_task", {"model": model_id, "input": example["input"],
                                                                  "wait_seconds": 0})
                    assert not sent.is_error, text_of(sent)
                    assert [r.json for r in posts(sim)[-1:]] == [{"model": model_id, "input": example["input"]}]
                    [warning] = sent.structured_content["warnings"]
                    assert example["reason"] in warning and f"Warning: {warning}" in text_of(sent)
                    refused += 1
    assert replayed + refused >= 180, (replayed, refused)
