"""The simulator's fault injection, clock, request recording, admin endpoints and standalone CLI."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time

import httpx2
import pytest

from mcp_server.simulator import (
    FakeClock,
    Fault,
    RecordedRequest,
    ScaledClock,
    Simulator,
    SimulatorConfig,
)
from tests.simulator.helpers import AUTH, REPO, create, error_message, is_loopback

pytestmark = pytest.mark.anyio

# --- faults --------------------------------------------------------------------------------------------------


async def test_rate_limit_and_error_faults(client: httpx2.AsyncClient, sim: Simulator) -> None:
    fault = sim.add_fault(Fault(kind="rate_limit", path="/v1/tasks", lifted_in=7))
    response = await client.post("/v1/tasks", json={"model": "google/veo-3.1-fast", "input": {}})
    assert re.search(r"lifted in: 7 seconds$", error_message(response, 429))
    assert fault.consumed == 1 and sim.created_tasks() == []
    await create(client, "google/veo-3.1-fast")  # times=1: used up
    sim.add_fault(Fault(kind="server_error", method="GET", path="/v1/account"))
    sim.add_fault(Fault(kind="status", status=402, message="Insufficient balance", times=2))
    assert error_message(await client.get("/v1/account"), 500) == "Internal server error occurred"
    assert error_message(await client.get("/v1/account"), 402) == "Insufficient balance"
    assert error_message(await client.get("/account"), 402) == "Insufficient balance"
    assert (await client.get("/account")).status_code == 200


async def test_faults_match_model_and_apply_in_order(client: httpx2.AsyncClient, sim: Simulator) -> None:
    sim.add_fault(Fault(kind="status", status=422, message="first", model="suno-ai/music", times=-1))
    sim.add_fault(Fault(kind="status", status=400, message="second", model="suno-ai/music"))
    await create(client, "google/nano-banana")
    for _ in range(3):
        assert (
            error_message(await client.post("/v1/tasks", json={"model": "suno-ai/music", "input": {}}), 422) == "first"
        )
    assert [f.consumed for f in sim.faults] == [3, 0]
    sim.clear_faults()
    await create(client, "suno-ai/music")


async def test_bad_json_not_envelope(client: httpx2.AsyncClient, sim: Simulator) -> None:
    sim.add_fault(Fault(kind="bad_json"))
    sim.add_fault(Fault(kind="not_envelope"))
    response = await client.get("/v1/account")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    response = await client.get("/v1/account")
    assert response.status_code == 200 and "success" not in response.json()


async def test_drop_before_creates_nothing(client: httpx2.AsyncClient, sim: Simulator) -> None:
    sim.add_fault(Fault(kind="drop_before", path="/v1/tasks"))
    expected = httpx2.RemoteProtocolError if is_loopback(client) else httpx2.ConnectError
    with pytest.raises(expected):
        await client.post("/v1/tasks", json={"model": "google/veo-3.1-fast", "input": {}})
    assert sim.created_tasks() == [] and len(sim.requests) == 1
    await create(client, "google/veo-3.1-fast")  # the next request goes through


async def test_drop_after_really_creates_the_task(client: httpx2.AsyncClient, sim: Simulator) -> None:
    sim.add_fault(Fault(kind="drop_after", model="google/veo-3.1-fast"))
    with pytest.raises(httpx2.RemoteProtocolError, match="Server disconnected without sending a response"):
        await client.post("/v1/tasks", json={"model": "google/veo-3.1-fast", "input": {"prompt": "lost"}})
    tasks = sim.created_tasks()
    assert len(tasks) == 1 and tasks[0]["input"] == {"prompt": "lost"} and sim.balance_usd == pytest.approx(99.6)
    assert (await client.get(f"/v1/tasks/{tasks[0]['task_id']}")).json()["data"]["status"] == "pending"


async def test_slow_answer_times_out_after_creating(client: httpx2.AsyncClient, sim: Simulator) -> None:
    sim.add_fault(Fault(kind="slow", delay=0.5, path="/v1/tasks"))
    with pytest.raises(httpx2.ReadTimeout):
        await client.post("/v1/tasks", json={"model": "google/veo-3.1-fast", "input": {}}, timeout=0.1)
    assert len(sim.created_tasks()) == 1
    sim.add_fault(Fault(kind="slow", delay=0.2))
    started = time.monotonic()
    assert (await client.get("/account")).status_code == 200
    assert time.monotonic() - started >= 0.2


async def test_fail_task(client: httpx2.AsyncClient, sim: Simulator, clock: FakeClock) -> None:
    sim.fail_model("google/veo-3.1-fast", "Content policy violation")
    sim.add_fault(
        Fault(
            kind="fail_task",
            model="suno-ai/voice",
            message="Voice verification rejected: didnt_say_verification_phrase",
        )
    )
    failing, fine = await create(client, "google/veo-3.1-fast"), await create(client, "google/nano-banana")
    voice = await create(client, "suno-ai/voice", {"name": "v"})
    clock.advance(5)
    assert (await client.get(f"/v1/tasks/{failing}")).json()["data"]["status"] == "processing"
    clock.advance(6)
    assert (await client.get(f"/v1/tasks/{failing}")).json()["data"] == {
        "task_id": failing,
        "status": "failed",
        "error_message": "Content policy violation",
    }
    assert (await client.get(f"/v1/tasks/{fine}")).json()["data"]["status"] == "completed"
    response = await client.get(f"/v1/tasks/{voice}")
    assert error_message(response, 400).startswith("Voice verification rejected")
    assert response.json()["data"]["status"] == "failed"


# --- clock, recording, admin, CLI ----------------------------------------------------------------------------


async def test_durations_and_set_clock() -> None:
    sim = Simulator(SimulatorConfig(task_seconds=1000.0, durations={"google/nano-banana": 0.0}))
    async with httpx2.AsyncClient(transport=sim.transport(), base_url="http://sim.test", headers=AUTH) as c:
        fast, slow = await create(c, "google/nano-banana"), await create(c, "google/veo-3.1-fast")
        assert (await c.get(f"/v1/tasks/{fast}")).json()["data"]["status"] == "completed"
        assert (await c.get(f"/v1/tasks/{slow}")).json()["data"]["status"] == "pending"
        sim.set_clock(lambda: time.monotonic() + 2000)
        assert (await c.get(f"/v1/tasks/{slow}")).json()["data"]["status"] == "completed"
        sim.set_clock(ScaledClock(speed=1000.0))  # 1000 clock seconds = 1 real second
        scaled = await create(c, "google/veo-3.1-fast")
        await asyncio.sleep(0.3)
        assert (await c.get(f"/v1/tasks/{scaled}")).json()["data"]["status"] == "processing"


async def test_requests_are_recorded(client: httpx2.AsyncClient, sim: Simulator) -> None:
    await client.post(
        "/v1/tasks", json={"model": "suno-ai/music", "input": {"mv": "chirp-crow"}, "callback_url": "https://cb"}
    )
    await client.get("/v1/resources/suno-ai/voice/verification-phrase", params={"language": "de"})
    await client.get("/_sim/requests")
    recorded = sim.requests
    assert [r.path for r in recorded] == ["/v1/tasks", "/v1/resources/suno-ai/voice/verification-phrase"]
    assert isinstance(recorded[0], RecordedRequest) and recorded[0].method == "POST"
    assert (
        recorded[0].json["input"] == {"mv": "chirp-crow"}
        and recorded[0].headers["authorization"] == AUTH["Authorization"]
    )
    assert recorded[1].query == {"language": "de"} and recorded[1].json is None
    assert sim.created_tasks()[0]["callback_url"] == "https://cb"


async def test_admin_endpoints(client: httpx2.AsyncClient, sim: Simulator) -> None:
    added = await client.post(
        "/_sim/faults", json={"kind": "rate_limit", "lifted_in": 3, "times": 1}, headers={"Authorization": ""}
    )
    assert added.json()["ok"] is True
    assert (await client.post("/_sim/faults", json={"kind": "nope"})).status_code == 400
    assert (await client.post("/_sim/faults", json={"kind": "slow", "colour": 1})).status_code == 400
    assert error_message(await client.get("/account"), 429).endswith("lifted in: 3 seconds")
    assert (await client.get("/_sim/faults")).json()[0]["consumed"] == 1
    task_id = await create(client, "google/veo-3.1-fast")
    assert [t["task_id"] for t in (await client.get("/_sim/tasks")).json()] == [task_id]
    requests = (await client.get("/_sim/requests")).json()
    assert [r["path"] for r in requests] == ["/account", "/v1/tasks"] and requests[1]["json"][
        "model"
    ] == "google/veo-3.1-fast"
    await client.post("/_sim/faults", json={"kind": "server_error"})
    assert (await client.delete("/_sim/faults")).json() == {"ok": True} and sim.faults == []
    assert (await client.post("/_sim/reset")).json() == {"ok": True}
    assert sim.created_tasks() == [] and sim.requests == [] and sim.balance_usd == 100.0


def test_standalone_cli_prints_url_and_serves() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "mcp_server.simulator", "--port", "0", "--task-seconds", "0.1", "--api-key", "k"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.fullmatch(r"SIMULATOR_URL=(http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        with httpx2.Client(base_url=match[1], headers={"Authorization": "Bearer k"}) as c:
            assert c.get("/account").json()["data"]["balance_usd"] == 100.0
            assert c.get("/account", headers={"Authorization": "Bearer other"}).status_code == 401
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=10)
        assert proc.returncode == 0, stderr
        assert stdout == ""  # the URL line was the only output
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
