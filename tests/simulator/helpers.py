"""Constants and helpers shared by the simulator tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2

from mcp_server.simulator import FakeClock

API_KEY = "sk-test-123"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parents[2]


def is_loopback(client: httpx2.AsyncClient) -> bool:
    return str(client.base_url).startswith("http://127.0.0.1:")


async def create(client: httpx2.AsyncClient, model: str, task_input: dict[str, Any] | None = None, **extra: Any) -> str:
    response = await client.post("/v1/tasks", json={"model": model, "input": task_input or {"prompt": "x"}, **extra})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {"success": True, "code": 200, "data": {"task_id": body["data"]["task_id"], "status": "pending"}}
    return body["data"]["task_id"]


async def completed_output(
    client: httpx2.AsyncClient, clock: FakeClock, model: str, task_input: dict[str, Any]
) -> dict[str, Any]:
    task_id = await create(client, model, task_input)
    clock.advance(11)
    data = (await client.get(f"/v1/tasks/{task_id}")).json()["data"]
    assert data["status"] == "completed", data
    return data


def error_message(response: httpx2.Response, status: int) -> str:
    """Assert the error envelope and return its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["code"] == status
    assert isinstance(body["data"]["request_id"], str)
    return body["data"]["message"]
