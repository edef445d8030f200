"""Never twice: an identical request within the window returns the task the first one created (sequential,
concurrent, after a restart), files compared by content before any upload; allow_duplicate creates another."""

from __future__ import annotations

import base64
from pathlib import Path

import anyio
import pytest
from pydantic import SecretStr

from tests.conftest import make_sim, text_of
from tests.spend_support import PaidCreates, paid, serving, video

pytestmark = pytest.mark.anyio

PNG = (Path(__file__).parent.parent / "mcp_server/simulator/media/sample.png").read_bytes()


def uploads(sim) -> list:
    return [r for r in sim.requests if r.method == "PUT"]


def veo(**extra) -> dict:
    return {"model": "google/veo-3.1-fast", "prompt": "a cat", "wait_seconds": 0, **extra}


async def test_a_repeated_request_returns_the_first_task(dirs, sim, mode):
    async with serving(dirs, sim, mode) as client:
        first = await client.call_tool("create_task", video("a cat"))
        again = await client.call_tool("create_task", video("a cat", wait_seconds=5))
        assert not again.is_error, text_of(again)
        assert again.structured_content["task_id"] == first.structured_content["task_id"]
        assert "identical request" in text_of(again) and "allow_duplicate" in text_of(again)
        assert again.structured_content["status"] == "completed"  # the normal bounded wait, on that task
        other = await client.call_tool("create_task", video("a dog"))
        assert other.structured_content["task_id"] != first.structured_content["task_id"]
    assert len(paid(sim)) == 2


async def test_allow_duplicate_creates_another(dirs, sim):
    async with serving(dirs, sim) as client:
        first = await client.call_tool("create_task", video("a cat"))
        second = await client.call_tool("create_task", video("a cat", allow_duplicate=True))
        assert second.structured_content["task_id"] != first.structured_content["task_id"]
    assert len(paid(sim)) == 2


async def test_concurrent_identical_requests_create_one_task(dirs):
    sim = make_sim(task_seconds=0.6)
    results = []
    async with serving(dirs, sim, max_spend_per_session=5.0) as client:
        async def create() -> None:
            results.append(await client.call_tool("create_task", video("a cat", wait_seconds=2)))

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(create)
        assert len(paid(sim)) == 1
        assert {r.structured_content["task_id"] for r in results} == {paid_id(sim)}
        spending = (await client.call_tool("get_account", {})).structured_content["spending"]
        assert spending["spent_session_usd"] == pytest.approx(0.4)  # reserved once


def paid_id(sim) -> str:
    [task] = sim.created_tasks()
    return task["task_id"]


async def test_a_restarted_server_replaying_a_call_gets_the_same_task(dirs, sim):
    async with serving(dirs, sim) as first:
        created = await first.call_tool("generate_video_veo", veo())
    async with serving(dirs, sim) as second:
        replayed = await second.call_tool("generate_video_veo", veo())
    assert replayed.structured_content["task_id"] == created.structured_content["task_id"]
    assert len(paid(sim)) == 1


async def test_the_same_request_with_another_api_key_is_another_request(dirs, sim):
    """Same model and input, same journal, another key (another account): its own task, never the first one's."""
    async with serving(dirs, sim) as first:
        created = await first.call_tool("create_task", video("a cat"))
    async with serving(dirs, sim, api_key=SecretStr("sk-another-account-0123456789")) as second:
        other = await second.call_tool("create_task", video("a cat"))
        again = await second.call_tool("create_task", video("a cat"))
    assert other.structured_content["task_id"] != created.structured_content["task_id"]
    assert again.structured_content["task_id"] == other.structured_content["task_id"]
    assert len(paid(sim)) == 2


async def test_files_count_by_content_before_any_upload(dirs, sim):
    (dirs["in"] / "a.png").write_bytes(PNG)
    (dirs["in"] / "copy.png").write_bytes(PNG)
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    async with serving(dirs, sim) as client:
        first = await client.call_tool("generate_video_veo", veo(start_image_url=str(dirs["in"] / "a.png")))
        for same in (str(dirs["in"] / "copy.png"), uri):
            again = await client.call_tool("generate_video_veo", veo(start_image_url=same))
            assert again.structured_content["task_id"] == first.structured_content["task_id"]
        assert len(uploads(sim)) == 1  # a repeat uploads nothing
        (dirs["in"] / "a.png").write_bytes(PNG + b"edited")
        edited = await client.call_tool("generate_video_veo", veo(start_image_url=str(dirs["in"] / "a.png")))
        assert edited.structured_content["task_id"] != first.structured_content["task_id"]
    assert len(paid(sim)) == 2


async def test_the_window_and_failed_tasks(dirs, sim):
    async with serving(dirs, sim, dedup_seconds=0.5) as client:  # 0.5 s of the tests' scaled time (25 ms)
        first = await client.call_tool("create_task", video("a cat"))
        await anyio.sleep(0.05)
        later = await client.call_tool("create_task", video("a cat"))
        assert later.structured_content["task_id"] != first.structured_content["task_id"]
        sim.fail_model("google/veo-3.1-fast")
        failed = await client.call_tool("create_task", video("a dog", wait_seconds=5))
        assert failed.is_error
        retried = await client.call_tool("create_task", video("a dog"))  # a failed task is no reason to refuse
        assert "identical" not in text_of(retried)
    assert len(paid(sim)) == 4
    async with serving(dirs, sim, dedup_seconds=0) as client:
        await client.call_tool("create_task", video("same"))
        await client.call_tool("create_task", video("same"))
    assert len(paid(sim)) == 6


async def test_a_repeat_of_an_unknown_outcome_is_named_not_sent(dirs, sim):
    async with serving(dirs, PaidCreates(sim, "drop")) as client:
        lost = await client.call_tool("create_task", video("a cat"))
        assert lost.is_error
        again = await client.call_tool("create_task", video("a cat"))
        assert again.is_error
        for part in ("outcome is unknown", "not sent again", "list_tasks", "allow_duplicate"):
            assert part in text_of(again), part
        assert len(paid(sim)) == 1
        forced = await client.call_tool("create_task", video("a cat", allow_duplicate=True))
        assert not forced.is_error
    assert len(paid(sim)) == 2 and len(sim.created_tasks()) == 2


async def test_a_local_file_is_read_once_for_the_fingerprint_and_the_upload(client, sim, dirs, monkeypatch):
    """The bytes the duplicate check compared are the bytes uploaded: the path is never opened a second time."""
    from mcp_server.localfiles import LocalFiles

    reads: list[str] = []
    real_read = LocalFiles.read

    def counting(self, raw, param, stop=None):
        reads.append(raw)
        return real_read(self, raw, param, stop)

    monkeypatch.setattr(LocalFiles, "read", counting)
    photo = dirs["in"] / "cat.png"
    photo.write_bytes(PNG)
    result = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "wait_seconds": 0, "input": {
        "prompt": "x", "start_image_url": str(photo)}})
    assert not result.is_error, text_of(result)
    assert reads == [str(photo)]
