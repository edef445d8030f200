"""Local files as model inputs: only from the allowed directories, only media, read once and without a race.

A local file given as a model input ends up on a public file host, so a path is read only when the user put it
in reach, and what is uploaded is exactly what was checked. The steps, all in one worker thread:

1. Locate: `~` is expanded, a relative path starts at the working directory (taken at start), `..` is applied
   to the names; the result must lie below an allowed directory (as written in the settings or as resolved once
   at start, `mcp_server.roots`). A path that reaches a root only through symlinks *above* it (macOS `/var` →
   `/private/var`, a symlinked project folder) is located by resolving its folder; a symlink *below* a root is
   refused, unless `follow_symlinks`: then the whole path is resolved and must land inside a root.
2. Hidden: no name below the root may start with '.' (`~/.ssh/id_rsa`, `.env`, `.git/...`) unless `allow_hidden`.
3. Open once, race-free, without following a symlink (`mcp_server.safeopen.open_below`), then check the open
   descriptor with `fstat`: a regular file (a FIFO or device is refused; the open never blocks) whose size is
   above 0 and at most the upload cap.
4. Read from that descriptor only, in chunks, at most size + 1 bytes (a file that grows or shrinks meanwhile is
   refused), stopping between chunks once the call is cancelled. The first bytes must be an image, audio or video
   by content (`mcp_server.media`), not by name: anything else is refused before a byte is sent.

The result is a `LocalFile` holding the bytes: the upload sends those, and nothing is opened by path again.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from mcp_server.errors import FileRejected
from mcp_server.media import HEAD_BYTES, extension_for, sniff_media
from mcp_server.roots import HOW_TO_ALLOW
from mcp_server.safeopen import CAN_WALK, Refused, describe_mode, open_below

if TYPE_CHECKING:
    from mcp_server.settings import Settings

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024


def mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class LocalFile:
    """A checked local file: its bytes, the media type they show, and an upload name with a matching extension."""

    name: str
    mime: str
    content: bytes


class LocalFiles:
    """Reads local files for upload under the rules above; roots are fixed when this is built (at start)."""

    def __init__(self, settings: Settings, *, walk: bool = CAN_WALK) -> None:
        roots = settings.roots
        self.roots, self.cwd_note = roots.paths, roots.cwd_note
        self.cwd = Path(os.getcwd())
        self.cap = settings.max_upload_bytes
        self.allow_hidden, self.follow = settings.allow_hidden, settings.follow_symlinks
        self.walk = walk
        self.enabled = settings.local_files
        pairs = {(root, root) for root in self.roots}
        for given in settings.allowed_dirs or (settings.outputs_dir,):
            resolved = Path(given).expanduser().resolve()
            if resolved in self.roots:
                pairs.add((Path(os.path.normpath(os.path.abspath(os.path.expanduser(given)))), resolved))
        self.aliases = sorted(pairs, key=lambda pair: len(pair[0].parts), reverse=True)  # deepest first
        log.info("local files may be read from: %s%s", ", ".join(map(str, self.roots)),
                 f" ({self.cwd_note})" if self.cwd_note else "")

    async def load(self, raw: str, param: str) -> LocalFile:
        """`read` in a worker thread; a cancelled call returns at once and the thread stops at its next chunk."""
        stop = threading.Event()
        try:
            return await anyio.to_thread.run_sync(self.read, raw, param, stop, abandon_on_cancel=True)
        finally:
            stop.set()

    def read(self, raw: str, param: str, stop: threading.Event | None = None) -> LocalFile:
        if not self.enabled:
            raise FileRejected(f"{param}: this server is hosted and reads no files from its own disk; give a public "
                               "http(s) URL, a data: URI or task:<id>[#n] instead.")
        root, parts = self.locate(raw, param)
        try:
            fd = open_below(root, parts, walk=self.walk)
        except Refused as refused:
            raise FileRejected(f"{param}: cannot use {raw!r}: {refused}.") from None
        try:
            content, mime = self._read(fd, raw, param, stop)
        finally:
            os.close(fd)
        return LocalFile(Path(parts[-1]).stem + extension_for(mime), mime, content)

    # ----- where ---------------------------------------------------------------------------------------------
    def locate(self, raw: str, param: str) -> tuple[Path, tuple[str, ...]]:
        """(allowed root, names below it) for `raw`, or FileRejected."""
        if not raw.strip() or "\0" in raw:
            raise FileRejected(f"{param}: {raw!r} is not a file path, an http(s) URL, a data: URI or task:<id>.")
        lexical = Path(os.path.normpath(os.path.join(self.cwd, os.path.expanduser(raw))))
        found = _below(lexical, self.aliases)
        if found is not None:
            self._check_hidden(found[1], raw, param)
        if self.follow:
            found = _below(Path(os.path.realpath(lexical)), [(root, root) for root in self.roots])
        elif found is None:  # perhaps reached through a symlink above a root: resolve the folder, keep the name
            real = Path(os.path.realpath(lexical.parent)) / lexical.name
            found = _below(real, [(root, root) for root in self.roots])
        if found is None:
            allowed = ", ".join(str(root) for root in self.roots) or "none"
            note = f" ({self.cwd_note})" if self.cwd_note else ""
            raise FileRejected(f"{param}: {raw!r} is outside the allowed directories: {allowed}{note}. To upload "
                               f"it, {HOW_TO_ALLOW}, or move the file into one of them.")
        root, parts = found
        if not parts:
            raise FileRejected(f"{param}: {raw!r} is an allowed directory, not a file.")
        self._check_hidden(parts, raw, param)
        return root, parts

    def _check_hidden(self, parts: tuple[str, ...], raw: str, param: str) -> None:
        hidden = next((name for name in parts if name.startswith(".")), None)
        if hidden is not None and not self.allow_hidden:
            raise FileRejected(f"{param}: {raw!r} is hidden ({hidden!r} starts with '.'); hidden files and folders "
                               "are never uploaded unless UNIFICALLY_ALLOW_HIDDEN=1.")

    # ----- what ----------------------------------------------------------------------------------------------
    def _read(self, fd: int, raw: str, param: str, stop: threading.Event | None) -> tuple[bytes, str]:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRejected(f"{param}: {raw!r} is {describe_mode(info.st_mode)}, not a regular file.")
        size = info.st_size
        if size > self.cap:
            raise FileRejected(f"{param}: {raw!r} is {mb(size)}; the upload limit is {mb(self.cap)} "
                               "(UNIFICALLY_MAX_UPLOAD_MB).")
        if size == 0:
            raise FileRejected(f"{param}: {raw!r} is empty.")
        chunks: list[bytes] = []
        total, mime = 0, None
        while total <= size:  # read at most size + 1 bytes: one more than fstat saw means the file grew
            if stop is not None and stop.is_set():
                raise FileRejected(f"{param}: reading {raw!r} was cancelled.")
            chunk = os.read(fd, min(CHUNK, size + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if mime is None and total >= min(HEAD_BYTES, size):
                mime = sniff_media(b"".join(chunks)[:HEAD_BYTES])
                if mime is None:
                    raise FileRejected(f"{param}: {raw!r} is not an image, audio or video file by its content (its "
                                       "name does not count); only media files are uploaded.")
        if total != size or mime is None:
            raise FileRejected(f"{param}: {raw!r} changed while being read ({size} bytes expected, "
                               f"{'more' if total > size else total} read); try again once it is complete.")
        return b"".join(chunks), mime


def _below(path: Path, aliases: list[tuple[Path, Path]]) -> tuple[Path, tuple[str, ...]] | None:
    """(root, names below it) for the first alias `path` lies under (aliases deepest first)."""
    for alias, root in aliases:
        if path.is_relative_to(alias):
            return root, path.relative_to(alias).parts
    return None


class ReadOnce:
    """One call's view of `LocalFiles`: a path read once (to fingerprint the request) is not read again to
    upload it, so exactly the bytes that were compared are the bytes that are sent."""

    def __init__(self, files: LocalFiles) -> None:
        self.files = files
        self._read: dict[str, LocalFile] = {}

    async def load(self, raw: str, param: str) -> LocalFile:
        if raw not in self._read:
            self._read[raw] = await self.files.load(raw, param)
        return self._read[raw]
