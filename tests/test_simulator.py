"""Tests of the offline Unifically API simulator, through real httpx2 clients in-process and over loopback."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from mcp_server.simulator import (
    FakeClock,
    Fault,
    LoopbackSimulator,
    RecordedRequest,
    ScaledClock,
    Simulator,
    SimulatorConfig,
)
from mcp_server.simulator.catalog import MODEL_KINDS

pytestmark = pytest.mark.anyio

API_KEY = "sk-test-123"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Simulator:
    return Simulator(SimulatorConfig(task_seconds=10.0, api_key=API_KEY, clock=clock))


@pytest.fixture(params=["inprocess", "loopback"])
async def client(request: pytest.FixtureRequest, sim: Simulator) -> AsyncIterator[httpx2.AsyncClient]:
    """An authenticated client talking to ``sim`` in-process or over a real loopback socket."""
    if request.param == "inprocess":
        async with httpx2.AsyncClient(transport=sim.transport(), base_url="http://sim.test", headers=AUTH) as c:
            yield c
    else:
        async with LoopbackSimulator(sim) as server, httpx2.AsyncClient(base_url=server.url, headers=AUTH) as c:
            yield c


def is_loopback(client: httpx2.AsyncClient) -> bool:
    return str(client.base_url).startswith("http://127.0.0.1:")


async def create(client: httpx2.AsyncClient, model: str, task_input: dict[str, Any] | None = None, **extra: Any) -> str:
    response = await client.post("/v1/tasks", json={"model": model, "input": task_input or {"prompt": "x"}, **extra})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {"success": True, "code": 200, "data": {"task_id": body["data"]["task_id"], "status": "pending"}}
    return body["data"]["task_id"]


async def completed_output(
    client: httpx2.AsyncClient, clock: FakeClock, model: str, task_input: dict[str, Any]
) -> dict[str, Any]:
    task_id = await create(client, model, task_input)
    clock.advance(11)
    data = (await client.get(f"/v1/tasks/{task_id}")).json()["data"]
    assert data["status"] == "completed", data
    return data


def error_message(response: httpx2.Response, status: int) -> str:
    """Assert the error envelope and return its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["code"] == status
    assert isinstance(body["data"]["request_id"], str)
    return body["data"]["message"]


# --- catalog, auth, envelope ---------------------------------------------------------------------------------


def test_catalog_has_all_documented_models() -> None:
    assert len(MODEL_KINDS) == 98
    kinds = list(MODEL_KINDS.values())
    assert (kinds.count("image"), kinds.count("video"), kinds.count("audio")) == (36, 44, 18)
    for model, kind in [
        ("google/veo-3.1-fast", "video"),
        ("kuaishou/kling-3.0-video", "video"),
        ("black-forest-labs/flux.2-pro", "image"),
        ("suno-ai/music", "audio"),
        ("elevenlabs/speech-to-text", "audio"),
        ("topaz-labs/image-generative", "image"),
    ]:
        assert MODEL_KINDS[model] == kind


async def test_auth_is_required(client: httpx2.AsyncClient) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {API_KEY}"}):
        response = await client.get("/v1/account", headers=headers)
        assert response.json() == {
            "success": False,
            "code": 401,
            "data": {"message": "Invalid API key provided", "request_id": response.json()["data"]["request_id"]},
        }
        assert response.status_code == 401
    response = await client.post(
        "/v1/tasks", json={"model": "google/veo-3.1-fast", "input": {}}, headers={"Authorization": ""}
    )
    assert error_message(response, 401) == "Invalid API key provided"
    assert (await client.get("/v1/account")).status_code == 200


async def test_any_token_accepted_without_configured_key() -> None:
    sim = Simulator(SimulatorConfig())
    async with httpx2.AsyncClient(transport=sim.transport(), base_url="http://sim.test") as c:
        assert (await c.get("/account", headers={"Authorization": "Bearer anything"})).status_code == 200
        assert (await c.get("/account")).status_code == 401


async def test_unknown_path_is_an_enveloped_404(client: httpx2.AsyncClient) -> None:
    assert error_message(await client.get("/v1/nothing-here"), 404).startswith("Not found")


# --- tasks ---------------------------------------------------------------------------------------------------


async def test_lifecycle_pending_processing_completed(
    client: httpx2.AsyncClient, sim: Simulator, clock: FakeClock
) -> None:
    task_id = await create(client, "google/veo-3.1-fast")
    assert sim.balance_usd == pytest.approx(99.6)

    async def status() -> dict[str, Any]:
        response = await client.get(f"/v1/tasks/{task_id}")
        assert response.status_code == 200 and response.json()["success"] is True
        return response.json()["data"]

    assert await status() == {"task_id": task_id, "status": "pending"}
    clock.advance(1.5)
    assert await status() == {"task_id": task_id, "status": "processing"}
    clock.advance(9)
    data = await status()
    assert data["status"] == "completed" and set(data["output"]) == {"video_url"}
    url = data["output"]["video_url"]
    assert url.startswith(str(client.base_url).rstrip("/") + "/files/")
    media = await client.get(url, headers={"Authorization": ""})  # files need no auth
    assert media.status_code == 200 and media.headers["content-type"] == "video/mp4"
    assert media.content[4:8] == b"ftyp" and len(media.content) > 1000
    assert sim.created_tasks()[0]["status"] == "completed"


async def test_every_kind_serves_real_media(client: httpx2.AsyncClient, clock: FakeClock) -> None:
    expectations = {
        "openai/gpt-image-1": ("image_url", "image/png"),
        "elevenlabs/text-to-speech": ("audio_url", "audio/wav"),
        "kuaishou/kling-3.0-video": ("video_url", "video/mp4"),
    }
    for model, (field, content_type) in expectations.items():
        data = await completed_output(client, clock, model, {"prompt": "p"})
        media = await client.get(data["output"][field])
        assert media.headers["content-type"] == content_type
        if content_type == "image/png":
            assert media.content.startswith(PNG_MAGIC)
        elif content_type == "audio/wav":
            assert media.content[:4] == b"RIFF" and media.content[8:12] == b"WAVE"
    assert (await client.get("/files/out-00000000-0000-0000-0000-000000000000-1.png")).status_code == 404


async def test_documented_special_outputs(client: httpx2.AsyncClient, clock: FakeClock) -> None:
    out = (await completed_output(client, clock, "bytedance/seedream-4.5", {"prompt": "p"}))["output"]
    assert len(out["image_urls"]) == 4 and len(set(out["image_urls"])) == 4
    assert (
        len((await completed_output(client, clock, "xai/grok-imagine-image", {"prompt": "p"}))["output"]["image_urls"])
        == 6
    )
    edit = await completed_output(
        client, clock, "xai/grok-imagine-image", {"prompt": "p", "image_urls": ["https://a/b.png"]}
    )
    assert set(edit["output"]) == {"image_url"}
    assert (
        len(
            (await completed_output(client, clock, "kuaishou/kling-3.0-image", {"prompt": "p", "count": 3}))["output"][
                "image_urls"
            ]
        )
        == 3
    )
    lyrics = (await completed_output(client, clock, "suno-ai/lyrics", {"prompt": "summer", "mv": "remi-v1"}))["output"]
    assert set(lyrics) == {"a", "b"} and "summer" in lyrics["a"]["text"] and isinstance(lyrics["b"]["tags"], list)
    stt = (await completed_output(client, clock, "elevenlabs/speech-to-text", {"audio_url": "https://a/b.mp3"}))[
        "output"
    ]
    assert stt["text"] == "Hello world" and [w["type"] for w in stt["words"]] == ["word", "spacing", "word"]
    voice = await completed_output(client, clock, "suno-ai/voice", {"name": "My Voice", "styles": "funk"})
    assert voice["persona_id"] and voice["name"] == "My Voice" and voice["styles"] == "funk" and "output" not in voice
    custom = await completed_output(client, clock, "suno-ai/custom-model", {"audio_urls": [], "name": "m1"})
    assert custom["mv"] == f"chirp-custom:{custom['model_id']}" and custom["name"] == "m1"
    assert len((await completed_output(client, clock, "suno-ai/stems-all", {"clip_id": "c"}))["output"]["clips"]) == 12


async def test_suno_clips_have_stable_ids_and_audio(client: httpx2.AsyncClient, clock: FakeClock) -> None:
    data = await completed_output(client, clock, "suno-ai/music", {"mv": "chirp-crow", "custom": False, "title": "T"})
    again = (await client.get(f"/v1/tasks/{data['task_id']}")).json()["data"]
    assert again == data
    clips = data["output"]["clips"]
    assert len(clips) == 2 and clips[0]["id"] != clips[1]["id"] and clips[0]["title"] == "T"
    audio = await client.get(clips[0]["audio_url"])
    assert audio.content[8:12] == b"WAVE"


async def test_dry_run_creates_nothing(client: httpx2.AsyncClient, sim: Simulator) -> None:
    response = await client.post(
        "/v1/tasks", json={"model": "google/veo-3.1-fast", "input": {"prompt": "p"}, "dry_run": True}
    )
    assert response.json() == {"success": True, "code": 200, "data": {"cost": 0.4}}
    assert sim.created_tasks() == [] and sim.balance_usd == 100.0


async def test_insufficient_balance(clock: FakeClock) -> None:
    sim = Simulator(SimulatorConfig(balance_usd=0.5, api_key=API_KEY, clock=clock))
    async with httpx2.AsyncClient(transport=sim.transport(), base_url="http://sim.test", headers=AUTH) as c:
        await create(c, "google/veo-3.1-fast")
        response = await c.post("/v1/tasks", json={"model": "google/veo-3.1-fast", "input": {}})
        assert error_message(response, 402) == "Insufficient balance"
        await create(c, "google/nano-banana")  # 0.04 still fits
        assert len(sim.created_tasks()) == 2
        assert (await c.get("/account")).json()["data"]["balance_usd"] == pytest.approx(0.06)


async def test_not_found_and_validation(client: httpx2.AsyncClient, sim: Simulator) -> None:
    assert error_message(await client.get("/v1/tasks/nope"), 404) == "Task not found"
    response = await client.post("/v1/tasks", json={"model": "acme/nothing", "input": {}})
    assert error_message(response, 404) == "Model not found: acme/nothing"
    assert error_message(await client.post("/v1/tasks", json={"input": {}}), 422) == "Missing required parameter: model"
    assert (
        error_message(await client.post("/v1/tasks", json={"model": "suno-ai/music"}), 422)
        == "Missing required parameter: input"
    )
    assert "input" in error_message(await client.post("/v1/tasks", json={"model": "suno-ai/music", "input": "x"}), 422)
    assert error_message(await client.post("/v1/tasks", content=b"{nope"), 400) == "Invalid JSON body"
    assert sim.created_tasks() == []


# --- resources and account -----------------------------------------------------------------------------------


async def test_resources(client: httpx2.AsyncClient) -> None:
    async def data(path: str) -> Any:
        response = await client.get(path)
        assert response.status_code == 200 and response.json()["success"] is True
        return response.json()["data"]

    assert (await data("/v1/resources/higgsfield-ai/motions"))[0]["id"] == "d2389a9a-91c2-4276-bc9c-c9e35e8fb85a"
    assert (await data("/v1/resources/higgsfield-ai/voices"))[0]["name"] == "Sarah"
    assert (await data("/v1/resources/higgsfield-ai/sounds"))[0]["name"] == "Coffee Shop Ambience"
    assert all("id" in item for item in await data("/v1/resources/higgsfield-ai/camera-movements"))
    settings = await data("/v1/resources/higgsfield-ai/camera-settings")
    assert set(settings) == {"camera_models", "camera_lenses", "camera_apertures", "camera_focal_lengths"}
    assert (await data("/v1/resources/kuaishou/kling/voices"))[:2] == [
        {"id": 1, "name": "Male Voice 1"},
        {"id": 2, "name": "Female Voice 1"},
    ]
    assert (await data("/v1/resources/google/voices/veo-3.1"))[0]["id"] == "achernar"
    assert (await data("/v1/resources/elevenlabs/voices"))["voices"][0]["voice_id"] == "21m00Tcm4TlvDq8ikWAM"
    english = await data("/v1/resources/suno-ai/voice/verification-phrase")
    assert english["phrase_text"].startswith("Sing") and len(english["phrase_id"]) == 36
    russian = await data("/v1/resources/suno-ai/voice/verification-phrase?language=ru")
    assert re.search("[\u0400-\u04ff]", russian["phrase_text"])
    assert "ja" in error_message(await client.get("/v1/resources/suno-ai/voice/verification-phrase?language=xx"), 422)


async def test_account_on_both_paths(client: httpx2.AsyncClient) -> None:
    for path in ("/account", "/v1/account"):
        data = (await client.get(path)).json()["data"]
        assert set(data) == {"user_id", "balance_usd", "email", "created_at", "updated_at"}
        assert data["balance_usd"] == 100.0


# --- uploads -------------------------------------------------------------------------------------------------


async def test_uploads_three_forms_served_back(client: httpx2.AsyncClient, sim: Simulator) -> None:
    png = (REPO / "mcp_server/simulator/media/sample.png").read_bytes()
    wav = (REPO / "mcp_server/simulator/media/sample.wav").read_bytes()

    async def fetch(response: httpx2.Response) -> httpx2.Response:
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["success"] is True and set(body) == {"success", "file_url"}
        return await client.get(body["file_url"])

    served = await fetch(await client.put("/upload", files={"file": ("pic.png", png, "image/png")}))
    assert served.content == png and served.headers["content-type"] == "image/png"
    served = await fetch(await client.put("/upload", json={"base64": base64.b64encode(wav).decode()}))
    assert served.content == wav and served.headers["content-type"] == "audio/wav"
    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
    own = (await client.put("/upload", json={"base64": data_url})).json()["file_url"]
    copied = await fetch(await client.put("/upload", json={"file_url": own}))
    assert copied.content == png
    fetched = await fetch(await client.put("/upload", json={"file_url": "https://example.com/cat.jpg"}))
    assert fetched.content.startswith(PNG_MAGIC)
    assert sim.requests[0].form == {"file": {"filename": "pic.png", "size": len(png)}}


async def test_upload_errors(client: httpx2.AsyncClient, clock: FakeClock) -> None:
    async def refused(response: httpx2.Response, status: int = 400) -> str:
        assert response.status_code == status, response.text
        body = response.json()
        assert body["success"] is False and set(body) == {"success", "message"}
        return body["message"]

    assert "base64" in await refused(await client.put("/upload", json={"base64": "%%%not base64"}))
    assert await refused(await client.put("/upload", json={"nothing": 1}))
    assert "empty" in await refused(await client.put("/upload", files={"file": ("e.png", b"")}))
    assert "file" in await refused(await client.put("/upload", files={"other": ("e.png", b"abc")}))
    assert await refused(await client.put("/upload", json={"file_url": "ftp://x/y"}))
    assert await refused(await client.put("/upload", files={"file": ("a", b"x")}, headers={"Authorization": ""}), 401)


async def test_upload_size_cap() -> None:
    sim = Simulator(SimulatorConfig(max_upload_bytes=100))
    async with httpx2.AsyncClient(transport=sim.transport(), base_url="http://sim.test", headers=AUTH) as c:
        response = await c.put("/upload", files={"file": ("big.bin", b"x" * 101)})
        assert response.status_code == 413 and "too large" in response.json()["message"]
        assert (await c.put("/upload", files={"file": ("ok.bin", b"x" * 100)})).status_code == 200


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
