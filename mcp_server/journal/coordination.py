"""How servers sharing one journal share the polling of a task: one poller per task, whichever replica waits.

`watching.TaskWatch` asks its `Coordination` before every status read. This class is the in-process one (used
with the SQLite journal, today's behaviour): every claim is granted, because `Watchers` already runs one poller
per task within the process, and there is nobody else to tell. The PostgreSQL journal's (`postgres_coord`)
grants a lease in the database to one replica at a time, keeps the answer its poller read, and wakes the other
replicas' watches with LISTEN/NOTIFY events:

- `read`: the holder read the task's status (the row holds the answer); followers adopt it;
- `free`: the holder stopped polling (its waiters left); a follower claims the lease at once;
- `poke`: a waiter needs a read no older than `within` seconds (it just arrived, or its budget ends); the
  holder reads unless the last read, or one under way, is that fresh;
- `hint`: a webhook says the task changed; the holder reads now, even if a read is under way.

Durations given to and returned by a coordination are real seconds, measured on the database's clock, so that
replicas whose clocks drift still agree on who holds a lease.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Key = tuple[str, str]  # (owner, task_id)
# (event, key, within): key None is every key (after a reconnect); within: a poke's freshness, in real seconds
Listener = Callable[[str, "Key | None", "float | None"], None]
EVENTS = ("read", "free", "poke", "hint")


@dataclass(frozen=True)
class Seen:
    """What the task's poller last read, as the shared row has it."""

    answer: dict[str, Any] | None = None  # the API's answer (status normalised); None before the first read
    reads: int = 0  # how many reads the row has seen: a follower adopts an answer once
    age: float | None = None  # real seconds since that read
    lease_left: float | None = None  # real seconds until the holder's lease ends; None: nobody holds it


@dataclass(frozen=True)
class Claim:
    held: bool  # this replica is the task's poller until the lease it asked for runs out
    seen: Seen = field(default_factory=Seen)


class Coordination:
    """In-process: every claim granted, nothing stored, nothing to tell."""

    shared = False  # True when other processes poll through the same journal

    async def claim(self, key: Key, seconds: float) -> Claim:
        """Take or renew the poller lease of `key` for `seconds`; not granted while another replica holds it."""
        return Claim(held=True)

    async def release(self, key: Key) -> None:
        """Give the lease up (no waiter left here) and tell the followers (`free`)."""

    async def publish(self, key: Key, answer: dict[str, Any]) -> int | None:
        """Store the answer the holder just read and tell the followers (`read`); returns the row's read count
        (None: nothing stored)."""
        return None

    async def poke(self, key: Key, *, hint: bool = False, within: float | None = None) -> None:
        """Ask whoever holds the lease of `key` for a read no older than `within` real seconds (`poke`; None:
        from now on), or to read now whatever it has (`hint`: a webhook's news)."""

    def listen(self, listener: Listener) -> None:
        """Call `listener(event, key, within)` for every event another replica (or this one) sends."""


def as_key(key: Any) -> Key:
    """A watch key as (owner, task_id): tool calls use that pair; a bare task id belongs to the local user."""
    if isinstance(key, tuple) and len(key) == 2:
        return str(key[0]), str(key[1])
    return "", str(key)
