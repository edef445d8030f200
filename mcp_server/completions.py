"""completion/complete: model ids, task ids, output file numbers, prompt arguments and voice ids.

Model ids, languages and the other prompt choices come from the specs, task ids and file numbers from the
local journal: no request is sent for them. Voices are the exception. The specs document no voice enum (the
docs point to GET /v1/resources/elevenlabs/voices), so a voice argument suggests the docs' example voice ids
and, when a key is configured, the account's voice list: fetched once per server, bounded to a few seconds,
and kept for the session. A resource listing creates no task and costs nothing; if it fails, the example ids
are offered and the list is tried again a minute later, never on every keystroke.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
import mcp_types as types

from mcp_server.errors import UnificallyError
from mcp_server.prompts import Prompts
from mcp_server.resources import TEMPLATES
from mcp_server.specs import all_model_ids
from mcp_server.tools.base import Services

MAX_VALUES = 100  # the protocol's cap per answer
VOICE_FETCH_SECONDS = 3.0
RETRY_SECONDS = 60.0
MODEL_TEMPLATE, TASK_TEMPLATE, FILE_TEMPLATE = (template.uri_template for template in TEMPLATES)

Candidates = list[tuple[str, str]]  # (value, label): a value matches by its own text or by its label


class Completer:
    def __init__(self, prompts: Prompts) -> None:
        self.prompts = prompts
        self._voices: dict[str, Candidates] = {}
        self._failed: dict[str, float] = {}
        self._lock = anyio.Lock()

    async def complete(self, services: Services, params: types.CompleteRequestParams) -> types.Completion:
        name, typed = params.argument.name, params.argument.value
        context = (params.context.arguments if params.context else None) or {}
        if isinstance(params.ref, types.ResourceTemplateReference):
            candidates = await self._for_template(services, params.ref.uri, name, context)
        else:
            candidates = await self._for_prompt(services, params.ref.name, name)
        return matching(candidates, typed)

    async def _for_template(self, services: Services, uri: str, name: str, context: dict[str, str]) -> Candidates:
        if uri == MODEL_TEMPLATE and name == "model_id":
            return [(model, "") for model in all_model_ids()]
        if uri in (TASK_TEMPLATE, FILE_TEMPLATE) and name == "task_id":
            rows = await services.journal.list(limit=MAX_VALUES)
            return [(row["task_id"], row["model"]) for row in rows if row["task_id"]]
        if uri == FILE_TEMPLATE and name == "n" and context.get("task_id"):
            row = await services.journal.get(context["task_id"])
            return [(str(n), "") for n in range(1, len((row or {}).get("files") or []) + 1)]
        return []

    async def _for_prompt(self, services: Services, prompt: str, name: str) -> Candidates:
        flow = self.prompts.workflows.get(prompt)
        arg = next((arg for arg in flow.arguments if arg.name == name), None) if flow else None
        if arg is None:
            return []
        if arg.choices:
            return [(choice, "") for choice in arg.choices()]
        documented = [(value, "") for value in arg.suggested]
        listed = await self._voice_list(services, arg.voices) if arg.voices else []
        return documented + [pair for pair in listed if pair[0] not in arg.suggested]

    async def _voice_list(self, services: Services, resource: str) -> Candidates:
        async with self._lock:
            if resource in self._voices or not services.settings.key():
                return self._voices.get(resource, [])
            if time.monotonic() - self._failed.get(resource, -RETRY_SECONDS) < RETRY_SECONDS:
                return []
            data: Any = None
            with anyio.move_on_after(VOICE_FETCH_SECONDS):
                try:
                    data = await services.client.get_resource(resource, None)
                except UnificallyError:
                    data = None
            voices = parse_voices(data)
            if voices:
                self._voices[resource] = voices
            else:
                self._failed[resource] = time.monotonic()
            return voices


def parse_voices(data: Any) -> Candidates:
    """(id, name) pairs of a voice listing: a list of voices, or an object holding one under `voices`."""
    items = data.get("voices") if isinstance(data, dict) else data
    pairs = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and (ident := item.get("voice_id") or item.get("id")) is not None:
            pairs.append((str(ident), str(item.get("name") or "")))
    return pairs


def matching(candidates: Candidates, typed: str) -> types.Completion:
    """Values starting with what was typed (or whose label does), then those containing it; at most 100."""
    typed = typed.casefold()
    starts = [value for value, label in candidates
              if value.casefold().startswith(typed) or label.casefold().startswith(typed)]
    contains = [value for value, label in candidates if value not in starts
                and (typed in value.casefold() or typed in label.casefold())]
    values = list(dict.fromkeys(starts + contains))
    return types.Completion(values=values[:MAX_VALUES], total=len(values), has_more=len(values) > MAX_VALUES)
