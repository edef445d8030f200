"""Who is sending a create: enough to prove later that the sender is gone.

A `sending` row records its writer as `host/boot-id/pid` and a lease (the latest moment its create request
can still be in flight: the create timeout plus a margin). At start, a row is abandoned, and becomes
`unknown`, when its writer ran on this machine and either the machine rebooted since or the process no
longer exists, or when its lease has run out (a writer on another machine sharing the journal). A row
another live process is still sending is left alone.
"""

from __future__ import annotations

import os
import socket
from functools import lru_cache
from pathlib import Path

LEASE_MARGIN = 60.0  # seconds beyond the create timeout
ABANDONED = ("the server that was sending this create stopped before the answer arrived; the task may or may "
             "not exist (and be charged): check get_account or the dashboard before creating it again")


@lru_cache(maxsize=1)
def boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "no-boot-id"


def this_writer() -> str:
    return f"{socket.gethostname()}/{boot_id()}/{os.getpid()}"


def writer_gone(writer: str | None) -> bool:
    """True when `writer` provably no longer runs (same host: other boot, or no such process)."""
    if not writer:
        return True  # rows from before writers were recorded: no live sender can own them
    host, _, rest = writer.partition("/")
    boot, _, pid = rest.rpartition("/")
    if host != socket.gethostname():
        return False  # only its lease can tell
    if boot != boot_id():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError, OverflowError):
        return False
    return False
