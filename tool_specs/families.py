"""Which model ids form one MCP tool, what the tool is called, and how it is described.

A family is a set of models that share a documentation page, a parameter table or a product line.
Names are short, lowercase and verb-first with the family last (``generate_video_kling``). Each blurb is
the model-visible purpose of the tool (one or two sentences); terse per-model notes follow it.
Everything here is data; ``build.py`` turns it into specs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Family:
    """One typed MCP tool."""

    tool: str
    toolset: str
    title: str
    blurb: str
    models: tuple[str, ...]
    notes: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def output_of(self, model_id: str) -> str:
        """Media kind of a model's result (defaults to the toolset's kind)."""
        return self.outputs.get(model_id, self.toolset)


# Ids that appear in the docs but have no page (no parameters to type): reachable only via create_task.
EXCLUDED = {
    "topaz-labs/image-generative": "listed under Available Models but has no page, parameter table or example",
}

# Parameter names clear from name + enum/range alone: the tool schema gives them no description text.
OBVIOUS = {"prompt", "seed", "aspect_ratio", "resolution", "duration", "negative_prompt", "title", "text",
           "image_urls", "image_url", "video_url", "audio_url", "task_id", "clip_id", "start_image_url",
           "end_image_url", "start_frame_url", "end_frame_url", "first_frame_url", "last_frame_url", "name",
           "quality", "genre", "fps", "sharpen", "denoise", "focus", "stability", "loop", "watermark",
           "description", "prompt_extend", "enable_nsfw", "enable_pro", "upsample_prompt", "enhance_prompt",
           "prompt_optimization", "prompt_upsampling", "generate_audio", "native_audio", "keep_audio", "audio",
           "language_code", "style", "speed", "similarity_boost", "camera_model_id", "camera_lens_id",
           "camera_aperture_id", "camera_focal_length_id", "face_enhancement", "make_instrumental", "tags",
           "negative_tags", "diarize", "temperature", "mode", "count", "voice_id", "sound_id", "model_id",
           "output_format", "mv", "voice", "phrase_id", "voice_audio_url", "verification_audio_url",
           "vocal_start_s", "vocal_end_s", "bpm", "key", "num_speakers", "reference_mode", "video_mode",
           "character_orientation", "video_preset", "start_s", "end_s", "prompt_influence", "tag_audio_events",
           "color_palette", "lighting", "camera_moveset_style", "ratio", "diarization_threshold",
           "voice_settings", "keyterms", "timestamps_granularity", "upscale_factor", "enhancement_model",
           "frame_interpolation", "type", "singer_skill_level", "thinking_mode", "audio_setting", "motion_id"}

_VEO_GENERATE = ("google/veo-3.1-fast", "google/veo-3.1-fast-relaxed", "google/veo-3.1-quality", "google/veo-3.1-lite",
                 "google/veo-3.1-lite-relaxed")

# Page title -> heading -> the model ids that heading's tables and text apply to (and that a model's page keeps).
SECTION_MODELS: dict[str, dict[str, tuple[str, ...]]] = {
    "Veo 3.1": {
        **dict.fromkeys(("Video Modes", "Generate Parameters", "Text-to-Video", "Quality Model",
                         "Frame Mode (Image-to-Video)", "Reference Mode (Fast & Lite Models)"), _VEO_GENERATE),
        "Extend": ("google/veo-3.1-extend",),
        "Upscale": ("google/veo-3.1-upscale",),
    },
    "Kling v2.1": {
        "Kling v2.1": ("kuaishou/kling-2.1-video",),
        "Kling v2.1 Master": ("kuaishou/kling-2.1-master-video",),
    },
}

_V, _I, _A = "video", "image", "audio"

FAMILIES: tuple[Family, ...] = (
    # ---- image ----
    Family("generate_image_gpt", _I, "GPT Image", "OpenAI GPT Image text-to-image; image_urls as references.",
           ("openai/gpt-image-1", "openai/gpt-image-1.5", "openai/gpt-image-2")),
    Family("generate_image_nano_banana", _I, "Nano Banana", "Google Nano Banana (Gemini) image generation/editing.",
           ("google/nano-banana", "google/nano-banana-pro", "google/nano-banana-2")),
    Family("generate_image_flux", _I, "Flux.2",
           "Black Forest Labs Flux.2 text-to-image with optional reference images.",
           ("black-forest-labs/flux.2-pro", "black-forest-labs/flux.2-flex", "black-forest-labs/flux.2-max",
            "black-forest-labs/flux.2-klein-9b", "black-forest-labs/flux.2-klein-4b")),
    Family("generate_image_seedream", _I, "SeeDream", "ByteDance SeeDream image generation; 4 images per call.",
           ("bytedance/seedream-5.0-lite", "bytedance/seedream-4.6", "bytedance/seedream-4.5",
            "bytedance/seedream-4.1", "bytedance/seedream-4.0")),
    Family("generate_image_kling", _I, "Kling image",
           "Kling text/reference-to-image; use @Image1.. in prompt for image_urls.",
           ("kuaishou/kling-o1-image", "kuaishou/kling-3.0-omni-image", "kuaishou/kling-3.0-image")),
    Family("restyle_image_kling", _I, "Kling v2.1 image",
           "Kling v2.1 reference image generation: restyle, portrait, character, or elements (2-4 images).",
           ("kuaishou/kling-2.1-image",)),
    Family("generate_image_cinematic_studio", _I, "Cinematic Studio image",
           "Higgsfield cinematic stills with camera body, lens, focal length and aperture presets.",
           ("higgsfield-ai/cinematic-studio-image",)),
    Family("generate_image_qwen", _I, "Qwen Image",
           "Alibaba Qwen Image: text-to-image, or editing when image_urls is given.",
           ("alibaba/qwen-image-2.0-pro", "alibaba/qwen-image-2.0", "alibaba/qwen-image-max",
            "alibaba/qwen-image-plus", "alibaba/qwen-image")),
    Family("generate_image_z_image", _I, "Z-Image Turbo", "Alibaba Z-Image Turbo: fast text-to-image only.",
           ("alibaba/z-image-turbo",)),
    Family("generate_image_wan", _I, "Wan image",
           "Alibaba Wan image: text-to-image, or editing when image_urls is given.",
           ("alibaba/wan-2.7-pro-image", "alibaba/wan-2.7-image", "alibaba/wan-2.6-image", "alibaba/wan-2.5-image",
            "alibaba/wan-2.2-image", "alibaba/wan-2.2-flash-image")),
    Family("generate_image_grok", _I, "Grok Imagine image",
           "xAI Grok Imagine: text-to-image (6 images) or edit mode when image_urls is given.",
           ("xai/grok-imagine-image",)),
    Family("upscale_image_topaz", _I, "Topaz image upscale", "Topaz AI image upscaling/enhancement up to 16x.",
           ("topaz-labs/image-upscale",)),
    # ---- video ----
    Family("generate_video_veo", _V, "Veo 3.1",
           "Google Veo 3.1 text/image-to-video. Frame mode (start_image_url[+end_image_url]) or reference mode "
           "(reference_image_urls[+voice]), never both.",
           ("google/veo-3.1-fast", "google/veo-3.1-fast-relaxed", "google/veo-3.1-quality", "google/veo-3.1-lite",
            "google/veo-3.1-lite-relaxed")),
    Family("extend_video_veo", _V, "Veo 3.1 extend",
           "Extend a completed Veo video (task_id); model picks the Veo variant. Aspect ratio is inherited.",
           ("google/veo-3.1-extend",)),
    Family("upscale_video_veo", _V, "Veo 3.1 upscale", "Upscale a completed Veo video (task_id) to 1080p or 4k.",
           ("google/veo-3.1-upscale",)),
    Family("generate_video_hailuo", _V, "Minimax Hailuo",
           "MiniMax Hailuo text/image-to-video; prompt or start_image_url.",
           ("hailuo/minimax-2.0", "hailuo/minimax-2.3", "hailuo/minimax-2.3-fast"),
           notes={"hailuo/minimax-2.0": "512p needs start_image_url"}),
    Family("generate_video_higgsfield", _V, "Higgsfield video",
           "Higgsfield image-to-video with motion presets.",
           ("higgsfield-ai/lite", "higgsfield-ai/turbo", "higgsfield-ai/standard")),
    Family("generate_video_cinematic_studio", _V, "Cinematic Studio video",
           "Higgsfield Cinematic Studio video with genres and camera presets. 2.5/3.0: shot_mode multi_shot_manual "
           "takes multi_shots, other modes need prompt.",
           ("higgsfield-ai/cinematic-studio-video-3.5", "higgsfield-ai/cinematic-studio-video-3.0",
            "higgsfield-ai/cinematic-studio-video-2.5")),
    Family("generate_video_kling", _V, "Kling video",
           "Kling text/image-to-video (start/end frames).",
           ("kuaishou/kling-3.0-video", "kuaishou/kling-2.6-video", "kuaishou/kling-2.5-turbo-video",
            "kuaishou/kling-2.1-video", "kuaishou/kling-2.1-master-video"),
           notes={"kuaishou/kling-3.0-video": "prompt or multi_shots",
                  "kuaishou/kling-2.6-video": "native_audio excludes end_frame_url"}),
    Family("generate_video_kling_omni", _V, "Kling Omni video",
           "Kling Omni/O1 video. No video_mode: text only. elements: image_urls/elements (@Image1, @Element1). "
           "start_end_frame: start_frame_url. transform/video_reference: video_url.",
           ("kuaishou/kling-3.0-omni-video", "kuaishou/kling-o1-video")),
    Family("edit_video_kling", _V, "Kling video edit",
           "Kling Omni/O1 video edit of video_url; duration follows the source.",
           ("kuaishou/kling-3.0-omni-video-edit", "kuaishou/kling-o1-video-edit")),
    Family("transfer_motion_kling", _V, "Kling motion control",
           "Kling motion control: move the character of image_url like the motion in video_url.",
           ("kuaishou/kling-3.0-motion-control", "kuaishou/kling-2.6-motion-control")),
    Family("generate_video_seedance", _V, "SeeDance",
           "ByteDance SeeDance video. mode first_last_frame needs first_frame_url, omni_reference needs "
           "references, multi_frame needs frames (one with image_url).",
           ("bytedance/seedance-2.0-fast", "bytedance/seedance-2.0-pro", "bytedance/seedance-1.5-pro",
            "bytedance/seedance-1.0-pro", "bytedance/seedance-1.0-mini", "bytedance/seedance-1.0-fast")),
    Family("generate_video_wan", _V, "Wan video", "Alibaba Wan video by mode (t2v default).",
           ("alibaba/wan-2.7-video", "alibaba/wan-2.6-video", "alibaba/wan-2.6-flash-video", "alibaba/wan-2.5-video",
            "alibaba/wan-2.2-video", "alibaba/wan-2.2-flash-video"),
           notes={"alibaba/wan-2.7-video": "i2v: first_frame_url or video_url; r2v: reference_*_urls",
                  "alibaba/wan-2.6-video": "i2v: start_image_url; r2v: video_urls, no seed",
                  "alibaba/wan-2.6-flash-video": "as 2.6"}),
    Family("edit_video_wan", _V, "Wan video edit",
           "Alibaba Wan 2.7 edit/style transfer of video_url (2-10s), optional reference images.",
           ("alibaba/wan-2.7-video-edit",)),
    Family("generate_video_grok", _V, "Grok Imagine video", "xAI Grok Imagine text/image-to-video.",
           ("xai/grok-imagine-video",)),
    Family("edit_video_grok", _V, "Grok Imagine video edit",
           "xAI Grok Imagine edit of video_url (max 8.7s); output keeps its duration/ratio, max 720p.",
           ("xai/grok-imagine-video-edit",)),
    Family("extend_video_grok", _V, "Grok Imagine video extend",
           "Extend a completed Grok video (task_id): preset mode (video_preset) or custom mode "
           "(prompt, extend_at, extend_duration all required).",
           ("xai/grok-imagine-video-extend",)),
    Family("upscale_video_topaz", _V, "Topaz video upscale",
           "Topaz AI video upscaling with enhancement models and frame interpolation.",
           ("topaz-labs/video-upscale",)),
    # ---- audio ----
    Family("generate_music_suno", _A, "Suno music",
           "Suno song generation: simple mode (custom=false, gpt_description_prompt) or custom mode "
           "(custom=true, prompt=lyrics, tags).",
           ("suno-ai/music",)),
    Family("edit_music_suno", _A, "Suno audio operations",
           "Suno operations on an existing clip_id or audio_url: extend, cover, add vocals, add instrumental.",
           ("suno-ai/extend", "suno-ai/cover", "suno-ai/add-vocals", "suno-ai/add-instrumental")),
    Family("separate_stems_suno", _A, "Suno stems", "Split a Suno clip into vocals+instrumental or all stems.",
           ("suno-ai/stems", "suno-ai/stems-all")),
    Family("generate_lyrics_suno", _A, "Suno lyrics", "Suno lyrics from a description (returns two variants).",
           ("suno-ai/lyrics",), outputs={"suno-ai/lyrics": "text"}),
    Family("export_wav_suno", _A, "Suno WAV export", "Export a Suno clip as WAV.", ("suno-ai/wav",)),
    Family("generate_sound_suno", _A, "Suno sound", "Suno sound effects or loops (not music).", ("suno-ai/sound",)),
    Family("create_voice_suno", _A, "Suno voice",
           "Create a Suno voice persona from a recording plus a verification recording.",
           ("suno-ai/voice",), outputs={"suno-ai/voice": "data"}),
    Family("train_model_suno", _A, "Suno custom model",
           "Train a Suno custom model on 6-24 tracks; use its mv in generate_music_suno.",
           ("suno-ai/custom-model",), outputs={"suno-ai/custom-model": "data"}),
    Family("text_to_speech_higgsfield", _A, "Higgsfield TTS",
           "Higgsfield text-to-speech.", ("higgsfield-ai/text-to-speech",)),
    Family("text_to_speech_elevenlabs", _A, "ElevenLabs TTS", "ElevenLabs text-to-speech.",
           ("elevenlabs/text-to-speech",)),
    Family("text_to_dialogue_elevenlabs", _A, "ElevenLabs dialogue",
           "ElevenLabs eleven_v3 multi-voice dialogue; [emotion] tags in text.", ("elevenlabs/text-to-dialogue",)),
    Family("generate_sound_elevenlabs", _A, "ElevenLabs sound effect", "ElevenLabs sound effect from text.",
           ("elevenlabs/sound-effect",)),
    Family("isolate_voice_elevenlabs", _A, "ElevenLabs voice isolation",
           "Remove music and noise from audio_url, keeping the voice.", ("elevenlabs/voice-isolation",)),
    Family("speech_to_text_elevenlabs", _A, "ElevenLabs speech-to-text",
           "ElevenLabs Scribe transcription with timestamps, diarization and entity detection.",
           ("elevenlabs/speech-to-text",), outputs={"elevenlabs/speech-to-text": "text"}),
)
