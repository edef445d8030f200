"""Model-visible wording the docs do not supply in a usable form: parameter hints, model summaries, defaults.

* ``HINTS`` — ``"tool.param"`` (or ``"tool.param[].field"`` for a field of an array's items) -> the text that
  replaces the doc-derived first clause of that parameter's description in the tool schema; ``""`` drops
  the clause (when the name, the items schema or the tool description already say it). The per-model notes
  (which models take it, per-model limits) still follow. Preset ids name the ``get_resources`` value that
  lists them.
* ``SUMMARIES`` — model id -> the one-line ``list_models`` summary, for models whose page text is not a
  self-contained one-liner (relative table cells such as "Higher quality (~240s)", one intro shared by
  several models, multi-sentence feature lists).
* ``DEFAULTED`` — parameters whose documented default goes into the tool schema as ``default`` when every
  model of the tool that takes the parameter documents the same default (the ones an agent most often
  needs to know: output shape and length, and what an upscale does when left out).
* ``UNRANGED`` — parameters whose numeric range the tool schema leaves out.

Everything here is data; ``union.py`` and ``build.py`` apply it, and the build fails on an entry that names
no existing tool parameter or model.
"""

from __future__ import annotations


def _from(resource: str) -> str:
    return f"from get_resources {resource}"


_CAMERA = {f"{tool}.{name}": _from("camera_settings") for tool in
           ("generate_image_cinematic_studio", "generate_video_cinematic_studio")
           for name in ("camera_model_id", "camera_lens_id", "camera_focal_length_id", "camera_aperture_id")}

HINTS: dict[str, str] = {
    # ---- preset ids: where the value comes from ----
    "generate_video_higgsfield.motion_id": _from("higgsfield_motions"),
    "text_to_speech_higgsfield.voice_id": _from("higgsfield_voices"),
    "text_to_speech_higgsfield.sound_id": _from("higgsfield_sounds"),
    "generate_video_cinematic_studio.camera_motion_id": _from("camera_movements"),
    "generate_video_cinematic_studio.camera_movement_id": _from("camera_movements"),
    "generate_video_cinematic_studio.multi_shots[].camera_motion_id": _from("camera_movements"),
    "generate_video_cinematic_studio.multi_shots[].camera_movement_id": _from("camera_movements"),
    **_CAMERA,
    "generate_video_kling.elements": "",
    "generate_video_kling.elements[].voice_id": _from("kling_voices"),
    "generate_video_kling.voices": "",
    "generate_video_kling.voices[].voice_id": _from("kling_voices"),
    "generate_video_kling_omni.elements": "",
    "generate_video_kling_omni.elements[].voice_id": _from("kling_voices"),
    "generate_video_veo.voice": _from("veo_voices"),
    "text_to_speech_elevenlabs.voice": _from("elevenlabs_voices"),
    "text_to_dialogue_elevenlabs.dialogue": "",
    "text_to_dialogue_elevenlabs.dialogue[].voice": _from("elevenlabs_voices"),
    "create_voice_suno.phrase_id": _from("suno_verification_phrase"),
    # ---- values the docs explain elsewhere ----
    "extend_video_veo.model": "Veo variant that made the source video (not a model id)",
    "generate_music_suno.mv": "auk=v4.5, bluejay=v4.5+, crow=v5, fenix=v5.5, or chirp-custom:<id> (train_model_suno)",
    "edit_music_suno.mv": "e.g. chirp-bluejay",
    "generate_sound_suno.mv": "e.g. chirp-fenix",
    "restyle_image_kling.human_fidelity": "portrait mode only",
    "restyle_image_kling.scene_url": "elements mode only",
    "restyle_image_kling.style_url": "elements mode only",
    "restyle_image_kling.fidelity": "reference adherence",
    # ---- clauses the name, the items schema or the tool description already say ----
    "generate_music_suno.custom": "",
    "generate_music_suno.gpt_description_prompt": "",
    "edit_music_suno.continue_at": "seconds",
    "extend_video_grok.extend_at": "seconds into the source",
    "extend_video_grok.extend_duration": "",
    "generate_video_kling.sound_effects": "",
    "generate_video_kling.multi_shots": "",
    "generate_video_kling_omni.multi_shots": "",
    "generate_video_cinematic_studio.multi_shots": "",
    "generate_video_wan.multi_prompt": "Multi-shot segments",
    "generate_video_wan.reference_image_urls": "",
    "generate_video_wan.reference_video_urls": "",
    "generate_video_wan.reference_voice_url": "voice timbre audio",
    "generate_video_wan.video_urls": "r2v references",
    "edit_video_wan.reference_image_urls": "style/content references",
    "edit_video_kling.elements": "",
    "transfer_motion_kling.elements": "",
    "generate_image_flux.steps": "",
    "generate_image_flux.guidance": "",
}

SUMMARIES: dict[str, str] = {
    "google/veo-3.1-fast": "Veo 3.1 Fast text/image-to-video (~100s); reference images + voice.",
    "google/veo-3.1-fast-relaxed": "Veo 3.1 Fast at lower priority; reference images + voice.",
    "google/veo-3.1-quality": "Veo 3.1 highest-quality text/image-to-video (~240s); no reference mode.",
    "google/veo-3.1-lite": "Veo 3.1 Lite lightweight text/image-to-video (~110s); reference images + voice.",
    "google/veo-3.1-lite-relaxed": "Veo 3.1 Lite at lower priority; reference images + voice.",
    "google/veo-3.1-extend": "Extend a completed Veo 3.1 video.",
    "google/veo-3.1-upscale": "Upscale a completed Veo 3.1 video to 1080p or 4K.",
    "hailuo/minimax-2.0": "MiniMax Hailuo 02 text/image-to-video with end frame support.",
    "hailuo/minimax-2.3": "MiniMax Hailuo 2.3 text/image-to-video (mode picked from the inputs).",
    "hailuo/minimax-2.3-fast": "MiniMax Hailuo 2.3 Fast image-to-video.",
    "higgsfield-ai/lite": "Higgsfield image-to-video with motion presets; basic quality, 6x slower.",
    "higgsfield-ai/turbo": "Higgsfield image-to-video with motion presets; medium quality, 1.5x faster.",
    "higgsfield-ai/standard": "Higgsfield image-to-video with motion presets; best quality, normal speed.",
    "kuaishou/kling-o1-image": "Kling O1 image from text and up to 10 reference images, 1k/2k.",
    "kuaishou/kling-3.0-omni-image": "Kling 3.0 Omni image from text and up to 10 reference images, up to 4k.",
    "kuaishou/kling-3.0-video": "Kling 3.0 text/image-to-video with multi-shot, elements with voices and audio.",
    "kuaishou/kling-3.0-omni-video": "Kling 3.0 Omni video from text, reference images, elements, start/end frames "
                                     "or a source video (transform/reference); multi-shot.",
    "kuaishou/kling-o1-video": "Kling O1 video from text, reference images, image elements, start/end frames or a "
                               "source video (transform/reference).",
    "kuaishou/kling-2.1-video": "Kling 2.1 image-to-video with start/end frames (std or pro).",
    "kuaishou/kling-2.1-master-video": "Kling 2.1 Master text/image-to-video, pro only, no end frame.",
    "higgsfield-ai/cinematic-studio-video-3.5": "Cinematic Studio 3.5 single-shot video with style controls and "
                                                "camera body/lens presets.",
    "higgsfield-ai/cinematic-studio-video-3.0": "Cinematic Studio 3.0 video with multi-shot, per-shot speed "
                                                "ramps and native audio.",
    "suno-ai/stems": "Split a Suno clip into vocals and instrumental.",
    "suno-ai/stems-all": "Split a Suno clip into all stems (vocals, drums, bass, guitar, ...).",
}

# Parameters whose numeric range the tool schema would leave out (the per-model check still enforces it). Empty on
# purpose: the product promises every documented enum and range in the model-visible schemas, seeds included.
UNRANGED: tuple[str, ...] = ()

DEFAULTED = ("aspect_ratio", "ratio", "resolution", "duration", "model_id", "output_format", "upscale_factor")
