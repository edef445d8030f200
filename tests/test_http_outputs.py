"""Outputs in hosted mode: nothing written to or read from the server's disk; results carry the URLs, links that
`resources/read` serves from the URLs (capped), and small image previews fetched into memory."""

from __future__ import annotations

import argparse
import base64
from pathlib import Path

import httpx2
import pytest
from mcp.client import Client
from mcp.shared.exceptions import MCPError

from mcp_server.callers import scrub
from mcp_server.server import build_server
from mcp_server.transports.cli import hosted
from tests.conftest import API_KEY, make_settings, text_of
from tests.hosted import hosted_settings
from tests.test_inputs import VEO

pytestmark = pytest.mark.anyio
MEDIA = Path(__file__).parent.parent / "mcp_server/simulator/media"


class CountingFiles(httpx2.AsyncBaseTransport):
    """Counts the output files fetched (the simulator does not record /files requests)."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner, self.fetched = inner, []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.startswith("/files/"):
            self.fetched.append(request.url.path)
        return await self.inner.handle_async_request(request)


def kinds(result) -> list[str]:
    return [block.type for block in result.content]


async def test_outputs_are_linked_and_served_from_their_urls_not_saved(dirs, sim):
    files = CountingFiles(sim.transport())
    async with Client(build_server(hosted_settings(dirs), files)) as client:
        image = await client.call_tool("create_task", {"model": "black-forest-labs/flux.2-pro",
                                                       "input": {"prompt": "x"}})
        task_id = image.structured_content["task_id"]
        [link] = [block for block in image.content if block.type == "resource_link"]
        read = await client.read_resource(str(link.uri))
        video = await client.call_tool("create_task", {"model": "google/veo-3.1-fast", "input": {"prompt": "x"}})
        fetched_for_video = [path for path in files.fetched if video.structured_content["task_id"] in path]
        with pytest.raises(MCPError, match="no file 2"):
            await client.read_resource(f"unifically://tasks/{task_id}/files/2")
    assert "files" not in image.structured_content and image.structured_content["urls"]
    assert kinds(image) == ["text", "image", "resource_link"]
    assert str(link.uri) == f"unifically://tasks/{task_id}/files/1" and link.mime_type == "image/png"
    assert base64.b64decode(read.contents[0].blob) == (MEDIA / "sample.png").read_bytes()
    assert read.contents[0].mime_type == "image/png"
    assert kinds(video) == ["text", "resource_link"] and video.content[1].mime_type == "video/mp4"
    assert fetched_for_video == []  # not previewed, so not even fetched
    assert list(dirs["out"].iterdir()) == [] and not (dirs["data"] / "outputs").exists()


async def test_several_outputs_each_get_a_link_and_previews_stay_bounded(dirs, sim):
    async with Client(build_server(hosted_settings(dirs), sim.transport())) as client:
        result = await client.call_tool("create_task", {"model": "bytedance/seedream-4.5", "input": {"prompt": "x"}})
        links = [block for block in result.content if block.type == "resource_link"]
        last = await client.read_resource(str(links[-1].uri))
    assert len(links) == len(result.structured_content["urls"]) == 4
    assert [str(link.uri).rsplit("/", 1)[-1] for link in links] == ["1", "2", "3", "4"]
    assert kinds(result).count("image") == 4 and last.contents[0].mime_type == "image/png"


async def test_reading_an_output_is_capped(dirs, sim):
    async with Client(build_server(hosted_settings(dirs, max_resource_bytes=512), sim.transport())) as client:
        result = await client.call_tool("create_task", {"model": "black-forest-labs/flux.2-pro",
                                                       "input": {"prompt": "x"}})
        with pytest.raises(MCPError, match="UNIFICALLY_MAX_RESOURCE_MB") as refused:
            await client.read_resource(f"unifically://tasks/{result.structured_content['task_id']}/files/1")
    assert result.structured_content["urls"][0] in str(refused.value)


async def test_no_local_file_is_read_in_hosted_mode(dirs, sim):
    (dirs["in"] / "a.png").write_bytes((MEDIA / "sample.png").read_bytes())
    async with Client(build_server(hosted_settings(dirs), sim.transport())) as client:
        upload = await client.call_tool("upload_file", {"path": str(dirs["in"] / "a.png")})
        edit = await client.call_tool("generate_video_veo", {**VEO, "start_image_url": str(dirs["in"] / "a.png")})
        inline = await client.call_tool("upload_file", {"base64": base64.b64encode(
            (MEDIA / "sample.png").read_bytes()).decode()})
    assert upload.is_error and "reads no files from its own disk" in text_of(upload)
    assert edit.is_error and "reads no files from its own disk" in text_of(edit)
    assert not inline.is_error, text_of(inline)
    assert not [r for r in sim.requests if r.method == "POST" and r.path == "/v1/tasks"]


def test_hosted_defaults_give_way_to_explicit_settings(dirs):
    args = argparse.Namespace(allowed_dirs=None)
    default = hosted(make_settings(dirs), args, env={})
    explicit = hosted(make_settings(dirs), args, env={"UNIFICALLY_DOWNLOAD": "1", "UNIFICALLY_ALLOWED_DIRS": "/srv"})
    flagged = hosted(make_settings(dirs), argparse.Namespace(allowed_dirs=[Path("/srv")]), env={})
    assert (default.download_outputs, default.local_files) == (False, False)
    assert (explicit.download_outputs, explicit.local_files) == (True, True)
    assert flagged.local_files and not flagged.download_outputs


def test_answers_are_scrubbed_of_the_callers_key():
    answer = {"content": [{"type": "text", "text": f"echo {API_KEY}!"}], "n": 3, "items": [API_KEY, None]}
    assert API_KEY not in str(scrub(answer, API_KEY)) and scrub(answer, API_KEY)["n"] == 3
    assert scrub(answer, "some-other-key-123") == answer


async def test_in_memory_outputs_take_the_same_guarded_walk_as_downloads():
    """Previews and resources/read fetch through `checked_get`: an unsafe hop or non-media bytes never come back."""
    import httpx2

    from mcp_server.fetching import NotMedia, fetch_capped
    from mcp_server.netguard import UnsafeURL

    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/hop":
            return httpx2.Response(302, headers={"location": "http://169.254.169.254/latest/meta-data"})
        if request.url.path == "/page":
            return httpx2.Response(200, content=b"<html>not media</html>")
        return httpx2.Response(200, content=b"\x89PNG\r\n\x1a\n" + b"\0" * 32)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as http:
        data, mime = await fetch_capped(http, "https://cdn.example/ok.png", 1000, allow_private=False)
        assert mime == "image/png" and data.startswith(b"\x89PNG")
        with pytest.raises(UnsafeURL):
            await fetch_capped(http, "https://cdn.example/hop", 1000, allow_private=False)
        with pytest.raises(NotMedia):
            await fetch_capped(http, "https://cdn.example/page", 1000, allow_private=False)
