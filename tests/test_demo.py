"""`unifically-mcp demo`, the newcomer's first command: three real files in under 30 seconds, no key."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def test_demo_saves_an_image_a_video_and_an_audio_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFICALLY_")}
    env["UNIFICALLY_API_KEY"] = "sk-must-not-be-needed-or-sent"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "mcp_server", "demo"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert elapsed < 30
    files = sorted(p for p in (tmp_path / "unifically-demo").iterdir() if p.is_file())
    assert sorted(p.suffix for p in files) == [".mp4", ".png", ".wav"]
    for path in files:
        assert str(path) in done.stdout
    assert "sk-must-not-be-needed-or-sent" not in done.stdout + done.stderr
