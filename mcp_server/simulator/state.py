"""Everything the simulator remembers: tasks (with their lazily computed lifecycle), uploads, balance,
faults and recorded requests."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .catalog import Kind
from .config import RecordedRequest, SimulatorConfig
from .faults import FaultBook

TaskStatus = Literal["pending", "processing", "completed", "failed"]

PENDING_FRACTION = 0.1


@dataclass
class TaskRecord:
    """A task that was really created (dry runs never make one)."""

    task_id: str
    model: str
    kind: Kind
    input: dict[str, Any]
    callback_url: str | None
    cost: float
    duration: float
    created_at: float  # on the simulator's clock
    created_wall: float  # unix time, for reports
    fail_message: str | None = None

    def status_at(self, now: float) -> TaskStatus:
        """Status at clock time ``now``: pending for the first 10 % of the duration, then processing, then
        completed (or failed when a fail_task fault marked it)."""
        elapsed = now - self.created_at
        if elapsed >= self.duration:
            return "failed" if self.fail_message is not None else "completed"
        if elapsed < PENDING_FRACTION * self.duration:
            return "pending"
        return "processing"

    def to_dict(self, now: float) -> dict[str, Any]:
        """Snapshot including the current status (used by ``created_tasks()`` and ``GET /_sim/tasks``)."""
        return {
            "task_id": self.task_id,
            "model": self.model,
            "kind": self.kind,
            "input": self.input,
            "callback_url": self.callback_url,
            "status": self.status_at(now),
            "cost": self.cost,
            "created_at": self.created_wall,
            "fail_message": self.fail_message,
        }


@dataclass
class StoredFile:
    """An uploaded file kept in memory and served at ``/files/<name>``."""

    name: str
    content: bytes
    content_type: str


class SimState:
    """Mutable state shared by the routes, the fault middleware and the ``Simulator`` facade.

    All access happens on one event loop, so no locking is needed.
    """

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.faults = FaultBook()
        self.requests: list[RecordedRequest] = []
        self.tasks: dict[str, TaskRecord] = {}
        self.uploads: dict[str, StoredFile] = {}
        self.balance_usd = config.balance_usd
        self.created_wall = int(time.time())
        self.updated_wall = self.created_wall
        self._generation = self._written = 0
        self._write_lock = threading.Lock()
        self.load()

    def load(self) -> None:
        """Read the tasks saved at ``config.state_path`` (a missing or unreadable file means none)."""
        path = self.config.state_path
        try:
            saved = json.loads(path.read_text(encoding="utf-8")) if path else []
        except (OSError, ValueError):
            saved = []
        for item in saved:
            task = TaskRecord(**item)
            self.tasks[task.task_id] = task

    def snapshot(self) -> tuple[int, str]:
        """The tasks as JSON, numbered; taken on the event loop, written by ``write`` in a worker thread."""
        self._generation += 1
        return self._generation, json.dumps([asdict(task) for task in self.tasks.values()])

    def write(self, snapshot: tuple[int, str]) -> None:
        """Write a snapshot to ``config.state_path`` atomically; an older snapshot never replaces a newer one."""
        generation, payload = snapshot
        path = self.config.state_path
        if path is None:
            return
        with self._write_lock:
            if generation <= self._written:
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
            tmp.write_text(payload, encoding="utf-8")
            os.replace(tmp, path)
            self._written = generation

    def now(self) -> float:
        """Current time on the configured clock."""
        return self.config.clock()

    def reset(self) -> None:
        """Forget tasks, uploads, faults and requests; restore the starting balance."""
        self.faults.clear()
        self.requests.clear()
        self.tasks.clear()
        self.uploads.clear()
        self.balance_usd = self.config.balance_usd
        self.updated_wall = int(time.time())

    def create_task(
        self, model: str, kind: Kind, task_input: dict[str, Any], callback_url: str | None, cost: float
    ) -> TaskRecord:
        """Deduct ``cost``, apply any matching fail_task fault, and store a new task."""
        self.balance_usd = round(self.balance_usd - cost, 6)
        self.updated_wall = int(time.time())
        failure = self.faults.take_task_failure(model)
        task = TaskRecord(
            task_id=str(uuid.uuid4()),
            model=model,
            kind=kind,
            input=task_input,
            callback_url=callback_url,
            cost=cost,
            duration=self.config.duration_for(model),
            created_at=self.now(),
            created_wall=time.time(),
            fail_message=failure.effective_message if failure is not None else None,
        )
        self.tasks[task.task_id] = task
        return task

    def created_tasks(self) -> list[dict[str, Any]]:
        """Snapshots of every created task, oldest first."""
        now = self.now()
        return [task.to_dict(now) for task in self.tasks.values()]

    def store_upload(self, content: bytes, content_type: str, ext: str) -> StoredFile:
        """Keep uploaded bytes under a fresh ``<uuid>.<ext>`` name."""
        stored = StoredFile(name=f"{uuid.uuid4()}.{ext}", content=content, content_type=content_type)
        self.uploads[stored.name] = stored
        return stored
