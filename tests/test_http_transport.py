"""The Streamable HTTP transport over real HTTP: access, Host/Origin checks, body cap, health, both protocol
eras, stateless 2025 mode and progress over SSE."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys

import anyio
import httpx2
import pytest
from pydantic import SecretStr

from bench.hosting import Balancer
from mcp_server import cli
from mcp_server.errors import InvalidInput
from mcp_server.transports.settings import HttpSettings
from tests.conftest import make_sim, text_of
from tests.hosted import INIT, OWNER_SECRET, connect, hosted_settings, raw_post, serving

pytestmark = pytest.mark.anyio
TOKEN = "a-long-shared-token-0123456789"
IMAGE = {"model": "google/nano-banana", "input": {"prompt": "x", "aspect_ratio": "1:1"}}
CALL = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
    "name": "create_task", "arguments": IMAGE, "_meta": {"progressToken": "p1"}}}


def sse_messages(text: str) -> list[dict]:
    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]


async def test_health_and_readiness(dirs, sim):
    async with serving(hosted_settings(dirs), sim) as url:
        base = url.removesuffix("/mcp")

        async with httpx2.AsyncClient() as http:
            health = await http.get(base + "/healthz", headers={"host": "10.0.0.7:8000"})  # probed by address
            ready = await http.get(base + "/readyz")
    assert (health.status_code, health.text) == (200, "ok")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


async def test_readiness_fails_when_the_journal_is_unusable(dirs, sim):
    (dirs["data"] / "tasks.sqlite3").write_bytes(b"this is not a database" * 100)
    async with serving(hosted_settings(dirs), sim) as url:

        async with httpx2.AsyncClient(base_url=url.removesuffix("/mcp")) as http:
            ready = await http.get("/readyz")
            health = await http.get("/healthz")
    assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
    assert health.status_code == 200  # the process is up; it just cannot take work


async def test_a_token_is_required_when_configured(dirs, sim):
    async with serving(hosted_settings(dirs), sim, HttpSettings(token=SecretStr(TOKEN))) as url:
        missing = await raw_post(url, INIT)
        wrong = await raw_post(url, INIT, {"authorization": "Bearer not-the-token-at-all"})
        async with connect(url, {"authorization": f"Bearer {TOKEN}"}) as client:
            tools = await client.list_tools()
    assert missing.status_code == wrong.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="unifically-mcp"'
    assert wrong.headers["www-authenticate"].startswith('Bearer realm="unifically-mcp", error="invalid_token"')
    assert TOKEN not in wrong.text + missing.text
    assert any(tool.name == "create_task" for tool in tools.tools)


async def test_foreign_host_and_origin_are_refused_and_cors_never_wildcards(dirs, sim):
    http = HttpSettings(allowed_origins=("https://app.example.com",))
    async with serving(hosted_settings(dirs), sim, http) as url:
        bad_host = await raw_post(url, INIT, {"host": "evil.example:80"})
        bad_origin = await raw_post(url, INIT, {"origin": "https://evil.example"})
        good_origin = await raw_post(url, INIT, {"origin": "https://app.example.com"})

        async with httpx2.AsyncClient() as raw:
            preflight = await raw.options(url, headers={
                "origin": "https://app.example.com", "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, mcp-session-id"})
    assert bad_host.status_code == 421 and bad_origin.status_code == 403
    assert good_origin.status_code == 200
    assert good_origin.headers["access-control-allow-origin"] == "https://app.example.com"
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"


async def test_request_bodies_are_capped(dirs, sim):
    async with serving(hosted_settings(dirs), sim, HttpSettings(max_body_bytes=4096)) as url:
        big = await raw_post(url, {**INIT, "padding": "x" * 10_000})
        small = await raw_post(url, INIT)
    assert big.status_code == 413 and small.status_code == 200


def test_listening_beyond_loopback_needs_a_token_and_host_names(capsys):
    with pytest.raises(InvalidInput, match="without UNIFICALLY_MCP_TOKEN"):
        HttpSettings.from_env({}, host="0.0.0.0")
    with pytest.raises(InvalidInput, match="UNIFICALLY_ALLOWED_HOSTS"):
        HttpSettings.from_env({"UNIFICALLY_MCP_TOKEN": TOKEN, "UNIFICALLY_HTTP_HOST": "0.0.0.0"})
    with pytest.raises(InvalidInput, match="shorter than"):
        HttpSettings.from_env({"UNIFICALLY_MCP_TOKEN": "short"})
    with pytest.raises(InvalidInput, match="'\\*' and 'null' are refused"):
        HttpSettings.from_env({"UNIFICALLY_ALLOWED_ORIGINS": "*"})
    with pytest.raises(InvalidInput, match="UNIFICALLY_OWNER_SECRET"):
        HttpSettings.from_env({"UNIFICALLY_AUTH": "user-key"})
    public = HttpSettings.from_env({"UNIFICALLY_MCP_TOKEN": TOKEN, "UNIFICALLY_ALLOWED_HOSTS": "mcp.example.com"},
                                   host="0.0.0.0")
    users = HttpSettings.from_env({"UNIFICALLY_AUTH": "user-key", "UNIFICALLY_OWNER_SECRET": OWNER_SECRET,
                                   "UNIFICALLY_ALLOWED_HOSTS": "*"}, host="::")
    assert not public.loopback and not users.loopback and TOKEN not in repr(public)
    assert cli.main(["serve", "--transport", "http", "--host", "0.0.0.0", "--simulate"]) == 2
    assert "refusing to listen on 0.0.0.0" in capsys.readouterr().err


async def test_a_2025_session_gets_progress_over_sse(dirs):
    sim = make_sim(task_seconds=4.0)
    async with serving(hosted_settings(dirs), sim) as url:
        async with connect(url) as client:
            seen: list[float] = []

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                seen.append(progress)

            result = await client.call_tool("create_task", IMAGE, progress_callback=on_progress)
        opened = await raw_post(url, INIT)
        session = opened.headers["mcp-session-id"]
        await raw_post(url, {"jsonrpc": "2.0", "method": "notifications/initialized"}, {"mcp-session-id": session})
        raw = await raw_post(url, CALL, {"mcp-session-id": session, "mcp-protocol-version": "2025-06-18"})
    assert result.structured_content["status"] == "completed", text_of(result)
    assert seen and seen == sorted(seen)
    assert raw.headers["content-type"].startswith("text/event-stream")
    messages = sse_messages(raw.text)
    assert any(m.get("method") == "notifications/progress" for m in messages)
    assert messages[-1]["id"] == 2 and messages[-1]["result"]["structuredContent"]["status"] == "completed"


async def test_2026_requests_go_to_any_replica_and_stream_progress(dirs):
    """Session-mode replicas behind a balancer without affinity: a 2026-07-28 client needs none."""
    sim = make_sim(task_seconds=2.0)
    async with serving(hosted_settings(dirs), sim) as one, serving(hosted_settings(dirs), sim) as two:
        balancer = Balancer([one, two])
        async with connect(one, mode="2026-07-28", transport=balancer) as client:
            version = client.session.protocol_version
            seen: list[float] = []

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                seen.append(progress)

            result = await client.call_tool("create_task", IMAGE, progress_callback=on_progress)
            listed = await client.call_tool("list_tasks", {})
            again = await client.call_tool("get_task", {"task_id": result.structured_content["task_id"]})
        await balancer.close()
    assert version == "2026-07-28" and balancer.sent >= 3
    assert result.structured_content["status"] == "completed" and seen
    assert result.structured_content["task_id"] in text_of(listed) and not again.is_error


async def test_stateless_2025_mode_lets_any_replica_answer(dirs, sim):
    """Two replicas sharing one journal, no session affinity: initialize on one, call on the other."""
    http = HttpSettings(stateless=True)
    async with serving(hosted_settings(dirs), sim, http) as one, serving(hosted_settings(dirs), sim, http) as two:
        opened = await raw_post(one, INIT)
        created = await raw_post(two, CALL, {"mcp-protocol-version": "2025-06-18"})
        task_id = sse_messages(created.text)[-1]["result"]["structuredContent"]["task_id"]
        read = await raw_post(one, {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "get_task", "arguments": {"task_id": task_id}}}, {"mcp-protocol-version": "2025-06-18"})
        async with connect(two) as client:
            listed = await client.call_tool("list_tasks", {})
    assert opened.status_code == 200 and "mcp-session-id" not in opened.headers
    assert sse_messages(read.text)[-1]["result"]["structuredContent"]["status"] == "completed"
    assert task_id in text_of(listed)


async def test_the_cli_serves_http_with_hosted_defaults(dirs):
    """`unifically-mcp serve --transport http`, as deployed: a subprocess on a free port, against the simulator."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFICALLY_")}
    env.update(UNIFICALLY_DATA_DIR=str(dirs["data"]), UNIFICALLY_OUTPUT_DIR=str(dirs["out"]),
               UNIFICALLY_SIMULATOR_TASK_SECONDS="0.5", UNIFICALLY_MCP_TOKEN=TOKEN)
    process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve", "--transport", "http",
                                        "--simulate", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx2.AsyncClient(base_url=base) as http:
            with anyio.fail_after(30):
                while True:
                    with contextlib.suppress(httpx2.TransportError):
                        if (await http.get("/readyz")).status_code == 200:
                            break
                    await anyio.sleep(0.05)
        async with connect(base + "/mcp", {"authorization": f"Bearer {TOKEN}"}) as client:
            result = await client.call_tool("create_task", {**IMAGE, "wait_seconds": 30})
            upload = await client.call_tool("upload_file", {"path": str(dirs["in"])})
    finally:
        process.terminate()  # SIGTERM: a graceful stop (uvicorn then re-raises the signal, exit -15)
        with anyio.fail_after(20):
            await process.wait()
            log = b"".join([chunk async for chunk in process.stderr]).decode(errors="replace")
    assert result.structured_content["status"] == "completed", text_of(result)
    assert "files" not in result.structured_content and any(b.type == "resource_link" for b in result.content)
    assert list(dirs["out"].iterdir()) == []
    assert upload.is_error and "reads no files from its own disk" in text_of(upload)
    assert "Application shutdown complete" in log and TOKEN not in log


async def test_the_webhook_route_is_mounted_beside_mcp_outside_the_token_check(dirs, sim):
    """The API delivers webhooks without our token: the unguessable path token is its credential. The Host
    allow-list still applies (the public host must be listed)."""
    async with serving(hosted_settings(dirs), sim, HttpSettings(token=SecretStr(TOKEN))) as url:
        base = url.removesuffix("/mcp")
        async with httpx2.AsyncClient(base_url=base) as http:
            unknown = await http.post("/webhooks/unifically/" + "x" * 43, json={"task_id": "t1", "status": "completed"})
            foreign = await http.post("/webhooks/unifically/" + "x" * 43, json={}, headers={"host": "evil.example"})
    assert unknown.status_code == 404  # not 401: no token needed, and nothing matched
    assert foreign.status_code == 421
