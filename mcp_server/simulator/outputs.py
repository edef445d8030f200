"""What a completed task returns, per model, following the shapes documented on the model pages.

Documented special shapes mimicked here:
* ``bytedance/seedream-*``: ``output.image_urls`` with 4 images.
* ``xai/grok-imagine-image``: 6 ``image_urls`` for text-to-image, one ``image_url`` when ``image_urls`` is given.
* ``suno-ai/lyrics``: ``output.a`` / ``output.b``, each ``{"text", "title", "tags"}``.
* ``elevenlabs/speech-to-text``: ``output`` = ``{"language_code", "language_probability", "text", "words"}``.
* ``suno-ai/voice``: ``persona_id``, ``name``, ``image_url``, ``styles`` at the top level of ``data``.
* ``suno-ai/custom-model``: ``model_id``, ``name``, ``mv`` (``chirp-custom:<model_id>``) at the top level.
Undocumented but implied by the docs (clip ids feed extend/cover/stems/wav; "multi-output models might
include image_urls"):
* Suno clip models (music, extend, cover, add-vocals, add-instrumental, sound): ``output.clips``, two clips
  each ``{"id", "clip_id", "title", "status", "audio_url", "image_url", "duration", "tags", "mv"}``.
* ``suno-ai/stems`` / ``stems-all``: ``output.clips`` with one clip per stem (``"stem"`` names it).
* ``kuaishou/kling-3.0-image`` with ``count`` > 1: ``output.image_urls`` with ``count`` images.
Everything else: ``{"<kind>_url": ...}``. URLs are ``<base>/files/out-<task_id>-<n>.<ext>`` and serve real
sample media; ids are derived from the task id so repeated polls return identical outputs.
"""

from __future__ import annotations

import uuid
from typing import Any

from .media import EXT_BY_KIND
from .state import TaskRecord

SUNO_CLIP_MODELS = frozenset(
    {
        "suno-ai/music",
        "suno-ai/extend",
        "suno-ai/cover",
        "suno-ai/add-vocals",
        "suno-ai/add-instrumental",
        "suno-ai/sound",
    }
)
STEMS = {
    "suno-ai/stems": ["Vocals", "Instrumental"],
    "suno-ai/stems-all": [
        "Vocals",
        "Backing Vocals",
        "Drums",
        "Bass",
        "Guitar",
        "Keyboard",
        "Percussion",
        "Strings",
        "Synth",
        "FX",
        "Brass",
        "Woodwinds",
    ],
}
SEEDREAM_PREFIX = "bytedance/seedream-"


def derived_id(task: TaskRecord, label: str) -> str:
    """A stable UUID derived from the task id (same on every poll)."""
    return str(uuid.uuid5(uuid.UUID(task.task_id), label))


class OutputBuilder:
    """Builds the fields a completed task adds to ``data`` (normally ``{"output": {...}}``)."""

    def __init__(self, task: TaskRecord, base_url: str) -> None:
        self.task = task
        self.base_url = base_url.rstrip("/")
        self._counter = 0

    def url(self, ext: str) -> str:
        """A fresh absolute URL to a served sample file with extension ``ext``."""
        self._counter += 1
        return f"{self.base_url}/files/out-{self.task.task_id}-{self._counter}.{ext}"

    def completed_fields(self) -> dict[str, Any]:
        """Fields merged into ``data`` next to ``task_id`` and ``status`` when the task is completed."""
        model, task_input = self.task.model, self.task.input
        if model == "suno-ai/voice":
            return self._voice()
        if model == "suno-ai/custom-model":
            model_id = derived_id(self.task, "custom-model")
            return {
                "model_id": model_id,
                "name": task_input.get("name", "custom model"),
                "mv": f"chirp-custom:{model_id}",
            }
        return {"output": self.output()}

    def output(self) -> dict[str, Any]:
        """The ``output`` object for every model except the two with top-level fields."""
        model, task_input = self.task.model, self.task.input
        if model == "suno-ai/lyrics":
            return self._lyrics()
        if model == "elevenlabs/speech-to-text":
            return _transcript()
        if model in SUNO_CLIP_MODELS:
            return {"clips": [self._clip(i, None) for i in range(2)]}
        if model in STEMS:
            return {"clips": [self._clip(i, stem) for i, stem in enumerate(STEMS[model])]}
        if model.startswith(SEEDREAM_PREFIX):
            return {"image_urls": [self.url("png") for _ in range(4)]}
        if model == "xai/grok-imagine-image" and not task_input.get("image_urls"):
            return {"image_urls": [self.url("png") for _ in range(6)]}
        if model == "kuaishou/kling-3.0-image":
            count = task_input.get("count", 1)
            if isinstance(count, int) and count > 1:
                return {"image_urls": [self.url("png") for _ in range(min(count, 4))]}
        kind = self.task.kind
        return {f"{kind}_url": self.url(EXT_BY_KIND[kind])}

    def _clip(self, index: int, stem: str | None) -> dict[str, Any]:
        task_input = self.task.input
        title = str(task_input.get("title") or "Simulated Song")
        clip_id = derived_id(self.task, f"clip-{index}")
        clip: dict[str, Any] = {
            "id": clip_id,
            "clip_id": clip_id,
            "title": f"{title} ({stem})" if stem else title,
            "status": "complete",
            "audio_url": self.url("wav"),
            "image_url": self.url("png"),
            "duration": 1.0,
            "tags": str(task_input.get("tags") or ""),
            "mv": str(task_input.get("mv") or "chirp-crow"),
        }
        if stem:
            clip["stem"] = stem
        return clip

    def _lyrics(self) -> dict[str, Any]:
        prompt = str(self.task.input.get("prompt") or "a song")
        return {
            "a": {
                "text": f"[Verse]\n{prompt}\nSinging it out loud\n[Chorus]\nAll night long",
                "title": "Simulated Lyrics A",
                "tags": ["pop", "simulated"],
            },
            "b": {
                "text": f"[Verse]\nThinking of {prompt}\n[Chorus]\nHere we go again",
                "title": "Simulated Lyrics B",
                "tags": ["rock", "simulated"],
            },
        }

    def _voice(self) -> dict[str, Any]:
        return {
            "persona_id": derived_id(self.task, "persona"),
            "name": self.task.input.get("name", "My Voice"),
            "image_url": self.url("png"),
            "styles": self.task.input.get("styles", ""),
        }


def _transcript() -> dict[str, Any]:
    return {
        "language_code": "eng",
        "language_probability": 0.97,
        "text": "Hello world",
        "words": [
            {"text": "Hello", "start": 0.0, "end": 0.5, "type": "word", "speaker_id": "speaker_0"},
            {"text": " ", "start": 0.5, "end": 0.6, "type": "spacing"},
            {"text": "world", "start": 0.6, "end": 1.0, "type": "word", "speaker_id": "speaker_0"},
        ],
    }
