"""Start-up benchmark: spawn -> `initialize` -> `tools/list` over stdio, ours against the floor.

The floor is a minimal one-tool `MCPServer` (the SDK's high-level server, `bench/floor.py`) in the same venv: what
any Python MCP server on this SDK costs before doing anything. Both run interleaved, `--runs` times each after one
discarded warm-up run each; time is from spawning the process to the `tools/list` answer, peak RSS is the process's
high-water mark (VmHWM) at that moment. Target: ours within 1.3x the floor.

    python bench/startup.py              # writes bench/results/startup.json
    python bench/startup.py --runs 15
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import spread, table, write  # noqa: E402

FLOOR = str(Path(__file__).resolve().parent / "floor.py")
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}}
TARGET = 1.3


def send(process: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
    assert process.stdin is not None
    process.stdin.write((json.dumps(message) + "\n").encode())
    process.stdin.flush()


def answer(process: subprocess.Popen[bytes], request_id: int) -> dict[str, Any]:
    assert process.stdout is not None
    for line in process.stdout:
        message = json.loads(line)
        if message.get("id") == request_id:
            return message
    raise RuntimeError(f"the server exited before answering request {request_id}")


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return kb / 1024 if kb is not None else None


def one_run(command: list[str], env: dict[str, str]) -> tuple[float, float | None, int]:
    """Seconds from spawn to the tools/list answer, peak RSS (MB) then, and how many tools were listed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=env)
    try:
        send(process, INITIALIZE)
        answer(process, 1)
        send(process, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        send(process, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        tools = len(answer(process, 2)["result"]["tools"])
        elapsed = time.perf_counter() - started
        return elapsed, peak_rss_mb(process.pid), tools
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFICALLY_")}
        env["UNIFICALLY_DATA_DIR"] = data  # a journal of its own; no API key needed to list tools
        servers = {"floor (one-tool MCPServer)": [sys.executable, FLOOR],
                   "unifically-mcp": [sys.executable, "-m", "mcp_server", "serve"]}
        samples: dict[str, dict[str, list[float]]] = {name: {"seconds": [], "rss_mb": []} for name in servers}
        tools: dict[str, int] = {}
        for run in range(runs + 1):
            for name, command in servers.items():
                seconds, rss, tools[name] = one_run(command, env)
                if run:  # the first run of each warms the page cache and compiles bytecode
                    samples[name]["seconds"].append(seconds)
                    if rss is not None:
                        samples[name]["rss_mb"].append(rss)
    stats = {name: {what: spread(values) for what, values in sample.items() if values}
             for name, sample in samples.items()}
    floor, ours = stats["floor (one-tool MCPServer)"], stats["unifically-mcp"]
    ratio = ours["seconds"]["median"] / floor["seconds"]["median"]
    rss_ratio = ours["rss_mb"]["median"] / floor["rss_mb"]["median"] if "rss_mb" in ours else None
    rows = []
    for name, stat in stats.items():
        time_ms = stat["seconds"]
        rss = stat.get("rss_mb")
        rows.append([name, tools[name], f"{time_ms['median'] * 1000:.0f}",
                     f"{time_ms['p25'] * 1000:.0f}-{time_ms['p75'] * 1000:.0f}",
                     f"{time_ms['min'] * 1000:.0f}-{time_ms['max'] * 1000:.0f}",
                     f"{rss['median']:.1f}" if rss else "n/a"])
    print(f"Start-up over stdio: spawn -> initialize -> tools/list ({runs} runs each, interleaved)")
    print(table(["server", "tools", "median ms", "p25-p75 ms", "min-max ms", "peak RSS MB"], rows))
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"time ratio ours/floor: {ratio:.2f}x (target <= {TARGET}x: {verdict})"
          + (f"; peak RSS ratio {rss_ratio:.2f}x" if rss_ratio else ""))
    path = write("startup", {"runs": runs, "stats": stats, "tools": tools, "time_ratio": ratio,
                             "rss_ratio": rss_ratio, "target": TARGET})
    print(f"results: {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measured runs per server (after one warm-up each)")
    main(parser.parse_args().runs)
