"""Curation: every deliberate deviation from what the parsers read, as data with a one-line reason.

Precedence rule: a model's own page wins over the "## Model Parameters" summary tables (that is applied
without entries here; the disagreements are listed in the README). Entries below cover what tables alone
cannot express or get wrong: cross-field rules stated in prose, truncated enums, examples that contradict
their own page, limits documented only in the summary.

Actions (``field`` is a dotted schema path; ``a[]`` is the item schema of array ``a``):

* ``set`` — merge ``value`` (schema keywords) into the field's schema
* ``unset`` — remove the keywords listed in ``value``
* ``widen_enum`` — add the values in ``value`` to the field's enum
* ``open_enum`` — drop a truncated/non-exhaustive enum (the known values go into the description)
* ``allow_pattern`` — accept strings matching ``value["pattern"]`` besides the enum (``value["description"]``
  says what such a value is, for error messages)
* ``add_field`` — add the field with schema ``value`` (documented elsewhere than the table)
* ``drop_field`` — remove the field from the model's schema
* ``require`` — ``value`` True/False: make the field required / optional
* ``add_rule`` — append the rule ``value`` (kinds: see ``mcp_server.validation``; an optional ``note`` is a
  clause the error message adds when the rule's own sentence would not say enough)
* ``drop_rule`` — remove derived rules whose keys match ``value``
* ``refuse_example`` — examples whose input contains ``value`` are kept as refused (must fail validation)
* ``note`` — a contradiction resolved without a schema change (documented only)
* ``unenforced`` — doc sentences (``value``: a regex searched in them; ``field``: the parameter, empty for
  any) that state something the server deliberately does not check; ``reason`` says why (see
  ``tool_specs/claims.py``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACTIONS = ("set", "unset", "widen_enum", "open_enum", "allow_pattern", "add_field", "drop_field", "require",
           "add_rule", "drop_rule", "refuse_example", "note", "unenforced")


@dataclass(frozen=True)
class Curation:
    """One named curation entry."""

    name: str
    models: tuple[str, ...]
    action: str
    reason: str
    field: str = ""
    value: Any = None


def _ids(prefix: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{prefix}/{n}" for n in names)


VEO_GEN = _ids("google", "veo-3.1-fast", "veo-3.1-fast-relaxed", "veo-3.1-quality", "veo-3.1-lite",
               "veo-3.1-lite-relaxed")

GPT = _ids("openai", "gpt-image-1", "gpt-image-1.5", "gpt-image-2")
VEO_REF = tuple(m for m in VEO_GEN if m != "google/veo-3.1-quality")
HAILUO = _ids("hailuo", "minimax-2.0", "minimax-2.3", "minimax-2.3-fast")
OMNI = _ids("kuaishou", "kling-3.0-omni-video", "kling-o1-video")
KLING_ELEMENTS = _ids("kuaishou", "kling-3.0-video", "kling-3.0-omni-video", "kling-o1-video",
                      "kling-3.0-omni-video-edit", "kling-3.0-motion-control")
WAN26 = _ids("alibaba", "wan-2.6-video", "wan-2.6-flash-video")
ELEVEN_TTS = ("elevenlabs/text-to-speech",)
SUNO_V3_V4 = ["chirp-v3-5", "chirp-v4"]
SUNO_V45_UP = ["chirp-auk", "chirp-bluejay", "chirp-crow", "chirp-fenix"]
SUNO_SOURCES = "clip_id for a Suno clip, audio_url for uploaded audio"
KLING_VIDEO = _ids("kuaishou", "kling-3.0-video", "kling-2.6-video", "kling-2.5-turbo-video", "kling-2.1-video",
                   "kling-3.0-omni-video", "kling-o1-video", "kling-3.0-omni-video-edit", "kling-o1-video-edit",
                   "kling-3.0-motion-control", "kling-2.6-motion-control")
SEEDANCE = _ids("bytedance", "seedance-2.0-fast", "seedance-2.0-pro", "seedance-1.5-pro", "seedance-1.0-pro",
                "seedance-1.0-mini", "seedance-1.0-fast")
MEDIA_INPUTS = (*SEEDANCE, *_ids("alibaba", "wan-2.7-video", "wan-2.6-video", "wan-2.6-flash-video",
                                 "wan-2.7-video-edit"))
LANGUAGE_CODES = _ids("elevenlabs", "text-to-speech", "text-to-dialogue", "speech-to-text")
C = Curation


def _rule(kind: str, **fields: Any) -> dict:
    return {"kind": kind, **fields}


CURATIONS: tuple[Curation, ...] = (
    # ---- examples that contradict their own page ----
    C("gpt_image_16_9_example", GPT, "refuse_example",
      "example sends aspect_ratio 16:9, outside the page's own list 1:1, 2:3, 3:2 (GPT Image's native sizes); "
      "the table is kept", value={"aspect_ratio": "16:9"}),
    # ---- Veo 3.1 ----
    C("veo_quality_no_reference_images", ("google/veo-3.1-quality",), "drop_field",
      "page: reference mode is for Fast, Fast-relaxed, Lite, Lite-relaxed, 'Not supported on the Quality "
      "variant' (the summary's 'Fast model only' is superseded by the page)", "reference_image_urls"),
    C("veo_quality_no_voice", ("google/veo-3.1-quality",), "drop_field",
      "page: voice is 'Fast, Fast-relaxed, Lite, and Lite-relaxed only'", "voice"),
    C("veo_quality_reference_mode_unsupported", ("google/veo-3.1-quality",), "add_rule",
      "Reference mode and the voice parameter are available on fast, fast-relaxed, lite and lite-relaxed; "
      "not supported on the Quality variant",
      value=_rule("unsupported", fields=["reference_image_urls", "voice"],
                  note="reference mode and voice are only on fast, fast-relaxed, lite, lite-relaxed")),
    C("veo_voice_needs_reference_image", VEO_REF, "add_rule",
      "voice: 'Requires at least 1 reference image'",
      value=_rule("requires", field="voice", requires=["reference_image_urls"])),
    # ---- Minimax Hailuo ----
    C("hailuo_1080p_only_6s", HAILUO, "add_rule", "duration: '1080p only supports 6' (Resolution Limits table)",
      value=_rule("allowed_values_if", field="duration", values=[6], when={"resolution": ["1080p"]})),
    C("hailuo_512p_needs_start_image", ("hailuo/minimax-2.0",), "add_rule",
      "'512p requires start_image_url (I2V only)'",
      value=_rule("required_if", fields=["start_image_url"], when={"resolution": ["512p"]},
                  note="512p is image-to-video only")),
    C("hailuo_end_image_768p_1080p", ("hailuo/minimax-2.0",), "add_rule", "'end_image_url only with 768p or 1080p'",
      value=_rule("allowed_values_if", field="resolution", values=["768p", "1080p"],
                  when={"end_image_url": "present"})),
    # ---- Cinematic Studio ----
    C("cs35_camera_moveset_style_truncated", ("higgsfield-ai/cinematic-studio-video-3.5",), "open_enum",
      "the docs cut the value list off with '…' (summary and page alike); the listed values are kept as "
      "known values and any string is accepted", "camera_moveset_style"),
    C("cs35_style_prompt_not_exclusive", ("higgsfield-ai/cinematic-studio-video-3.5",), "note",
      "summary: 'Provide either a style_prompt or the structured trio'; page: style_prompt 'fully overrides' the "
      "trio, which is 'ignored if style_prompt is set' — both accepted, not enforced as exclusive"),
    # ---- Kling ----
    C("kling_shot_prompt_duration_required", _ids("kuaishou", "kling-3.0-video", "kling-3.0-omni-video"), "set",
      "multi_shots: 'each with prompt and duration'; 'Each shot must have a prompt and duration'",
      "multi_shots[]", {"required": ["prompt", "duration"]}),
    C("kling_element_image_source", KLING_ELEMENTS, "add_rule",
      "element image_urls: 'Source image URLs for an image element'",
      value=_rule("required_if", fields=["image_urls"], when={"type": ["image"]}, each="elements")),
    C("kling_element_video_source", _ids("kuaishou", "kling-3.0-video", "kling-3.0-omni-video",
                                         "kling-3.0-omni-video-edit", "kling-3.0-motion-control"), "add_rule",
      "element video_url: 'Source video URL for a video element'",
      value=_rule("required_if", fields=["video_url"], when={"type": ["video"]}, each="elements")),
    C("kling_element_voice_id", _ids("kuaishou", "kling-3.0-video", "kling-3.0-omni-video"), "add_field",
      "Resources page: Kling voice ids are used 'as voice_id in elements or voices array' for v3.0 and v3.0 "
      "Omni, and the v3.0 page lists 'elements with voice support'; the element table omits the field",
      "elements[].voice_id", {"type": "integer", "description": "Kling voice preset id (resources)"}),
    C("kling_omni_t2v_no_inputs", OMNI, "add_rule",
      "Modes table: omitted video_mode (text-to-video) 'Rejects every input field including elements, "
      "image_urls, start_frame_url, video_url'",
      value=_rule("forbidden_if", fields=["elements", "image_urls", "start_frame_url", "end_frame_url",
                                          "video_url"], when={"video_mode": "absent"},
                  note="without video_mode the model is text-to-video only; set video_mode to use inputs")),
    C("kling_omni_elements_mode_cap", OMNI, "add_rule",
      "Modes table: elements mode 'Combined image_urls + elements cap of 7'",
      value=_rule("count_range", fields=["image_urls", "elements"], max=7, when={"video_mode": ["elements"]})),
    C("kling_omni_video_modes_cap", OMNI, "add_rule",
      "Modes table: transform/video_reference 'Combined image_urls + elements cap of 4'",
      value=_rule("count_range", fields=["image_urls", "elements"], max=4,
                  when={"video_mode": ["transform", "video_reference"]})),
    C("kling_omni_auto_ratio_with_video", OMNI, "add_rule",
      "aspect_ratio 'Must be \"auto\" when video_url is set; rejected otherwise' (page; the summary's "
      "'auto (start_end_frame only)' is superseded)",
      value=_rule("allowed_values_if", field="aspect_ratio", values=["auto"], when={"video_url": "present"})),
    C("kling_omni_auto_ratio_only_with_video", OMNI, "add_rule",
      "aspect_ratio 'auto' is 'rejected otherwise' (without video_url)",
      value=_rule("allowed_values_if", field="aspect_ratio", values=["1:1", "9:16", "16:9"],
                  when={"video_url": "absent"})),
    C("kling_omni_video_element_vs_video_url", ("kuaishou/kling-3.0-omni-video",), "add_rule",
      "'A video_url and any element with type: \"video\" are mutually exclusive'",
      value=_rule("exclusive", fields=["video_url", "elements[type=video]"])),
    C("kling26_voice_id_or_url", ("kuaishou/kling-2.6-video",), "add_rule",
      "each voice is '{ \"voice_id\": int }' or '{ \"voice_url\": string }'",
      value=_rule("at_least_one", fields=["voice_id", "voice_url"], each="voices")),
    C("kling21_master_no_end_frame", ("kuaishou/kling-2.1-master-video",), "add_rule",
      "'Pro-only. No end frame support.'",
      value=_rule("unsupported", fields=["end_frame_url", "mode"], note="2.1 master is pro-only, no end frame")),
    C("kling_o1_image_auto_ratio", ("kuaishou/kling-o1-image",), "note",
      "the page's Models table says v3.0 Omni Image 'Adds auto (default)', but the O1 parameter table lists "
      "auto as its default; the parameter table is kept"),
    # ---- SeeDance ----
    C("seedance_multi_frame_720p", ("bytedance/seedance-1.0-mini",), "add_rule",
      "resolution: 'Multi-frame mode requires 720p'",
      value=_rule("allowed_values_if", field="resolution", values=["720p"], when={"mode": ["multi_frame"]})),
    C("seedance_frame_needs_image", _ids("bytedance", "seedance-1.0-mini", "seedance-1.0-fast"), "add_rule",
      "'At least one frame must have an image_url'", value=_rule("any_item_has", array="frames", field="image_url")),
    # ---- Wan video ----
    C("wan27_i2v_frame_or_video", ("alibaba/wan-2.7-video",), "add_rule",
      "I2V Validation Rules: 'At least one of first_frame_url or video_url is required'",
      value=_rule("at_least_one", fields=["first_frame_url", "video_url"], when={"mode": ["i2v"]})),
    C("wan27_r2v_reference", ("alibaba/wan-2.7-video",), "add_rule",
      "R2V Validation Rules: 'At least 1 reference_image_urls or reference_video_urls is required'",
      value=_rule("at_least_one", fields=["reference_image_urls", "reference_video_urls"], when={"mode": ["r2v"]})),
    C("wan27_r2v_total_references", ("alibaba/wan-2.7-video",), "add_rule",
      "R2V Validation Rules: 'Total images + videos must not exceed 5'",
      value=_rule("count_range", fields=["reference_image_urls", "reference_video_urls"], max=5,
                  when={"mode": ["r2v"]})),
    C("wan26_i2v_needs_start_image", WAN26, "add_rule", "Modes: 'i2v — image-to-video (requires start_image_url)'",
      value=_rule("required_if", fields=["start_image_url"], when={"mode": ["i2v"]})),
    C("wan26_r2v_needs_video_urls", WAN26, "add_rule", "Modes: 'r2v — reference-to-video (requires video_urls)'",
      value=_rule("required_if", fields=["video_urls"], when={"mode": ["r2v"]})),
    C("wan26_r2v_max_10s", WAN26, "add_rule", "duration: '2-15s (R2V: 2-10s)'",
      value=_rule("limit_if", field="duration", maximum=10, when={"mode": ["r2v"]})),
    C("wan26_r2v_no_seed", WAN26, "add_rule", "seed: 'Not supported for R2V'",
      value=_rule("forbidden_if", fields=["seed"], when={"mode": ["r2v"]})),
    C("wan22_flash_720p_i2v_only", ("alibaba/wan-2.2-flash-video",), "add_rule",
      "'720p resolution is only available in I2V mode'",
      value=_rule("allowed_values_if", field="resolution", values=["480p", "1080p"], when={"mode": ["t2v"]},
                  note="720p is image-to-video only")),
    C("wan22_image_t2i_only", _ids("alibaba", "wan-2.2-image", "wan-2.2-flash-image"), "add_rule",
      "'Text-to-image only — does not support image editing' (summary: 'Does not accept image_urls')",
      value=_rule("unsupported", fields=["image_urls"], note="text-to-image only, no image editing")),
    # ---- Flux.2 (limits documented only in the summary table) ----
    C("flux_page_aspect_ratios", _ids("black-forest-labs", "flux.2-pro", "flux.2-flex", "flux.2-max"), "note",
      "summary: aspect_ratio auto, 1:1, 4:3, 16:9, 3:2, 2:3, 9:16, 3:4 (Max also 5:4, 21:9) and quality 1K/2K, "
      "cfg; pages: 21:9, 16:9, 4:3, 1:1, 3:4, 9:16, 9:21, resolution 0.6mp-4mp, guidance — the pages are kept"),
    C("flux_flex_steps_range", ("black-forest-labs/flux.2-flex",), "set",
      "summary: steps 'Flex only: 1-50'; the page gives no range", "steps", {"minimum": 1, "maximum": 50}),
    C("flux_flex_guidance_range", ("black-forest-labs/flux.2-flex",), "set",
      "summary: cfg 'Flex only: 1.5-10'; the page calls it guidance and gives no range",
      "guidance", {"minimum": 1.5, "maximum": 10}),
    C("flux_reference_limit_pro_max", _ids("black-forest-labs", "flux.2-pro", "flux.2-max"), "set",
      "summary: image_urls 'Pro/Max: 8'; the page gives no limit", "image_urls", {"maxItems": 8}),
    C("flux_reference_limit_flex", ("black-forest-labs/flux.2-flex",), "set",
      "summary: image_urls 'Flex: 10'; the page gives no limit", "image_urls", {"maxItems": 10}),
    # ---- Grok / Topaz ----
    C("grok_extend_custom_mode", ("xai/grok-imagine-video-extend",), "add_rule",
      "Modes: custom mode (video_preset omitted) — 'prompt, extend_at, and extend_duration are required'",
      value=_rule("required_if", fields=["prompt", "extend_at", "extend_duration"],
                  when={"video_preset": "absent"})),
    C("topaz_colorize_not_720p", ("topaz-labs/video-upscale",), "add_rule",
      "'The colorize model is not available with 720p resolution'",
      value=_rule("allowed_values_if", field="resolution", values=["1080p", "1440p", "2160p"],
                  when={"enhancement_model": ["colorize"]})),
    # ---- Suno ----
    C("suno_custom_model_mv", ("suno-ai/music",), "allow_pattern",
      "Custom Model page: 'Use the mv value (e.g. chirp-custom:b7bc275b-...) in music generation requests'",
      "mv", {"pattern": "^chirp-custom:.+", "description": "chirp-custom:<id> from train_model_suno"}),
    C("suno_simple_prompt_500", ("suno-ai/music",), "set", "Model Limits: Simple Mode prompt limit 500 chars",
      "gpt_description_prompt", {"maxLength": 500}),
    C("suno_prompt_3000_v3_v4", ("suno-ai/music",), "add_rule", "Model Limits: v3.5, v4 prompt limit 3,000 chars",
      value=_rule("limit_if", field="prompt", maxLength=3000, when={"mv": SUNO_V3_V4})),
    C("suno_prompt_5000_v45_up", ("suno-ai/music",), "add_rule",
      "Model Limits: v4.5, v4.5+, v5, v5.5 prompt limit 5,000 chars",
      value=_rule("limit_if", field="prompt", maxLength=5000, when={"mv": SUNO_V45_UP})),
    C("suno_style_200_v3_v4", ("suno-ai/music",), "add_rule", "Model Limits: v3.5, v4 style (tags) limit 200 chars",
      value=_rule("limit_if", field="tags", maxLength=200, when={"mv": SUNO_V3_V4})),
    C("suno_style_1000_v45_up", ("suno-ai/music",), "add_rule",
      "Model Limits: v4.5 and later style (tags) limit 1,000 chars",
      value=_rule("limit_if", field="tags", maxLength=1000, when={"mv": SUNO_V45_UP})),
    C("suno_extend_source", ("suno-ai/extend",), "add_rule",
      "'Provide either clip_id (for Suno-generated clips) or audio_url (for uploaded audio)'",
      value=_rule("at_least_one", fields=["clip_id", "audio_url"], note=SUNO_SOURCES)),
    C("suno_extend_one_source", ("suno-ai/extend",), "add_rule", "'Provide either clip_id ... or audio_url'",
      value=_rule("exclusive", fields=["clip_id", "audio_url"], note=SUNO_SOURCES)),
    C("suno_cover_source", ("suno-ai/cover",), "add_rule",
      "summary: clip_id 'Yes*' / audio_url 'Yes*' ('alternative to clip_id'); the page lists both as optional",
      value=_rule("at_least_one", fields=["clip_id", "audio_url"], note=SUNO_SOURCES)),
    C("suno_add_ops_clip_id", _ids("suno-ai", "add-vocals", "add-instrumental"), "note",
      "summary: clip_id/audio_url are alternatives ('Yes*'); the pages make clip_id required ('Only works with "
      "uploaded audio') — the page is kept"),
    # ---- ElevenLabs ----
    C("elevenlabs_tts_40k_chars", ELEVEN_TTS, "add_rule",
      "Available Models: eleven_flash_v2_5 / eleven_turbo_v2_5 char limit 40,000",
      value=_rule("limit_if", field="text", maxLength=40000,
                  when={"model_id": ["eleven_flash_v2_5", "eleven_turbo_v2_5"]})),
    C("elevenlabs_tts_10k_chars", ELEVEN_TTS, "add_rule", "Available Models: eleven_multilingual_v2 char limit 10,000",
      value=_rule("limit_if", field="text", maxLength=10000, when={"model_id": ["eleven_multilingual_v2"]})),
    C("elevenlabs_tts_5k_chars", ELEVEN_TTS, "add_rule", "Available Models: eleven_v3 char limit 5,000",
      value=_rule("limit_if", field="text", maxLength=5000, when={"model_id": ["eleven_v3"]})),
    # ---- doc sentences the server deliberately does not enforce (tool_specs/claims.py) ----
    C("media_file_properties", MEDIA_INPUTS, "unenforced",
      "duration, size, pixel and format limits of the file behind a URL: the server does not download inputs "
      "to measure them; the API checks them", r".*_urls?|references",
      r"\d\s*(?:MB|px|s)\b|MP4|wav/mp3"),
    C("media_kind_counts", WAN26, "unenforced",
      "'max 3 videos' among video_urls: whether a URL is an image or a video is not knowable from the URL; "
      "the total (5) is enforced", "video_urls", r"max 3 videos"),
    C("kling_mode_output_resolution", KLING_VIDEO, "unenforced",
      "std (720p) / pro (1080p) is the output resolution each mode gives, not an input limit", "mode",
      r"\(720p\).*\(1080p\)"),
    C("used_only_in_some_cases", (*SEEDANCE, *_ids("alibaba", "wan-2.7-pro-image", "wan-2.7-image"),
                                  "kuaishou/kling-2.1-image", "elevenlabs/speech-to-text"), "unenforced",
      "the docs say the value is used only in some cases (ignored otherwise), not that the request fails",
      "aspect_ratio|thinking_mode|fidelity|diarization_threshold|diarize|num_speakers",
      r"^(?:Only used (?:for|when)|T2I only|Uses `fidelity` only)"),
    C("describes_the_output", ("xai/grok-imagine-image", "hailuo/minimax-2.3", "suno-ai/music",
                               "alibaba/wan-2.7-video"), "unenforced",
      "describes what the model returns or chooses (number of images, the automatic T2V/I2V choice, an "
      "instrumental-only song, how a continuation is filled), not a limit of the input", "",
      r"^Text-to-image returns|^Auto-selects|^Generate instrumental only|^If the input is \d+s"),
    C("wire_names", ("higgsfield-ai/cinematic-studio-video-3.0",), "unenforced",
      "the values the server sends upstream; the input takes the public names (the enum)", "speedramp",
      r"^Wire mapping"),
    C("prompt_syntax", WAN26, "unenforced",
      "character1, character2 ... are words to use inside the prompt, not values of a field", "",
      r"use `character1`"),
    C("free_language_codes", LANGUAGE_CODES, "unenforced",
      "a free-form language code (ISO 639); the docs give no closed list to check against", "language_code",
      r"ISO 639|`\"auto\"` defaults to"),
    C("stt_entity_detection_open", ("elevenlabs/speech-to-text",), "open_enum",
      "entity_detection: '\"all\", or specific types like \"pii\", \"phi\", ...' — the list is examples, "
      "not exhaustive", "entity_detection"),
)
