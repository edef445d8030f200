"""Hostile local files at the descriptor level: swaps between check and open, FIFOs, devices, growth, cancelling.

Every test runs the reader both ways it can open a file (`walk`: POSIX dir_fd + O_NOFOLLOW, `verify`: open then
check the descriptor's real path, as on Windows); a swap is simulated right after the last look at the path.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import anyio
import pytest

from mcp_server import localfiles, safeopen
from mcp_server.errors import FileRejected
from mcp_server.localfiles import LocalFiles
from mcp_server.uploads import Uploads
from tests.conftest import make_settings

pytestmark = pytest.mark.anyio

PNG = (Path(__file__).parent.parent / "mcp_server/simulator/media/sample.png").read_bytes()
SECRET = PNG + b"-- SECRET --"


@pytest.fixture(params=["walk", "verify"])
def walk(request: pytest.FixtureRequest) -> bool:
    return request.param == "walk"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "private" / "a.png"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


def reader(dirs, walk: bool, **overrides) -> LocalFiles:
    return LocalFiles(make_settings(dirs, **overrides), walk=walk)


def after_the_check(monkeypatch, action) -> None:
    """Run `action` right after the last look at the path, before the file is opened."""
    real = safeopen._precheck

    def then_swap(*args: object) -> object:
        seen = real(*args)
        action()
        return seen

    monkeypatch.setattr(safeopen, "_precheck", then_swap)


def without_the_look(monkeypatch) -> None:
    """Skip the look before opening: the checks on the open descriptor must hold on their own."""
    monkeypatch.setattr(safeopen, "_precheck", lambda *args: None)


def test_a_file_swapped_for_a_symlink_after_the_check_is_refused(dirs, walk, secret, monkeypatch):
    target = dirs["in"] / "a.png"
    target.write_bytes(PNG)

    def swap() -> None:
        target.unlink()
        target.symlink_to(secret)

    after_the_check(monkeypatch, swap)
    with pytest.raises(FileRejected, match="symlink"):
        reader(dirs, walk).read(str(target), "path")


def test_a_file_swapped_for_another_file_after_the_check_is_refused(dirs, walk, secret, monkeypatch):
    """The descriptor must be the very file the path check saw (device and inode): here a hard link to a file
    outside the roots takes the checked name's place between the look and the open."""
    target = dirs["in"] / "a.png"
    target.write_bytes(PNG)

    def swap() -> None:
        target.unlink()
        os.link(secret, target)

    after_the_check(monkeypatch, swap)
    with pytest.raises(FileRejected, match="replaced while being opened"):
        reader(dirs, walk).read(str(target), "path")


def test_a_folder_swapped_for_a_symlink_after_the_check_never_leaks(dirs, walk, secret, monkeypatch):
    folder = dirs["in"] / "sub"
    folder.mkdir()
    (folder / "a.png").write_bytes(PNG)

    def swap() -> None:
        folder.rename(dirs["in"] / "old")
        folder.symlink_to(secret.parent)

    after_the_check(monkeypatch, swap)
    files = reader(dirs, walk)
    if walk:  # the walk holds the folder it checked: it reads the file it saw, not the one behind the new link
        assert files.read(str(folder / "a.png"), "path").content == PNG
    else:
        with pytest.raises(FileRejected, match="symlink"):
            files.read(str(folder / "a.png"), "path")


async def test_fifos_are_refused_without_blocking(dirs, walk, monkeypatch):
    os.mkfifo(dirs["in"] / "pipe.png")
    target = dirs["in"] / "a.png"
    target.write_bytes(PNG)

    def swap() -> None:
        target.unlink()
        os.mkfifo(target)

    files = reader(dirs, walk)
    with anyio.fail_after(5):
        with pytest.raises(FileRejected, match="FIFO"):
            await files.load(str(dirs["in"] / "pipe.png"), "path")
        after_the_check(monkeypatch, swap)
        with pytest.raises(FileRejected, match="FIFO"):
            await files.load(str(target), "path")
        without_the_look(monkeypatch)
        with pytest.raises(FileRejected, match="FIFO"):
            await files.load(str(dirs["in"] / "pipe.png"), "path")


@pytest.mark.parametrize("look", [True, False])
async def test_devices_are_refused_without_reading(dirs, walk, monkeypatch, look):
    if not look:
        without_the_look(monkeypatch)
    files = reader(dirs, walk, allowed_dirs=(Path("/dev"),))
    with anyio.fail_after(5):
        for device in ("/dev/zero", "/dev/null", "/dev/urandom"):
            with pytest.raises(FileRejected, match="character device"):
                await files.load(device, "path")


async def test_the_upload_sends_the_bytes_checked_before_it(dirs, secret):
    class Recorder:
        def __init__(self) -> None:
            self.sent: list[dict] = []

        async def upload(self, **kwargs: object) -> str:
            self.sent.append(kwargs)
            return "https://files.test/a.png"

    recorder = Recorder()
    uploads = Uploads(make_settings(dirs), recorder)  # type: ignore[arg-type]
    path = dirs["in"] / "a.png"
    path.write_bytes(PNG)
    checked = await uploads.prepare(str(path), "image_url")
    path.unlink()
    path.symlink_to(secret)  # swapped after the check: the upload must not open the path again
    await uploads.send(checked)
    assert recorder.sent == [{"content": PNG, "filename": "a.png", "mime": "image/png"}]


def counting_reads(monkeypatch, change=None) -> list[int]:
    """Patch os.read to record how many bytes each call returned and to run `change` after the first."""
    counts: list[int] = []
    real = os.read

    def read(fd: int, size: int) -> bytes:
        data = real(fd, size)
        counts.append(len(data))
        if change is not None and len(counts) == 1:
            change()
        return data

    monkeypatch.setattr(os, "read", read)
    monkeypatch.setattr(localfiles, "CHUNK", 1024)
    return counts


def media_file(dirs, padding: int) -> tuple[Path, int]:
    path = dirs["in"] / "a.png"
    path.write_bytes(PNG + bytes(padding))
    return path, path.stat().st_size


@pytest.mark.parametrize("change, cap_is_size", [("grow", False), ("grow", True), ("shrink", False)])
def test_a_file_changing_during_the_read_is_refused(dirs, walk, monkeypatch, change, cap_is_size):
    path, size = media_file(dirs, 5000)

    def grow() -> None:
        with path.open("ab") as handle:
            handle.write(bytes(1_000_000))

    counts = counting_reads(monkeypatch, grow if change == "grow" else lambda: os.truncate(path, 2000))
    files = reader(dirs, walk, **({"max_upload_bytes": size} if cap_is_size else {}))
    with pytest.raises(FileRejected, match="changed while being read"):
        files.read(str(path), "path")
    assert sum(counts) == (size + 1 if change == "grow" else 2000)  # never past one byte more than fstat saw


def test_the_cap_bounds_what_is_read(dirs, walk, monkeypatch):
    path, size = media_file(dirs, 5000)
    counts = counting_reads(monkeypatch)
    with pytest.raises(FileRejected, match="upload limit"):
        reader(dirs, walk, max_upload_bytes=size - 1).read(str(path), "path")
    assert counts == []  # refused on fstat, before reading
    assert len(reader(dirs, walk, max_upload_bytes=size).read(str(path), "path").content) == size
    (dirs["in"] / "empty.png").write_bytes(b"")
    with pytest.raises(FileRejected, match="is empty"):
        reader(dirs, walk).read(str(dirs["in"] / "empty.png"), "path")


async def test_cancelling_returns_at_once_and_stops_the_reading_thread(dirs, monkeypatch):
    path, _ = media_file(dirs, 200 * 1024)
    counts: list[int] = []
    real = os.read

    def slow_read(fd: int, size: int) -> bytes:
        if threading.current_thread() is not threading.main_thread():
            time.sleep(0.01)
            counts.append(size)
        return real(fd, size)

    monkeypatch.setattr(localfiles, "CHUNK", 1024)
    monkeypatch.setattr(os, "read", slow_read)
    started = time.monotonic()
    with anyio.move_on_after(0.1):
        await LocalFiles(make_settings(dirs)).load(str(path), "path")
    assert time.monotonic() - started < 0.5
    await anyio.sleep(0.1)
    seen = len(counts)
    await anyio.sleep(0.1)
    assert len(counts) == seen < 100  # the thread stopped at its next chunk, far from the file's ~200 chunks
