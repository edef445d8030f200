"""Sample data of the nine ``GET /v1/resources/...`` endpoints.

The first item of each list is the documented sample; the rest are plausible additions. The camera
movements and camera settings shapes are not documented: they follow the motions list (``id``, ``name``,
``preview_url``) and the four settings the docs name (``camera_model_id``, ``camera_lens_id``,
``camera_aperture_id``, ``camera_focal_length_id``).
"""

from __future__ import annotations

import uuid
from typing import Any

MOTIONS = [
    {
        "id": "d2389a9a-91c2-4276-bc9c-c9e35e8fb85a",
        "name": "Gentle Sway",
        "preview_url": "https://example.com/preview.mp4",
    },
    {
        "id": "5b1f0c6e-2a4d-4e8f-9c3b-7d6e5f4a3b21",
        "name": "Slow Zoom",
        "preview_url": "https://example.com/slow-zoom.mp4",
    },
    {
        "id": "8e7d6c5b-4a39-4281-b0c9-d8e7f6a5b4c3",
        "name": "Head Turn",
        "preview_url": "https://example.com/head-turn.mp4",
    },
]

HIGGSFIELD_VOICES = [
    {
        "id": "1YxkwUwGY4H3slvZUBRhXW",
        "name": "Sarah",
        "category": "emotions",
        "preview_url": "https://example.com/preview.mp3",
    },
    {
        "id": "3KpLmNoQrStUvWxYz01234",
        "name": "James",
        "category": "narration",
        "preview_url": "https://example.com/james.mp3",
    },
    {
        "id": "7AbCdEfGhIjKlMnOpQrStU",
        "name": "Mia",
        "category": "emotions",
        "preview_url": "https://example.com/mia.mp3",
    },
]

SOUNDS = [
    {"id": "DwUP9LmFKqHsvvWQkjLE6", "name": "Coffee Shop Ambience", "preview_url": "https://example.com/preview.mp3"},
    {"id": "Rn4TzXw8YpQs2VbMcLkJ9", "name": "Rain on Window", "preview_url": "https://example.com/rain.mp3"},
    {"id": "Hq7GfDs3AwEr5TyUiOpL1", "name": "City Traffic", "preview_url": "https://example.com/traffic.mp3"},
]

CAMERA_MOVEMENTS = [
    {
        "id": "0b6f3c1e-7d2a-4f59-8e41-2c9a5b7d3e10",
        "name": "Dolly In",
        "preview_url": "https://example.com/dolly-in.mp4",
    },
    {
        "id": "4e2d8a7b-1c5f-4b3e-9a6d-8f0c2e4b6a91",
        "name": "Crane Up",
        "preview_url": "https://example.com/crane-up.mp4",
    },
    {
        "id": "9c1a7e5d-3b2f-4d6a-8e0b-5f7c9a1d3e42",
        "name": "Orbit Left",
        "preview_url": "https://example.com/orbit.mp4",
    },
]


def _setting(kind: str, name: str) -> dict[str, str]:
    return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"camera-{kind}-{name}")), "name": name}


CAMERA_SETTINGS = {
    "camera_models": [_setting("model", n) for n in ("ARRI Alexa 35", "RED V-Raptor", "Sony Venice 2")],
    "camera_lenses": [_setting("lens", n) for n in ("Cooke S4/i", "Zeiss Supreme Prime", "Anamorphic 2x")],
    "camera_apertures": [_setting("aperture", n) for n in ("f/1.4", "f/2.8", "f/5.6", "f/11")],
    "camera_focal_lengths": [_setting("focal-length", n) for n in ("18mm", "35mm", "50mm", "85mm")],
}

KLING_VOICES = [
    {"id": 1, "name": "Male Voice 1"},
    {"id": 2, "name": "Female Voice 1"},
    {"id": 3, "name": "Male Voice 2"},
    {"id": 4, "name": "Female Voice 2"},
]

VEO_VOICES = [
    {
        "id": "achernar",
        "name": "Achernar",
        "description": "Female, soft, high pitch",
        "sample": "https://gstatic.com/aistudio/voices/samples/Achernar.wav",
    },
    {
        "id": "achird",
        "name": "Achird",
        "description": "Male, friendly, mid pitch",
        "sample": "https://gstatic.com/aistudio/voices/samples/Achird.wav",
    },
    {
        "id": "algenib",
        "name": "Algenib",
        "description": "Male, gravelly, low pitch",
        "sample": "https://gstatic.com/aistudio/voices/samples/Algenib.wav",
    },
]

ELEVENLABS_VOICES = {
    "voices": [
        {
            "voice_id": "21m00Tcm4TlvDq8ikWAM",
            "name": "Rachel",
            "category": "premade",
            "labels": {"accent": "american", "age": "young", "gender": "female"},
            "preview_url": "https://storage.googleapis.com/eleven-public-prod/premade/voices/rachel.mp3",
        },
        {
            "voice_id": "ErXwobaYiN019PkySvjV",
            "name": "Antoni",
            "category": "premade",
            "labels": {"accent": "american", "age": "young", "gender": "male"},
            "preview_url": "https://storage.googleapis.com/eleven-public-prod/premade/voices/antoni.mp3",
        },
        {
            "voice_id": "EXAVITQu4vr4xnSDxMaL",
            "name": "Bella",
            "category": "premade",
            "labels": {"accent": "american", "age": "young", "gender": "female"},
            "preview_url": "https://storage.googleapis.com/eleven-public-prod/premade/voices/bella.mp3",
        },
    ]
}

VERIFICATION_PHRASES = {
    "en": "Sing a cheerful melody with your clear voice today",
    "zh": "今天用你清澈的声音唱一段欢快的旋律",
    "es": "Canta hoy una melodía alegre con tu voz clara",
    "fr": "Chante aujourd'hui une mélodie joyeuse avec ta voix claire",
    "pt": "Cante hoje uma melodia alegre com a sua voz clara",
    "de": "Sing heute eine fröhliche Melodie mit deiner klaren Stimme",
    "ja": "今日はあなたの澄んだ声で明るいメロディーを歌ってください",
    "ko": "오늘 맑은 목소리로 경쾌한 멜로디를 불러 주세요",
    "hi": "आज अपनी साफ़ आवाज़ में एक खुशनुमा धुन गाइए",
    "ru": "Спойте сегодня весёлую мелодию своим чистым голосом",
}

STATIC_RESOURCES: dict[str, Any] = {
    "/v1/resources/higgsfield-ai/motions": MOTIONS,
    "/v1/resources/higgsfield-ai/voices": HIGGSFIELD_VOICES,
    "/v1/resources/higgsfield-ai/sounds": SOUNDS,
    "/v1/resources/higgsfield-ai/camera-movements": CAMERA_MOVEMENTS,
    "/v1/resources/higgsfield-ai/camera-settings": CAMERA_SETTINGS,
    "/v1/resources/kuaishou/kling/voices": KLING_VOICES,
    "/v1/resources/google/voices/veo-3.1": VEO_VOICES,
    "/v1/resources/elevenlabs/voices": ELEVENLABS_VOICES,
}

VERIFICATION_PHRASE_PATH = "/v1/resources/suno-ai/voice/verification-phrase"


def verification_phrase(language: str) -> dict[str, str] | None:
    """A fresh phrase for ``language`` (``phrase_id``, ``phrase_text``), or None for an unsupported code."""
    text = VERIFICATION_PHRASES.get(language)
    if text is None:
        return None
    return {"phrase_id": str(uuid.uuid4()), "phrase_text": text}
