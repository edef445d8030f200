"""The simulator's contract: catalog, auth, envelope, task lifecycle, outputs, resources, account, uploads."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx2
import pytest

from mcp_server.simulator import (
    FakeClock,
    Simulator,
    SimulatorConfig,
)
from mcp_server.simulator.catalog import MODEL_KINDS
from tests.simulator.helpers import API_KEY, AUTH, PNG_MAGIC, REPO, completed_output, create, error_message

pytestmark = pytest.mark.anyio

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
