"""Reading back the output files this server saved (previews, resource listings, `resources/read`).

A saved file is named by the journal, and it sits in the user's output folder: by the time it is read back the
name may be a FIFO (whose plain open blocks a worker thread until a writer comes), a device, a symlink to
anything, or a file grown far beyond what was saved. So it is opened once without following a symlink and
without blocking (`O_NOFOLLOW | O_NONBLOCK`), checked on the descriptor (a regular file), and read from that
descriptor only, at most the bytes asked for, in a worker thread. Anything else is an `OSError`, which every
caller already treats as "the file is gone".
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import anyio

FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
         | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
CHUNK = 1024 * 1024


def read_saved(path: str | Path, limit: int) -> tuple[bytes, int]:
    """(at most the first `limit` bytes, the size) of a saved regular file; OSError for anything else."""
    fd = os.open(path, FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        chunks: list[bytes] = []
        left = min(limit, info.st_size)
        while left > 0 and (chunk := os.read(fd, min(left, CHUNK))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks), info.st_size
    finally:
        os.close(fd)


async def load_saved(path: str | Path, limit: int) -> tuple[bytes, int]:
    """`read_saved` in a worker thread (it never blocks on the file itself, so it is never abandoned)."""
    return await anyio.to_thread.run_sync(read_saved, path, limit)
