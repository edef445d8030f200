"""No file leaves the machine unless the user put it in reach: roots, escapes, symlinks, hidden names, content."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from mcp.client import Client

from mcp_server.roots import cwd_refusal
from mcp_server.server import build_server
from tests.conftest import make_settings, posts, text_of

pytestmark = pytest.mark.anyio

MEDIA = Path(__file__).parent.parent / "mcp_server/simulator/media"
PNG, WAV = (MEDIA / "sample.png").read_bytes(), (MEDIA / "sample.wav").read_bytes()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)


def sent(sim) -> list[bytes]:
    """The bytes the upload host received."""
    return [stored.content for stored in sim.state.uploads.values()]


async def upload(settings, sim, *paths: Path | str) -> list:
    async with Client(build_server(settings, sim.transport())) as client:
        return [await client.call_tool("upload_file", {"path": str(path)}) for path in paths]


def write(path: Path, content: bytes = PNG) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    (home / ".git").mkdir(parents=True)  # a dotfiles repository makes no project of every folder in home
    monkeypatch.setenv("HOME", str(home))
    return home


async def test_a_server_started_in_slash_reads_nothing_outside_the_output_dir(dirs, sim, tmp_path, monkeypatch):
    secret = write(tmp_path / "secret.png")
    monkeypatch.chdir("/")
    refused, relative, kept = await upload(make_settings(dirs, allowed_dirs=()), sim, secret, "etc/hostname",
                                           write(dirs["out"] / "earlier.png"))
    for result in (refused, relative):
        text = text_of(result)
        assert result.is_error and "outside the allowed directories" in text, text
        assert "filesystem root" in text and "UNIFICALLY_ALLOWED_DIRS" in text and "--allowed-dir" in text
    assert not kept.is_error, text_of(kept)  # the output dir stays a root: outputs can feed the next task
    assert sent(sim) == [PNG]


async def test_home_and_folders_above_it_are_no_default_roots(dirs, sim, tmp_path, home, monkeypatch):
    photo = write(home / "photo.png")
    loose = write(home / "Downloads" / "scan.png")
    for cwd, expected in ((home, "your home directory"), (tmp_path, "contains your home directory"),
                          (home / "Downloads", "not inside a project")):
        monkeypatch.chdir(cwd)
        results = await upload(make_settings(dirs, allowed_dirs=()), sim, photo, loose)
        assert all(r.is_error and expected in text_of(r) for r in results), (cwd, [text_of(r) for r in results])
    assert sent(sim) == []


async def test_a_project_folder_is_a_root_resolved_once_at_start(dirs, sim, tmp_path, home, monkeypatch):
    project = home / "code" / "proj"
    write(project / "pyproject.toml", b"[project]\n")
    inside = write(project / "assets" / "logo.png")
    outside = write(tmp_path / "elsewhere" / "other.png")
    monkeypatch.chdir(project / "assets")  # a subfolder of a project is a project folder too
    async with Client(build_server(make_settings(dirs, allowed_dirs=()), sim.transport())) as client:
        by_name = await client.call_tool("upload_file", {"path": "logo.png"})
        monkeypatch.chdir("/")  # the roots (and relative paths) were fixed when the server started
        again = await client.call_tool("upload_file", {"path": "logo.png"})
        absolute = await client.call_tool("upload_file", {"path": str(inside)})
        refused = await client.call_tool("upload_file", {"path": str(outside)})
    assert not by_name.is_error and not again.is_error and not absolute.is_error, text_of(again)
    assert refused.is_error and "outside the allowed directories" in text_of(refused)
    assert sent(sim) == [PNG] * 3


def test_the_project_folder_rule():
    home = Path("/home/ann")
    assert cwd_refusal(Path("/"), home) == "it is the filesystem root"
    assert cwd_refusal(home, home) == "it is your home directory"
    assert cwd_refusal(Path("/home"), home) == "it contains your home directory"
    for system in ("/etc", "/usr/src/linux", "/var/lib/app", "/opt/tool", "/proc/self"):
        assert "system folder" in cwd_refusal(Path(system), home), system


async def test_dotdot_escapes_are_refused(dirs, sim, tmp_path, monkeypatch):
    write(tmp_path / "secret.png")
    write(dirs["in"] / "sub" / "ok.png")
    monkeypatch.chdir(dirs["in"])
    results = await upload(make_settings(dirs), sim, dirs["in"] / ".." / "secret.png",
                           dirs["in"] / "sub" / ".." / ".." / "secret.png", "../secret.png", "sub/../../secret.png")
    assert all(r.is_error and "outside the allowed directories" in text_of(r) for r in results)
    assert all("UNIFICALLY_ALLOWED_DIRS" in text_of(r) and "--allowed-dir" in text_of(r) for r in results)
    [inside] = await upload(make_settings(dirs), sim, "sub/../sub/ok.png")
    assert not inside.is_error and sent(sim) == [PNG]


async def test_symlinks_below_a_root_are_refused_unless_followed_and_inside(dirs, sim, tmp_path):
    secret = write(tmp_path / "private" / "secret.png", JPEG)
    (dirs["in"] / "to-secret.png").symlink_to(secret)
    (dirs["in"] / "private-dir").symlink_to(secret.parent)
    real = write(dirs["in"] / "real.png")
    (dirs["in"] / "alias.png").symlink_to(real)
    paths = [dirs["in"] / "to-secret.png", dirs["in"] / "private-dir" / "secret.png", dirs["in"] / "alias.png"]
    strict = await upload(make_settings(dirs), sim, *paths)
    assert all(r.is_error and "is a symlink" in text_of(r) and "UNIFICALLY_FOLLOW_SYMLINKS" in text_of(r)
               for r in strict), [text_of(r) for r in strict]
    followed = await upload(make_settings(dirs, follow_symlinks=True), sim, *paths)
    assert [r.is_error for r in followed] == [True, True, False]
    assert all("outside the allowed directories" in text_of(r) for r in followed[:2])
    assert sent(sim) == [PNG]


async def test_hidden_files_and_folders_need_allow_hidden(dirs, sim, home):
    paths = [write(dirs["in"] / ".env.png"), write(dirs["in"] / ".git" / "x.png"),
             write(dirs["in"] / "sub" / ".cache" / "y.png"), write(home / ".ssh" / "id_rsa", JPEG)]
    refused = await upload(make_settings(dirs, allowed_dirs=(dirs["in"], home)), sim, *paths, "~/.ssh/id_rsa")
    assert all(r.is_error and "hidden" in text_of(r) and "UNIFICALLY_ALLOW_HIDDEN" in text_of(r) for r in refused)
    assert sent(sim) == []
    allowed = await upload(make_settings(dirs, allow_hidden=True), sim, *paths[:3])
    assert not any(r.is_error for r in allowed) and sent(sim) == [PNG] * 3


async def test_a_local_file_must_be_media_by_content_not_by_name(dirs, sim):
    text = write(dirs["in"] / "notes.png", b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n")
    bmw = write(dirs["in"] / "cars.bmp", b"BMW cars and other notes, in plain text, more than 64 bytes long....")
    refused = await upload(make_settings(dirs), sim, text, bmw)
    assert all(r.is_error and "not an image, audio or video" in text_of(r) for r in refused)
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        as_input = await client.call_tool("generate_video_veo", {"model": "google/veo-3.1-fast", "prompt": "x",
                                                                 "start_image_url": str(text)})
    assert as_input.is_error and "start_image_url" in text_of(as_input) and not posts(sim)
    assert sent(sim) == []
    await upload(make_settings(dirs), sim, write(dirs["in"] / "photo", JPEG), write(dirs["in"] / "tone.png", WAV))
    names = [r.form["file"]["filename"] for r in sim.requests if r.method == "PUT"]
    assert names == ["photo.jpg", "tone.wav"]  # the extension follows the content


async def test_data_uris_and_base64_must_be_media_by_content(dirs, sim):
    lie = "data:image/png;base64," + base64.b64encode(b"just some text, not a picture").decode()
    raw_text = base64.b64encode(b"#!/bin/sh\necho hello\n").decode()
    relabelled = "data:image/png;base64," + base64.b64encode(JPEG).decode()
    async with Client(build_server(make_settings(dirs), sim.transport())) as client:
        refused = [await client.call_tool("upload_file", {"base64": value}) for value in (lie, raw_text)]
        as_input = await client.call_tool("generate_video_veo", {"model": "google/veo-3.1-fast", "prompt": "x",
                                                                 "start_image_url": lie})
        assert all(r.is_error and "not an image, audio or video" in text_of(r) for r in [*refused, as_input])
        assert "declares image/png" in text_of(refused[0]) and sim.requests == []
        fixed = await client.call_tool("upload_file", {"base64": relabelled})
    assert not fixed.is_error and sim.requests[-1].json["base64"].startswith("data:image/jpeg;base64,")


async def test_an_output_dir_at_the_home_or_a_filesystem_root_is_no_default_root(dirs, sim, tmp_path, home,
                                                                                   monkeypatch):
    """`UNIFICALLY_OUTPUT_DIR=~` (or `/`, or a relative name resolved in `/`) means "save outputs there", not
    "upload any media file from there": the output dir is a default root under the working directory's rules
    for the filesystem root and the home directory."""
    photo = write(home / "Pictures" / "photo.png")
    monkeypatch.chdir("/")
    for output_dir, expected in ((home, "your home directory"), (Path("/"), "the filesystem root"),
                                 (Path("."), "the filesystem root"), (tmp_path, "contains your home directory")):
        [result] = await upload(make_settings(dirs, allowed_dirs=(), output_dir=output_dir), sim, photo)
        text = text_of(result)
        assert result.is_error and "outside the allowed directories" in text, (output_dir, text)
        assert expected in text and "UNIFICALLY_ALLOWED_DIRS" in text, (output_dir, text)
    assert sent(sim) == []
    [kept] = await upload(make_settings(dirs, allowed_dirs=(), output_dir=home / "ai-outputs"), sim,
                          write(home / "ai-outputs" / "earlier.png"))
    assert not kept.is_error, text_of(kept)  # an ordinary output dir stays a root
    assert sent(sim) == [PNG]
