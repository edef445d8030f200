"""Output layers: URLs, saved files (right extension and bytes), resource links, bounded inline previews."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from mcp.client import Client

from mcp_server.attachments import PREVIEW_MAX_BYTES, PREVIEW_TOTAL_BYTES, attachments
from mcp_server.media import extension_for, sniff_mime
from mcp_server.outputs import model_slug
from mcp_server.server import build_server
from tests.conftest import make_settings, text_of

pytestmark = pytest.mark.anyio

MEDIA = Path(__file__).parent.parent / "mcp_server/simulator/media"


def blocks(result, kind: str) -> list:
    return [block for block in result.content if block.type == kind]


async def run(client: Client, model: str, **input_fields):
    result = await client.call_tool("create_task", {"model": model, "input": {"prompt": "x", **input_fields}})
    assert not result.is_error, text_of(result)
    return result


async def test_image_output_layers(client, dirs):
    result = await run(client, "black-forest-labs/flux.2-pro")
    data = result.structured_content
    [path] = [Path(p) for p in data["files"]]
    assert path.parent == dirs["out"] and path.name == f"black-forest-labs-flux.2-pro_{data['task_id']}.png"
    assert path.read_bytes() == (MEDIA / "sample.png").read_bytes()
    [preview] = blocks(result, "image")
    assert preview.mime_type == "image/png" and len(base64.b64decode(preview.data)) <= PREVIEW_MAX_BYTES
    [link] = blocks(result, "resource_link")
    assert str(link.uri) == f"unifically://tasks/{data['task_id']}/files/1" and link.name == path.name
    read = await client.read_resource(str(link.uri))
    assert read.contents[0].mime_type == "image/png"
    assert base64.b64decode(read.contents[0].blob) == path.read_bytes()
    record = json.loads((await client.read_resource(f"unifically://tasks/{data['task_id']}")).contents[0].text)
    assert record["status"] == "completed" and record["files"] == data["files"]
    assert str(path) in text_of(result) and data["urls"][0] in text_of(result)


async def test_video_and_audio_files_get_their_real_extension(client):
    video = await run(client, "google/veo-3.1-fast")
    assert video.structured_content["files"][0].endswith(".mp4") and not blocks(video, "image")
    audio = await client.call_tool("create_task", {"model": "elevenlabs/text-to-speech",
                                                   "input": {"text": "hi", "voice": "x"}})
    [path] = audio.structured_content["files"]
    assert path.endswith(".wav") and Path(path).read_bytes()[8:12] == b"WAVE"
    assert not blocks(audio, "audio")  # audio previews are off by default (UNIFICALLY_PREVIEWS)
    assert [link.mime_type for link in blocks(audio, "resource_link")] == ["audio/wav"]


@pytest.mark.parametrize("previews", ["image,audio,video", "none"])
async def test_previews_follow_the_setting(dirs, sim, previews):
    async with Client(build_server(make_settings(dirs, previews=previews), sim.transport())) as client:
        image = await run(client, "black-forest-labs/flux.2-pro")
        audio = await client.call_tool("create_task", {"model": "elevenlabs/text-to-speech",
                                                       "input": {"text": "hi", "voice": "x"}})
    inline = [b.type for b in image.content + audio.content if b.type in ("image", "audio", "resource")]
    assert inline == ([] if previews == "none" else ["image", "audio"])
    assert len(blocks(image, "resource_link")) == len(blocks(audio, "resource_link")) == 1


async def test_multi_output_names_are_numbered(client):
    result = await run(client, "bytedance/seedream-4.5")
    files = result.structured_content["files"]
    assert len(files) == len(result.structured_content["urls"]) > 1
    assert [Path(f).stem.rsplit("_", 1)[-1] for f in files] == [str(n) for n in range(1, len(files) + 1)]


async def test_downloads_can_be_switched_off(dirs, sim):
    async with Client(build_server(make_settings(dirs, download_outputs=False), sim.transport())) as client:
        result = await run(client, "black-forest-labs/flux.2-pro")
    assert "files" not in result.structured_content and result.structured_content["urls"]
    assert list(dirs["out"].iterdir()) == []


async def test_a_different_file_is_never_overwritten(client, dirs, sim):
    first = await client.call_tool("create_task", {"model": "black-forest-labs/flux.2-pro",
                                                   "input": {"prompt": "x"}, "wait_seconds": 0})
    task_id = first.structured_content["task_id"]
    squatter = dirs["out"] / f"black-forest-labs-flux.2-pro_{task_id}.png"
    squatter.write_bytes(b"someone else's file")
    done = await client.call_tool("wait_for_task", {"task_id": task_id})
    [path] = done.structured_content["files"]
    assert path.endswith("-2.png") and squatter.read_bytes() == b"someone else's file"
    again = await client.call_tool("get_task", {"task_id": task_id})
    assert again.structured_content["files"] == [path]  # known files are reused, not downloaded again


async def test_non_media_outputs_come_back_as_data(client):
    lyrics = await client.call_tool("create_task", {"model": "suno-ai/lyrics",
                                                    "input": {"prompt": "a song about rain", "mv": "remi-v1"}})
    output = lyrics.structured_content["output"]
    assert output["a"]["text"] and output["b"]["text"] and "Output:" in text_of(lyrics)
    transcript = await client.call_tool("create_task", {"model": "elevenlabs/speech-to-text",
                                                        "input": {"audio_url": "https://x/a.wav"}})
    assert transcript.structured_content["output"]["words"]
    voice = await client.call_tool("create_task", {"model": "suno-ai/voice", "input": {
        "voice_audio_url": "https://x/v.wav", "verification_audio_url": "https://x/p.wav", "phrase_id": "p",
        "name": "Me"}})
    assert voice.structured_content["output"]["persona_id"]


def test_sniffing_prefers_bytes_over_headers():
    assert sniff_mime((MEDIA / "sample.mp4").read_bytes()[:64], "application/octet-stream") == "video/mp4"
    assert sniff_mime(b"\x89PNG\r\n\x1a\n....", "video/mp4") == "image/png"
    assert sniff_mime(b"plain", "text/plain; charset=utf-8") == "text/plain"
    assert [extension_for(m) for m in ("image/jpeg", "audio/mpeg", "video/mp4")] == [".jpg", ".mp3", ".mp4"]
    assert model_slug("Google/Veo 3.1") == "google-veo-3.1"


async def test_previews_are_bounded_per_file_and_per_result(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (PREVIEW_MAX_BYTES + 1))
    mid = [tmp_path / f"mid{n}.png" for n in range(3)]
    for path in mid:
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (PREVIEW_MAX_BYTES // 2))
    content = await attachments("t1", [big, *mid], frozenset({"image"}))
    previews = [block for block in content if block.type == "image"]
    links = [block for block in content if block.type == "resource_link"]
    assert len(links) == 4 and {link.mime_type for link in links} == {"image/png"}
    assert len(previews) == 2  # the big one is skipped, and the third small one would pass the result's budget
    assert sum(len(base64.b64decode(p.data)) for p in previews) <= PREVIEW_TOTAL_BYTES


def test_ids_from_the_api_cannot_escape_the_output_dir():
    from mcp_server.outputs import safe_name

    assert safe_name("../../etc/passwd") == "etc-passwd"
    assert "/" not in safe_name("a/b\\c") and safe_name("...") == "task"
