"""Saved outputs read back (previews, resource listings, resources/read) from a hostile output folder: a name
replaced by a FIFO, a device, a symlink out of the folder or a file grown huge never blocks, leaks or bloats."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import anyio
import pytest
from mcp.client import Client

from mcp_server.server import build_server
from tests.conftest import make_settings, make_sim, text_of

pytestmark = pytest.mark.anyio

FLUX = {"model": "black-forest-labs/flux.2-pro", "input": {"prompt": "x"}, "wait_seconds": 30}


def unblock_later(fifo: Path, after: float) -> threading.Event:
    """From `after` seconds on, keep opening the FIFO for writing, so that readers blocked on it (the bug) are
    let go one after the other; until the returned event is set."""
    stop = threading.Event()

    def run() -> None:
        stop.wait(after)
        while not stop.wait(0.1):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass  # nobody is blocked reading it: the fix

    threading.Thread(target=run, daemon=True).start()
    return stop


@pytest.mark.parametrize("replacement", ["fifo", "device", "symlink out", "not media", "huge"])
async def test_a_saved_file_replaced_behind_our_back_is_never_served(dirs, tmp_path, replacement):
    secret = tmp_path / "secret.txt"
    secret.write_text("-- SECRET --")
    stop = threading.Event()
    settings = make_settings(dirs, max_resource_bytes=64 * 1024)
    async with Client(build_server(settings, make_sim(task_seconds=0.5).transport())) as client:
        created = await client.call_tool("create_task", FLUX)
        task_id, [saved] = created.structured_content["task_id"], created.structured_content["files"]
        os.unlink(saved)
        if replacement == "fifo":
            os.mkfifo(saved)
            stop = unblock_later(Path(saved), 3.0)
        elif replacement == "device":
            os.symlink("/dev/null", saved)  # /dev/zero: the same, but main would read it until memory ran out
        elif replacement == "symlink out":
            os.symlink(secret, saved)
        else:
            Path(saved).write_bytes(b"-- SECRET --" * (1 if replacement == "not media" else 100_000))
        started = time.monotonic()
        try:
            with anyio.fail_after(20):
                again = await client.call_tool("get_task", {"task_id": task_id})
                listed = await client.list_resources()
                with pytest.raises(Exception) as refused:
                    await client.read_resource(f"unifically://tasks/{task_id}/files/1")
        finally:
            stop.set()
        assert time.monotonic() - started < 2.0  # nothing waited for a writer to come to the FIFO
    assert again.structured_content["status"] == "completed" and "SECRET" not in str(again)
    assert "SECRET" not in str(listed) and "SECRET" not in str(refused.value)
    assert "no longer" in str(refused.value) or "larger than" in str(refused.value), str(refused.value)
    assert text_of(again)
