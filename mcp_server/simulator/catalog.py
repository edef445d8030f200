"""The simulator's known models: every id documented in the provider docs, with its media kind.

Extracted once from the provider's ``llms-full.txt`` with the regex
``(Model: |"model": ?"|`)[a-z0-9-]+/[a-z0-9.-]+`` (dropping the non-ids ``application/json`` and
``provider/model-name``); the kind is the docs section (image, video or audio models) the id's page is in.
The docs file is not shipped: this list is the source of truth at run time.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["image", "video", "audio"]

# Deterministic per-task price by kind (USD); video matches the documented dry-run example (0.40).
PRICES: dict[str, float] = {"image": 0.04, "video": 0.40, "audio": 0.10}

_IMAGE_MODELS = (
    "alibaba/qwen-image",
    "alibaba/qwen-image-2.0",
    "alibaba/qwen-image-2.0-pro",
    "alibaba/qwen-image-max",
    "alibaba/qwen-image-plus",
    "alibaba/wan-2.2-flash-image",
    "alibaba/wan-2.2-image",
    "alibaba/wan-2.5-image",
    "alibaba/wan-2.6-image",
    "alibaba/wan-2.7-image",
    "alibaba/wan-2.7-pro-image",
    "alibaba/z-image-turbo",
    "black-forest-labs/flux.2-flex",
    "black-forest-labs/flux.2-klein-4b",
    "black-forest-labs/flux.2-klein-9b",
    "black-forest-labs/flux.2-max",
    "black-forest-labs/flux.2-pro",
    "bytedance/seedream-4.0",
    "bytedance/seedream-4.1",
    "bytedance/seedream-4.5",
    "bytedance/seedream-4.6",
    "bytedance/seedream-5.0-lite",
    "google/nano-banana",
    "google/nano-banana-2",
    "google/nano-banana-pro",
    "higgsfield-ai/cinematic-studio-image",
    "kuaishou/kling-2.1-image",
    "kuaishou/kling-3.0-image",
    "kuaishou/kling-3.0-omni-image",
    "kuaishou/kling-o1-image",
    "openai/gpt-image-1",
    "openai/gpt-image-1.5",
    "openai/gpt-image-2",
    "topaz-labs/image-generative",
    "topaz-labs/image-upscale",
    "xai/grok-imagine-image",
)

_VIDEO_MODELS = (
    "alibaba/wan-2.2-flash-video",
    "alibaba/wan-2.2-video",
    "alibaba/wan-2.5-video",
    "alibaba/wan-2.6-flash-video",
    "alibaba/wan-2.6-video",
    "alibaba/wan-2.7-video",
    "alibaba/wan-2.7-video-edit",
    "bytedance/seedance-1.0-fast",
    "bytedance/seedance-1.0-mini",
    "bytedance/seedance-1.0-pro",
    "bytedance/seedance-1.5-pro",
    "bytedance/seedance-2.0-fast",
    "bytedance/seedance-2.0-pro",
    "google/veo-3.1-extend",
    "google/veo-3.1-fast",
    "google/veo-3.1-fast-relaxed",
    "google/veo-3.1-lite",
    "google/veo-3.1-lite-relaxed",
    "google/veo-3.1-quality",
    "google/veo-3.1-upscale",
    "hailuo/minimax-2.0",
    "hailuo/minimax-2.3",
    "hailuo/minimax-2.3-fast",
    "higgsfield-ai/cinematic-studio-video-2.5",
    "higgsfield-ai/cinematic-studio-video-3.0",
    "higgsfield-ai/cinematic-studio-video-3.5",
    "higgsfield-ai/lite",
    "higgsfield-ai/standard",
    "higgsfield-ai/turbo",
    "kuaishou/kling-2.1-master-video",
    "kuaishou/kling-2.1-video",
    "kuaishou/kling-2.5-turbo-video",
    "kuaishou/kling-2.6-motion-control",
    "kuaishou/kling-2.6-video",
    "kuaishou/kling-3.0-motion-control",
    "kuaishou/kling-3.0-omni-video",
    "kuaishou/kling-3.0-omni-video-edit",
    "kuaishou/kling-3.0-video",
    "kuaishou/kling-o1-video",
    "kuaishou/kling-o1-video-edit",
    "topaz-labs/video-upscale",
    "xai/grok-imagine-video",
    "xai/grok-imagine-video-edit",
    "xai/grok-imagine-video-extend",
)

_AUDIO_MODELS = (
    "elevenlabs/sound-effect",
    "elevenlabs/speech-to-text",
    "elevenlabs/text-to-dialogue",
    "elevenlabs/text-to-speech",
    "elevenlabs/voice-isolation",
    "higgsfield-ai/text-to-speech",
    "suno-ai/add-instrumental",
    "suno-ai/add-vocals",
    "suno-ai/cover",
    "suno-ai/custom-model",
    "suno-ai/extend",
    "suno-ai/lyrics",
    "suno-ai/music",
    "suno-ai/sound",
    "suno-ai/stems",
    "suno-ai/stems-all",
    "suno-ai/voice",
    "suno-ai/wav",
)

MODEL_KINDS: dict[str, Kind] = {
    **{model: "image" for model in _IMAGE_MODELS},
    **{model: "video" for model in _VIDEO_MODELS},
    **{model: "audio" for model in _AUDIO_MODELS},
}


def kind_of(model: str) -> Kind | None:
    """Return the media kind of a known model id, or None for an unknown one."""
    return MODEL_KINDS.get(model)


def price_of(model: str, overrides: dict[str, float] | None = None) -> float:
    """Return the simulated cost in USD of one task of a known model (``overrides`` first, then by kind)."""
    if overrides and model in overrides:
        return float(overrides[model])
    return PRICES[MODEL_KINDS[model]]
