"""Every platform tool through the SDK's in-process Client, in both protocol eras, against the simulator."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from mcp.client import Client

from mcp_server.client import RESOURCES
from mcp_server.server import build_server
from mcp_server.simulator import Fault
from tests.conftest import API_KEY, dump, make_settings, posts, text_of

pytestmark = pytest.mark.anyio

PLATFORM = {"create_task", "get_task", "wait_for_task", "upload_file", "get_resources", "get_account",
            "list_tasks", "list_models", "describe_model"}


async def test_tools_list_without_key_and_calls_explain_how_to_set_it(dirs, sim, mode):
    settings = make_settings(dirs, api_key=None)
    async with Client(build_server(settings, sim.transport()), mode=mode) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert PLATFORM <= set(listed)
        assert listed["get_account"].annotations.read_only_hint is True
        assert listed["get_task"].annotations.read_only_hint is False  # it saves the outputs
        create = listed["create_task"].annotations
        assert (create.open_world_hint, create.idempotent_hint, create.read_only_hint) == (True, False, False)
        result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}})
        assert result.is_error
        assert "UNIFICALLY_API_KEY" in text_of(result) and "--simulate" in text_of(result)
        listed_tasks = await client.call_tool("list_tasks", {})
        assert not listed_tasks.is_error  # local tools work without a key
    assert sim.requests == []


async def test_create_task_passes_input_unchanged_and_completes(client, sim):
    raw = {"prompt": "A cat", "anything": {"nested": [1, 2]}, "image_url": "relative/not/a/file.png"}
    model = "topaz-labs/image-generative"  # no documentation page: no typed tool, no checks, sent as given
    result = await client.call_tool("create_task", {"model": model, "input": raw,
                                                    "callback_url": "https://hook.example/cb"})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["status"] == "completed" and data["model"] == model
    assert data["task_id"] and data["urls"] and data["urls"][0] == data["output"]["image_url"]
    [post] = posts(sim)
    assert post.json == {"model": model, "input": raw, "callback_url": "https://hook.example/cb"}
    assert post.headers["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in dump(result)


async def test_create_task_checks_documented_models_like_their_typed_tool(client, sim):
    result = await client.call_tool("create_task", {"model": "google/veo-3.1-quality",
                                                    "input": {"prompt": "x", "aspect_ratio": "4:5"}})
    assert result.is_error and "aspect_ratio" in text_of(result) and "google/veo-3.1-quality" in text_of(result)
    assert sim.requests == []


async def test_dry_run_prices_without_creating(client, sim):
    result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"},
                                                    "dry_run": True})
    assert not result.is_error
    assert result.structured_content["status"] == "dry_run"
    assert isinstance(result.structured_content["cost"], (int, float))
    assert posts(sim)[0].json["dry_run"] is True and "dry_run" not in posts(sim)[0].json["input"]
    assert sim.created_tasks() == []


async def test_get_task_and_wait_for_task(client, sim):
    created = await client.call_tool("create_task", {"model": "black-forest-labs/flux.2-pro",
                                                     "input": {"prompt": "x"}, "wait_seconds": 0})
    task_id = created.structured_content["task_id"]
    assert created.structured_content["status"] in ("pending", "processing")
    assert "wait_for_task" in text_of(created)
    once = await client.call_tool("get_task", {"task_id": task_id})
    assert once.structured_content["task_id"] == task_id
    done = await client.call_tool("wait_for_task", {"task_id": task_id, "wait_seconds": 10})
    assert done.structured_content["status"] == "completed"
    assert done.structured_content["model"] == "black-forest-labs/flux.2-pro"  # known from the journal
    assert done.structured_content["urls"]


async def test_get_task_unknown_is_a_clear_error(client):
    result = await client.call_tool("get_task", {"task_id": "nope-123"})
    assert result.is_error and "404" in text_of(result) and "nope-123" in text_of(result)


@pytest.mark.parametrize("resource", sorted(RESOURCES))
async def test_every_resource(client, sim, resource):
    result = await client.call_tool("get_resources", {"resource": resource})
    assert not result.is_error, text_of(result)
    assert sim.requests[-1].path == RESOURCES[resource][0]


async def test_verification_phrase_language(client, sim):
    result = await client.call_tool("get_resources", {"resource": "suno_verification_phrase", "language": "ru"})
    assert not result.is_error
    assert sim.requests[-1].query == {"language": "ru"}
    refused = await client.call_tool("get_resources", {"resource": "suno_verification_phrase", "language": "xx"})
    assert refused.is_error and "language" in text_of(refused) and '"ru"' in text_of(refused)
    assert len(sim.requests) == 1


async def test_account_and_the_v1_reading(client, sim):
    result = await client.call_tool("get_account", {})
    assert not result.is_error and "balance_usd" in result.structured_content
    sim.add_fault(Fault(kind="status", status=404, path="/account", message="Not found", times=1))
    again = await client.call_tool("get_account", {})
    assert not again.is_error
    assert [r.path for r in sim.requests[-2:]] == ["/account", "/v1/account"]


async def test_upload_file_three_ways(client, sim, dirs):
    png = (Path(__file__).parent.parent / "mcp_server/simulator/media").glob("*.png")
    data = next(png).read_bytes()
    local = dirs["in"] / "photo.png"
    local.write_bytes(data)
    by_path = await client.call_tool("upload_file", {"path": str(local)})
    assert not by_path.is_error, text_of(by_path)
    assert by_path.structured_content["file_url"].startswith("http")
    assert sim.requests[-1].method == "PUT" and "file" in sim.requests[-1].form
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    by_b64 = await client.call_tool("upload_file", {"base64": uri})
    assert not by_b64.is_error and sim.requests[-1].json == {"base64": uri}
    by_url = await client.call_tool("upload_file", {"url": "https://example.com/a.png"})
    assert not by_url.is_error and sim.requests[-1].json == {"file_url": "https://example.com/a.png"}


async def test_upload_file_refusals_send_nothing(client, sim, dirs, tmp_path):
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\nxxxx")
    link = dirs["in"] / "link.png"
    link.symlink_to(outside)
    cases = [({"path": str(outside)}, "outside the allowed"),
             ({"path": str(link)}, "is a symlink"),
             ({"path": str(dirs["in"] / "../secret.png")}, "outside the allowed"),
             ({"path": str(dirs["in"] / "missing.png")}, "does not exist"),
             ({"base64": "not base64!!"}, "not valid base64"),
             ({"url": "ftp://x/y"}, "not an http"),
             ({}, "exactly one of"),
             ({"path": "a", "url": "https://x"}, "exactly one of")]
    for arguments, expected in cases:
        result = await client.call_tool("upload_file", arguments)
        assert result.is_error and expected in text_of(result), (arguments, text_of(result))
    assert sim.requests == []


async def test_upload_size_cap(dirs, sim):
    settings = make_settings(dirs, max_upload_bytes=1000)
    (dirs["in"] / "big.bin").write_bytes(b"x" * 2000)
    async with Client(build_server(settings, sim.transport())) as client:
        result = await client.call_tool("upload_file", {"path": str(dirs["in"] / "big.bin")})
    assert result.is_error and "upload limit" in text_of(result)
    assert sim.requests == []


async def test_bad_arguments_are_refused_before_any_request(client, sim):
    cases = [("create_task", {"input": {}}, "model: missing; it is required"),
             ("create_task", {"model": "x/y", "input": "text"}, "input: expected object"),
             ("create_task", {"model": "x/y", "input": {}, "wait_seconds": -1}, "wait_seconds"),
             ("get_resources", {"resource": "dragons"}, 'allowed: "higgsfield_motions"'),
             ("get_task", {"task_id": ""}, "task_id"),
             ("get_task", {"task_id": "a", "extra": 1}, "unknown parameter")]
    for tool, arguments, expected in cases:
        result = await client.call_tool(tool, arguments)
        assert result.is_error and expected in text_of(result), (tool, text_of(result))
    assert sim.requests == []


async def test_list_tasks_shows_the_journal(client, sim):
    api_input = {"prompt": "x", "aspect_ratio": "1:1"}
    await client.call_tool("create_task", {"model": "google/nano-banana", "input": api_input})
    result = await client.call_tool("list_tasks", {"model": "google/nano-banana"})
    [row] = result.structured_content["tasks"]
    assert row["status"] == "completed" and row["input"] == api_input
