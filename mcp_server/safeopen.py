"""Open `root/part/.../name` for reading so that what is opened really lies below `root`, reached without a symlink.

There is no separate "check the path, then open it" step that another process could race. Two strategies:

* **Walk** (POSIX: Linux, macOS): open the root as a directory, then each folder below it relative to the
  previous descriptor (`openat` via `dir_fd`) with `O_DIRECTORY | O_NOFOLLOW`, and the file itself with
  `O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW`. Every step resolves exactly one name inside a directory we
  already hold open, and the kernel refuses a symlink at any step, so swapping a component for a symlink, at any
  moment, makes the open fail instead of leaving the root. `O_NONBLOCK` makes a FIFO open return at once (no
  writer needed) and `O_NOCTTY` keeps a terminal from becoming ours.
* **Open, then verify** (platforms without `dir_fd`, i.e. Windows): open the joined path, then ask the system
  for the descriptor's real path (`GetFinalPathNameByHandleW`; `/proc/self/fd` or `F_GETPATH` where the tests
  exercise this strategy) and require it to be exactly `root/part/.../name`. A symlink or junction anywhere on
  the way, or a swap during the open, yields another real path and the descriptor is closed unread.

Before the final open the entry is looked at without following it (`lstat`), so a symlink, FIFO or device is
refused without being opened in the ordinary case; the descriptor opened next must be that very file (device and
inode), else it was replaced in between (say by a hard link to a file elsewhere) and is closed unread. The
authority is the caller's `fstat` of the returned descriptor (regular file, size) and the strategy above
(location). Raises `Refused` with a reason written for the model.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

FILE_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
              | getattr(os, "O_CLOEXEC", 0))
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0) | _NOFOLLOW
CAN_WALK = os.open in os.supports_dir_fd and bool(_NOFOLLOW) and hasattr(os, "O_DIRECTORY")
SYMLINK_HINT = ("symlinks below the allowed directories are refused (UNIFICALLY_FOLLOW_SYMLINKS=1 follows those "
                "that stay inside them)")


class Refused(Exception):
    """A path that cannot be opened; the message says why."""


def describe_mode(mode: int) -> str:
    kinds = ((stat.S_ISLNK, "a symlink"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((text for test, text in kinds if test(mode)), "not a regular file")


def open_below(root: Path, parts: tuple[str, ...], *, walk: bool = CAN_WALK) -> int:
    """A read-only descriptor of root/parts (parts non-empty, no '.' or '..'); the caller fstat()s and closes it."""
    return _walk(root, parts) if walk else _open_then_verify(root, parts)


def _precheck(name: str, dir_fd: int | None, shown: str) -> os.stat_result:
    """Refuse a symlink or non-regular entry before opening it; what was seen, for `_same_file`."""
    try:
        seen = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as exc:
        raise _refusal(exc, shown) from None
    if stat.S_ISLNK(seen.st_mode):
        raise Refused(f"{_shown(shown)} is a symlink; {SYMLINK_HINT}")
    if not stat.S_ISREG(seen.st_mode):
        raise Refused(f"{_shown(shown)} is {describe_mode(seen.st_mode)}, not a regular file")
    return seen


def _same_file(fd: int, seen: os.stat_result | None, shown: str) -> int:
    """`fd` when it is the file the path check saw (device and inode); else it is closed and refused."""
    if seen is not None:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (seen.st_dev, seen.st_ino):
            os.close(fd)
            raise Refused(f"{_shown(shown)} was replaced while being opened; try again once it stays put")
    return fd


def _walk(root: Path, parts: tuple[str, ...]) -> int:
    fd = _open(str(root), _DIR_FLAGS, None, f"the allowed directory {root}")
    try:
        for index, name in enumerate(parts[:-1]):
            below = _open(name, _DIR_FLAGS, fd, "/".join(parts[:index + 1]))
            os.close(fd)
            fd = below
        seen = _precheck(parts[-1], fd, "/".join(parts))
        return _same_file(_open(parts[-1], FILE_FLAGS | _NOFOLLOW, fd, "/".join(parts)), seen, "/".join(parts))
    finally:
        os.close(fd)


def _open(name: str, flags: int, dir_fd: int | None, shown: str) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR) and _is_link(name, dir_fd):
            raise Refused(f"{_shown(shown)} is a symlink; {SYMLINK_HINT}") from None
        raise _refusal(exc, shown) from None


def _is_link(name: str, dir_fd: int | None) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _refusal(exc: OSError, shown: str) -> Refused:
    if exc.errno == errno.ENOENT:
        return Refused(f"{_shown(shown)} does not exist")
    if exc.errno == errno.ENOTDIR:
        return Refused(f"{_shown(shown)} is not a folder")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Refused(f"permission denied on {_shown(shown)}")
    if exc.errno in (errno.ELOOP, errno.EMLINK):
        return Refused(f"{_shown(shown)} is reached through a symlink; {SYMLINK_HINT}")
    return Refused(f"cannot open {_shown(shown)}: {exc.strerror or exc}")


def _shown(name: str) -> str:
    return name if name.startswith("the ") else repr(name)


def _open_then_verify(root: Path, parts: tuple[str, ...]) -> int:
    expected, shown = os.path.join(root, *parts), "/".join(parts)
    seen = _precheck(expected, None, shown)
    fd = _open(expected, FILE_FLAGS, None, shown)
    try:
        real = fd_path(fd)
    except OSError as exc:
        os.close(fd)
        raise Refused(f"cannot tell where {shown!r} lies: {exc.strerror or exc}") from None
    if os.path.normcase(real) != os.path.normcase(expected):
        os.close(fd)
        raise Refused(f"{shown!r} is reached through a symlink or was replaced while being opened; {SYMLINK_HINT}")
    return _same_file(fd, seen, shown)


def fd_path(fd: int) -> str:
    """The real path of an open descriptor, from the system (never from the name it was opened by)."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return _windows_final_path(fd)
    if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        import fcntl

        raw = fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024))
        return os.fsdecode(raw.split(b"\0", 1)[0])
    return os.readlink(f"/proc/self/fd/{fd}")


def _windows_final_path(fd: int) -> str:  # pragma: no cover - exercised on Windows only
    import ctypes
    import msvcrt
    from ctypes import wintypes

    handle = wintypes.HANDLE(msvcrt.get_osfhandle(fd))
    buffer = ctypes.create_unicode_buffer(32768)
    length = ctypes.windll.kernel32.GetFinalPathNameByHandleW(handle, buffer, len(buffer), 0)
    if not 0 < length < len(buffer):
        raise ctypes.WinError()
    path = buffer.value
    if path.startswith("\\\\?\\UNC\\"):
        return "\\\\" + path[8:]
    return path[4:] if path.startswith("\\\\?\\") else path
