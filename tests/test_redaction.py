"""The key never comes back, whatever path it takes, and no answer can poison a result, the log or the journal.

The API echoes the key (in any case, URL-encoded, or a fragment of it) and lone surrogates in a failed task's
error, a completed task's outputs and URLs, account data and error bodies; the full server is driven through
all of it and then restarted on the same journal.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from urllib.parse import unquote

import pytest
from mcp.client import Client
from pydantic import SecretStr

from mcp_server.errors import REDACTED, redact
from mcp_server.keys import KNOWN_KEYS, RedactingFilter, install_log_redaction, request_keys
from mcp_server.server import build_server
from mcp_server.simulator import Fault
from tests.conftest import API_KEY, dump, make_settings, make_sim, text_of

pytestmark = pytest.mark.anyio

SURROGATE = re.compile("[\ud800-\udfff]")
ENCODED = "".join(f"%{ord(c):02X}" for c in API_KEY)  # every character percent-encoded
HALF = "".join(f"%{ord(c):02x}" if n % 2 else c for n, c in enumerate(API_KEY))  # every other one, lower hex
FORMS = [API_KEY, API_KEY.upper(), ENCODED, HALF, API_KEY[3:14], API_KEY[-12:].lower()]


def leaks(text: str, key: str = API_KEY) -> list[str]:
    """The fragments (8+ characters, any case, also URL-encoded) of the key found in text."""
    views = (text.lower(), unquote(text).lower())
    return [key[i:i + 8] for i in range(len(key) - 7) if any(key[i:i + 8].lower() in view for view in views)]


@pytest.mark.parametrize("form", FORMS)
def test_redact_finds_the_key_in_any_form(form):
    text = f"before {form} after"
    cleaned = redact(text, API_KEY)
    assert leaks(cleaned) == [] and cleaned.startswith("before ") and cleaned.endswith(" after")
    assert REDACTED in cleaned


def test_redact_keeps_everything_else():
    text = "https://cdn.example.com/out%20file.png?sig=abc 100% sure, Tschüß"
    assert redact(text, API_KEY, None) == text
    assert redact("sk-test", API_KEY) == "sk-test"  # 7 characters are not a fragment
    assert redact("x simulat y", "short") == "x simulat y" and redact("a short b", "short") == f"a {REDACTED} b"


def test_every_key_known_to_a_request_is_redacted(dirs):
    settings = make_settings(dirs, base_url="https://user:userinfo-secret-99@api.test")
    hosted = "hosted-user-key-abcdef123"
    keys = request_keys(settings, hosted)
    assert set(keys) == {hosted, API_KEY, "userinfo-secret-99"}
    text = f"{hosted.upper()} / {API_KEY} / userinfo-secret-99"
    assert all(leaks(redact(text, *keys), k) == [] for k in keys)
    assert request_keys(make_settings(dirs, simulate=True), None) == ()  # the simulator's key is public


def test_the_log_filter_redacts_every_record(dirs):
    KNOWN_KEYS.add(API_KEY)
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect()
    install_log_redaction(make_settings(dirs), handlers=[handler])
    install_log_redaction(handlers=[handler])
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1  # installed once
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("echo %s and %s \ud800", API_KEY.upper(), ENCODED)
        try:
            raise ValueError(f"boom {API_KEY}")
        except ValueError:
            logger.exception("failed with %r", {"key": API_KEY[2:20]})
        logger.error("bad format %d", API_KEY)
    finally:
        logger.removeHandler(handler)
    assert len(records) == 3 and "Traceback" in records[1]
    assert all(leaks(r) == [] and not SURROGATE.search(r) for r in records), records


async def test_the_key_and_bad_characters_never_reach_results_logs_or_the_journal(dirs, caplog):
    caplog.set_level(logging.DEBUG)
    settings = make_settings(dirs, download_outputs=False)
    sim = make_sim(task_seconds=0.6)
    results = []
    sim.fail_model("google/veo-3.1-fast", message="refused: " + " | ".join(FORMS))
    sim.add_fault(Fault(kind="raw", path="/account", times=-1, body=json.dumps({"success": True, "code": 200, "data": {
        "email": f"{API_KEY}@example.com \ud800", "note\udfff": [HALF, {"deep": API_KEY.upper()}]}})))
    sim.add_fault(Fault(kind="raw", method="POST", path="/v1/tasks", model="kling/v2.1", status=500, times=1,
                        body="<html>" + "x" * 190 + API_KEY + "</html>"))  # the key straddles any truncation
    async with Client(build_server(settings, sim.transport())) as client:
        results.append(await client.call_tool("create_task", {"model": "google/veo-3.1-fast",
                                                              "input": {"prompt": "x"}}))
        assert results[-1].is_error and "refused:" in text_of(results[-1])
        created = await client.call_tool("create_task", {"model": "black-forest-labs/flux.2-pro",
                                                         "input": {"prompt": "x"}, "wait_seconds": 0})
        task_id = created.structured_content["task_id"]
        sim.add_fault(Fault(kind="raw", method="GET", path=f"/v1/tasks/{task_id}", times=-1, body=json.dumps(
            {"success": True, "code": 200, "data": {"task_id": task_id, "status": "completed", "output": {
                "image_url": f"https://cdn.example.com/a.png?token={ENCODED}&x=\ud800",
                "caption\ud800": f"hello \udcff {API_KEY.lower()}", "nested": [[{"k": API_KEY[5:]}]]}}})))
        results.append(await client.call_tool("wait_for_task", {"task_id": task_id}))
        assert results[-1].structured_content["status"] == "completed", text_of(results[-1])
        assert results[-1].structured_content["urls"][0].startswith("https://cdn.example.com/a.png?token=")
        results.append(await client.call_tool("get_account", {}))
        assert not results[-1].is_error and "@example.com" in text_of(results[-1])
        results.append(await client.call_tool("create_task", {"model": "kling/v2.1", "input": {"prompt": "x"}}))
        assert results[-1].is_error and "500" in text_of(results[-1])
        results.append(await client.call_tool("list_tasks", {}))
    async with Client(build_server(settings, sim.transport())) as client:  # a restart on the same journal
        results.append(await client.call_tool("list_tasks", {}))
        assert len(results[-1].structured_content["tasks"]) == 3
        results.append(await client.call_tool("get_task", {"task_id": task_id}))
        assert results[-1].structured_content["status"] == "completed"
        results.append(await client.read_resource(f"unifically://tasks/{task_id}"))
    for result in results:
        assert leaks(dump(result)) == [] and not SURROGATE.search(dump(result)), dump(result)
    with sqlite3.connect(settings.journal_path) as db:
        stored = json.dumps(db.execute("SELECT * FROM tasks").fetchall(), ensure_ascii=False)
    assert leaks(stored) == [] and not SURROGATE.search(stored) and "\\ud" not in stored.lower()
    assert leaks(caplog.text) == [] and not SURROGATE.search(caplog.text)


async def test_a_key_in_the_base_url_userinfo_never_comes_back(dirs):
    secret = "userinfo-password-0042"
    sim = make_sim()
    sim.add_fault(Fault(kind="status", status=400, message=f"bad auth {secret}", path="/account"))
    settings = make_settings(dirs, base_url=f"http://user:{secret}@api.test")
    async with Client(build_server(settings, sim.transport())) as client:
        result = await client.call_tool("get_account", {})
    assert result.is_error and "bad auth" in text_of(result) and leaks(dump(result), secret) == []


async def test_a_hosted_users_own_key_is_redacted_in_their_answers(dirs):
    from mcp_server.client import UnificallyClient

    own = "users-own-key-7f3a9c2e1b"
    sim = make_sim()
    sim.fail_model("google/veo-3.1-fast", message=f"key {own.upper()} has no access")
    client = UnificallyClient(make_settings(dirs, api_key=SecretStr(API_KEY)), sim.transport()).bound(own)
    try:
        created = await client.create_task("google/veo-3.1-fast", {"prompt": "x"})
        sim.set_clock(lambda: 1e12)  # long after: the task has failed
        task = await client.get_task(created["task_id"])
    finally:
        await client.aclose()
    assert task["status"] == "failed" and leaks(json.dumps(task), own) == []


async def test_serve_installs_the_log_filter(dirs):
    import sys

    import anyio

    from tests.test_stdio import server_env

    secret = "userinfo-secret-4711-xyz"
    env = server_env(f"http://user:{secret}@127.0.0.1:9", dirs)  # the startup log line names the base URL
    process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve"], env=env)
    await process.stdin.aclose()  # no client: the server logs its start and stops
    with anyio.fail_after(20):
        await process.wait()
        stderr = b"".join([chunk async for chunk in process.stderr]).decode(errors="replace")
    assert "serving on stdio" in stderr and "127.0.0.1:9" in stderr
    assert leaks(stderr, secret) == []


async def test_serve_over_http_installs_the_log_filter(dirs):
    import sys

    import anyio

    from tests.test_stdio import server_env

    secret = "userinfo-secret-4712-xyz"
    env = server_env(f"http://user:{secret}@127.0.0.1:9", dirs)
    process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve", "--transport", "http",
                                        "--port", "0"], env=env)
    stderr = ""
    try:
        with anyio.fail_after(20):
            async for chunk in process.stderr:
                stderr += chunk.decode(errors="replace")
                if "serving Streamable HTTP" in stderr and "\n" in stderr.split("serving Streamable HTTP")[1]:
                    break
    finally:
        process.terminate()
        await process.wait()
    assert "127.0.0.1:9" in stderr and leaks(stderr, secret) == []


async def test_a_hosted_users_key_is_known_to_the_log_filter_only_while_its_request_runs(dirs):
    import httpx2

    from mcp_server.client import UnificallyClient

    own = "users-own-key-5e8d0c4a2f"
    sim = make_sim()
    inner = sim.transport()
    during: list[bool] = []
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    class Watching(httpx2.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            during.append(own in KNOWN_KEYS.all())
            logging.getLogger("test.redaction.held").warning("sending %s", request.headers["authorization"])
            return await inner.handle_async_request(request)

    handler = Collect()
    install_log_redaction(handlers=[handler])
    logging.getLogger("test.redaction.held").addHandler(handler)
    client = UnificallyClient(make_settings(dirs, api_key=SecretStr(API_KEY)), Watching()).bound(own)
    try:
        await client.get_account()
    finally:
        await client.aclose()
        logging.getLogger("test.redaction.held").removeHandler(handler)
    assert during and all(during) and records and all(leaks(r, own) == [] for r in records)
    assert own not in KNOWN_KEYS.all() and API_KEY in KNOWN_KEYS.all()  # forgotten; the server's own key stays


async def test_the_startup_line_never_shows_url_credentials_however_short(dirs):
    import sys

    import anyio

    from tests.test_stdio import server_env

    env = server_env("http://ab:pw-12@127.0.0.1:9", dirs)  # too short for a redactable fragment: not shown at all
    process = await anyio.open_process([sys.executable, "-m", "mcp_server", "serve"], env=env)
    await process.stdin.aclose()
    with anyio.fail_after(20):
        await process.wait()
        stderr = b"".join([chunk async for chunk in process.stderr]).decode(errors="replace")
    assert "serving on stdio (http://127.0.0.1:9)" in stderr and "pw-12" not in stderr and "ab:" not in stderr


async def test_userinfo_in_the_api_url_never_replaces_the_keys_bearer_header(dirs):
    sim = make_sim()
    settings = make_settings(dirs, base_url="http://user:userinfo-secret-99@api.test")
    async with Client(build_server(settings, sim.transport())) as client:
        result = await client.call_tool("get_account", {})
    assert not result.is_error, text_of(result)
    assert sim.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"  # not Basic auth from the userinfo
    assert leaks(dump(result), "userinfo-secret-99") == []
