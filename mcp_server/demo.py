"""`unifically-mcp demo`: a newcomer's first run, with no API key.

Starts `unifically-mcp serve --simulate` as a stdio subprocess (exactly how Claude Desktop runs it), drives it
through the MCP SDK's `Client`, runs one image, one video and one audio task side by side with a live progress
display, and prints where the saved outputs are.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import StdioServerParameters
from mcp.client import Client

JOBS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("image", "generate_image_flux", {"model": "black-forest-labs/flux.2-pro",
                                      "prompt": "A lighthouse on a cliff at dawn, watercolor"}),
    ("video", "generate_video_veo", {"model": "google/veo-3.1-fast",
                                     "prompt": "A cat walking on the beach at sunset", "aspect_ratio": "16:9"}),
    ("audio", "text_to_speech_elevenlabs", {"text": "Hello from the Unifically MCP server demo.",
                                            "voice": "Rachel"}),
)
MODELS = {"text_to_speech_elevenlabs": "elevenlabs/text-to-speech"}


class Board:
    """One status line per job; redrawn in place on a terminal, printed as plain lines otherwise."""

    def __init__(self, names: list[str]) -> None:
        self.lines = {name: "starting" for name in names}
        self.tty = sys.stdout.isatty()
        self.drawn = False
        self.last_plain: dict[str, str] = {}

    def update(self, name: str, text: str) -> None:
        self.lines[name] = text
        if self.tty:
            if self.drawn:
                sys.stdout.write(f"\x1b[{len(self.lines)}F")
            for key, line in self.lines.items():
                sys.stdout.write(f"\x1b[2K  {key:<6} {line}\n")
            self.drawn = True
        elif self.last_plain.get(name) != text.split(" - ")[0]:
            self.last_plain[name] = text.split(" - ")[0]
            sys.stdout.write(f"  {name:<6} {text}\n")
        sys.stdout.flush()


async def run_demo(output_dir: Path, task_seconds: float = 3.0) -> int:
    output_dir = output_dir.expanduser().resolve()
    env = {**os.environ, "UNIFICALLY_SIMULATOR_TASK_SECONDS": str(task_seconds), "UNIFICALLY_LOG_LEVEL": "WARNING",
           "UNIFICALLY_DATA_DIR": str(output_dir / ".unifically")}  # the demo's journal stays in its folder
    env.pop("UNIFICALLY_API_KEY", None)  # the demo never needs, nor sends, a real key
    params = StdioServerParameters(command=sys.executable, args=[
        "-m", "mcp_server", "serve", "--simulate", "--output-dir", str(output_dir), "--wait-seconds", "60"], env=env)
    started = time.monotonic()
    print("unifically-mcp demo: starting the server against the built-in simulator (no API key needed)\n")  # stdout-ok
    results: dict[str, dict[str, Any]] = {}
    async with Client(params) as client:
        tools = await client.list_tools()
        print(f"Connected over stdio: {len(tools.tools)} tools listed. Running 3 tasks:\n")  # stdout-ok
        board = Board([job[0] for job in JOBS])

        async def run(name: str, tool: str, arguments: dict[str, Any]) -> None:
            model = arguments.get("model") or MODELS[tool]

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                board.update(name, message or f"{model}: {progress}")  # the message names the model

            result = await client.call_tool(tool, arguments, progress_callback=on_progress)
            data = result.structured_content or {}
            results[name] = {"error": result.is_error, **data}
            text = result.content[0].text if result.content and hasattr(result.content[0], "text") else ""
            board.update(name, f"{model}: {data.get('status', 'error')}" +
                         ("" if not result.is_error else f" - {text}"))

        async with anyio.create_task_group() as group:
            for name, tool, arguments in JOBS:
                group.start_soon(run, name, tool, arguments)
    print(f"\nDone in {time.monotonic() - started:.1f}s. Outputs saved in {output_dir}:")  # stdout-ok
    failed = 0
    for name, _, _ in JOBS:
        data = results.get(name, {})
        files = data.get("files") or []
        failed += bool(data.get("error") or not files)
        for path in files:
            print(f"  {name:<6} {path}")  # stdout-ok
    print("\nNext: add the server to Claude Desktop or Claude Code (see README) "  # stdout-ok
          "with your UNIFICALLY_API_KEY.")
    return 1 if failed else 0
