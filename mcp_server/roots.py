"""Which directories local files may be read from (and uploaded to a public file host), decided once at start.

Directories configured with `UNIFICALLY_ALLOWED_DIRS` / `--allowed-dir` are used as given. Otherwise the output
dir is a root, and the working directory is one too only when it is a real project folder, because MCP hosts
such as Claude Desktop and Cline start servers in `/`, where "the current directory" would mean every file on
the machine. The working directory counts as a project folder when all of these hold:

1. it is not a filesystem root (`/`, `C:\\`);
2. it is not the home directory, nor a folder that contains it (`/home`, `/Users`);
3. it is not inside a system folder (`/etc`, `/usr`, `/var`, `/opt`, ..., `/System`, `/Library`,
   `C:\\Windows`, `C:\\Program Files`, ...);
4. it, or a folder above it, holds a project marker (`.git`, `pyproject.toml`, `package.json`, ...); the search
   stops below the home directory (a dotfiles repository in `~` makes no project of every folder) and below the
   filesystem root.

The output dir is a default root so that earlier outputs can feed the next task, but only under the first two
rules: `UNIFICALLY_OUTPUT_DIR=~` (or `/`, or a relative name resolved in `/`) says where to save outputs, not
that every media file in the home directory may be uploaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_MARKERS = (".git", ".hg", ".svn", "pyproject.toml", "setup.py", "setup.cfg", "package.json", "Cargo.toml",
                   "go.mod", "pom.xml", "build.gradle", "build.gradle.kts", "Gemfile", "composer.json", "deno.json",
                   "CMakeLists.txt", "mix.exs", "Package.swift", ".project-root")
_POSIX_SYSTEM = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/run",
                 "/sbin", "/snap", "/sys", "/usr", "/var",  # Linux (FHS)
                 "/System", "/Library", "/Applications", "/private", "/cores")  # macOS
_WINDOWS_SYSTEM = ("SystemRoot", "windir", "ProgramFiles", "ProgramFiles(x86)", "ProgramW6432", "ProgramData")
HOW_TO_ALLOW = "allow a folder with UNIFICALLY_ALLOWED_DIRS or --allowed-dir"


@dataclass(frozen=True)
class Roots:
    """The allowed directories (resolved, no duplicates) and, when the working directory is left out by
    default, why (for the error a refused path gets)."""

    paths: tuple[Path, ...]
    cwd_note: str | None = None  # every default left out, with the reason (the name is kept for its readers)


def system_dirs() -> tuple[Path, ...]:
    if os.name == "nt":
        found = (os.environ.get(name, "") for name in _WINDOWS_SYSTEM)
        return tuple(Path(value) for value in found if value)
    return tuple(Path(name) for name in _POSIX_SYSTEM)


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no HOME and no password entry
        return None


def too_wide(folder: Path, home: Path | None) -> str | None:
    """Why a (resolved) folder is too wide to be a default root: a filesystem root, the home directory or a folder
    containing it; None otherwise."""
    if folder.parent == folder:
        return "it is the filesystem root"
    if home is not None and home.is_relative_to(folder):
        return "it is your home directory" if folder == home else "it contains your home directory"
    return None


def cwd_refusal(cwd: Path, home: Path | None) -> str | None:
    """Why the (resolved) working directory is not a project folder, or None when it is one."""
    if wide := too_wide(cwd, home):
        return wide
    for system in system_dirs():
        if cwd.is_relative_to(system) or cwd.is_relative_to(system.resolve()):
            return f"it is inside the system folder {system}"
    stop = home if home is not None and cwd.is_relative_to(home) else None
    for folder in (cwd, *cwd.parents):
        if folder == stop or folder.parent == folder:
            break
        if any(os.path.lexists(folder / marker) for marker in PROJECT_MARKERS):
            return None
    return "it is not inside a project (no .git, pyproject.toml, package.json, ... in it or above it)"


def allowed_roots(configured: tuple[Path, ...], outputs_dir: Path, cwd: Path | None = None,
                  home: Path | None = None) -> Roots:
    """The configured directories, else the output dir (unless too wide) plus the working directory when it is a
    project."""
    if configured:
        return Roots(_resolved(configured))
    home = home if home is not None else _home()
    cwd = (cwd or Path.cwd()).resolve()
    outputs = Path(outputs_dir).expanduser().resolve()
    kept: list[Path] = []
    notes: list[str] = []
    for what, folder, refusal in (("working directory", cwd, cwd_refusal(cwd, home)),
                                  ("output dir", outputs, too_wide(outputs, home))):
        if refusal is None:
            kept.append(folder)
        else:
            notes.append(f"the {what} {folder} is not allowed by default: {refusal}")
    return Roots(_resolved(tuple(kept)), "; ".join(notes) or None)


def _resolved(dirs: tuple[Path, ...]) -> tuple[Path, ...]:
    return tuple(dict.fromkeys(Path(d).expanduser().resolve() for d in dirs))
