"""The workflow guides behind the prompts: each a few steps naming, in order, the tools that do them.

A guide is written against model ids; `Guide` turns each into a call of a tool this server actually lists (the
model's typed tool, else its compact tool, else create_task), so a guide never names a tool the client does
not have, and a guide whose steps cannot all be done with the current selection is not offered. Models,
parameter names, required parameters and default values come from the specs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp_server.client import PHRASE_LANGUAGES
from mcp_server.specs import ModelSpec, find_model, find_tool, load_tool_specs
from mcp_server.tools import tool_for_model
from mcp_server.tools.base import ToolDef
from mcp_server.tools.compact import compact_name


class Unavailable(Exception):
    """A step needs a tool (or a model) the current selection does not have."""


class Guide:
    """Names the tools of one selection in a guide's text, and remembers which it named."""

    def __init__(self, tools: Mapping[str, ToolDef]) -> None:
        self.tools = tools
        self.used: list[str] = []

    def has(self, name: str) -> bool:
        return name in self.tools

    def tool(self, name: str) -> str:
        if name not in self.tools:
            raise Unavailable(name)
        self.used.append(name)
        return f"`{name}`"

    def call(self, model_id: str, params: dict[str, Any]) -> str:
        """How to run `model_id` with `params` here, plus the required parameters the step leaves open."""
        model = find_model(model_id)
        name = tool_for_model(self.tools, model_id)
        if model is None or name is None:
            raise Unavailable(model_id)
        shown = ", ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in params.items())
        if name == model.tool:  # the typed tool: parameters at the top level
            spec = find_tool(name)
            chosen = f'model="{model_id}", ' if spec and spec.multi_model else ""
            text = f"{self.tool(name)} with {chosen}{shown}"
        else:
            text = f"{self.tool(name)} with model=\"{model_id}\" and input={json.dumps(params, ensure_ascii=False)}"
        rest = [key for key in model.schema.get("required", []) if key not in params]
        if rest:
            where = f" ({self.tool('describe_model')} lists the values)" if self.has("describe_model") else ""
            text += f"; also required: {', '.join(rest)}{where}"
        return text

    def waiting(self) -> str:
        return (f"If a call returns while its task is still running, call {self.tool('wait_for_task')} with its "
                "task_id; `task:<task_id>` (with `#n` for its n-th output) passes a finished output to the next step.")


@dataclass(frozen=True)
class Argument:
    name: str
    description: str
    required: bool = False
    default: str | None = None
    choices: Callable[[], list[str]] | None = None  # the only values allowed (model ids, languages)
    voices: str | None = None  # the get_resources resource listing its values (suggested, not enforced)
    suggested: tuple[str, ...] = ()  # documented values to suggest besides (the docs' example voices)


@dataclass(frozen=True)
class Workflow:
    name: str
    title: str
    description: str
    category: str  # its icon
    steps: Callable[[Guide, dict[str, str]], list[str]]
    arguments: tuple[Argument, ...] = field(default=())


def models_where(test: Callable[[str, ModelSpec], bool]) -> Callable[[], list[str]]:
    """The documented model ids whose compact tool name and spec pass `test`, in the specs' order."""
    return lambda: [model.id for spec in load_tool_specs() for model in spec.models.values()
                    if test(compact_name(spec), model)]


def start_frame(model: ModelSpec) -> str | None:
    """The top-level field a video model takes its first frame in (start_image_url, first_frame_url, ...)."""
    fields = [name for name in model.url_fields if "[" not in name and "." not in name]
    return next((name for name in fields if "start" in name or "first" in name),
                "image_url" if "image_url" in fields else None)


def sibling(model_id: str, prefix: str) -> str | None:
    """The model of the same provider whose typed tool starts with `prefix` (extend_video, upscale_video)."""
    vendor = model_id.split("/")[0]
    found = [m for spec in load_tool_specs() if spec.name.startswith(prefix) for m in spec.models]
    return next((m for m in found if m.split("/")[0] == vendor), None)


def upscaler_for(model_id: str) -> ModelSpec | None:
    """The provider's own video upscaler (it takes the task), else one that takes any video by URL."""
    own = sibling(model_id, "upscale_video")
    if own:
        return find_model(own)
    found = [m for spec in load_tool_specs() if spec.name.startswith("upscale_video") for m in spec.models.values()]
    return next((m for m in found if m.url_fields), None)


def example_values(model_id: str, key: str) -> list[str]:
    """Every value of `key` anywhere in a model's documented examples, in order, once each."""
    values: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name == key and isinstance(value, str) and value not in values:
                    values.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    model = find_model(model_id)
    walk([example["input"] for example in (model.examples if model else ())])
    return values


def _image_to_video(guide: Guide, args: dict[str, str]) -> list[str]:
    video = find_model(args["video_model"])
    frame = start_frame(video) if video else None
    if frame is None:
        raise Unavailable(args["video_model"])
    motion = {"prompt": f"{args['subject']}, coming to life", frame: "task:<the still task_id>"}
    return [
        f"Make the still: {guide.call(args['image_model'], {'prompt': args['subject']})}.",
        f"Animate it: {guide.call(args['video_model'], motion)}.",
        guide.waiting(),
        "Show the user the saved files of both results (the still and the video).",
    ]


def _song_stems_wav(guide: Guide, args: dict[str, str]) -> list[str]:
    song = {"mv": example_values("suno-ai/music", "mv")[0], "custom": False,
            "gpt_description_prompt": args["description"]}
    if args.get("title"):
        song["title"] = args["title"]
    return [
        f"Write the song: {guide.call('suno-ai/music', song)}.",
        f"Split it into stems: {guide.call(args['stems_model'], {'clip_id': 'task:<the song task_id>#1'})} "
        "(#1 is the song's first clip; #2 the second, if it made two).",
        f"Export the full song as WAV: {guide.call('suno-ai/wav', {'clip_id': 'task:<the song task_id>#1'})}.",
        guide.waiting(),
    ]


def _custom_voice(guide: Guide, args: dict[str, str]) -> list[str]:
    voice = {"voice_audio_url": "<path of the voice sample>", "verification_audio_url": "<path of the phrase "
             "recording>", "phrase_id": "<phrase_id>", "name": args["name"]}
    if args.get("styles"):
        voice["styles"] = args["styles"]
    upload = f" (or upload them with {guide.tool('upload_file')})" if guide.has("upload_file") else ""
    return [
        f"Get a verification phrase: {guide.tool('get_resources')} with resource=\"suno_verification_phrase\", "
        f"language=\"{args['language']}\". Keep its phrase_id and show the user the phrase.",
        "Ask the user for two recordings saved in the allowed directories: a sample of their singing voice, and "
        "them reading the phrase aloud.",
        f"Create the voice: {guide.call('suno-ai/voice', voice)}. Local paths are uploaded for you{upload}.",
        guide.waiting(),
        "The finished task's persona_id names the new voice. A failure such as didnt_say_verification_phrase "
        "means the recording did not match the phrase: get a new phrase and record again.",
    ]


def _long_video(guide: Guide, args: dict[str, str]) -> list[str]:
    model = args["model"]
    extend, upscaler = sibling(model, "extend_video"), upscaler_for(model)
    if extend is None or upscaler is None:
        raise Unavailable(model)
    source = "task_id" if "task_id" in upscaler.schema.get("properties", {}) else upscaler.url_fields[0]
    more = {"task_id": "task:<the previous task_id>", "prompt": "<what happens next>"}
    return [
        f"Generate the first shot: {guide.call(model, {'prompt': args['subject']})}.",
        f"Extend it: {guide.call(extend, more)}. Repeat on each new task until the video is long enough.",
        f"Upscale the last one: {guide.call(upscaler.id, {source: 'task:<the last task_id>'})}.",
        guide.waiting(),
    ]


def _podcast(guide: Guide, args: dict[str, str]) -> list[str]:
    lines = [{"text": "[warmly] <host line>", "voice": args["host_voice"]},
             {"text": "[curiously] <guest line>", "voice": args["guest_voice"]}]
    voices = (f" {guide.tool('get_resources')} with resource=\"elevenlabs_voices\" lists other voices."
              if guide.has("get_resources") else "")
    return [
        f"Write a short two-person script about {args['topic']}; start each line with an emotion tag such as "
        "[warmly], [excitedly] or [curiously].",
        f"Voice it: {guide.call('elevenlabs/text-to-dialogue', {'dialogue': lines})}, one item per line, "
        f"alternating the two voices.{voices}",
        f"Add sound: {guide.call('elevenlabs/sound-effect', {'text': args['sound']})} for the intro, and again "
        "for each transition.",
        guide.waiting(),
    ]


def _stems_models() -> list[str]:
    return list(find_tool(find_model("suno-ai/stems").tool).models)


_DIALOGUE_VOICES = tuple(example_values("elevenlabs/text-to-dialogue", "voice"))
SUBJECT = Argument("subject", "What to show, e.g. a red fox in fresh snow", required=True)
WORKFLOWS: tuple[Workflow, ...] = (
    Workflow("image_to_video", "Image, then video", "Make a still image, then animate it into a video.", "video",
             _image_to_video, (
                 SUBJECT,
                 Argument("image_model", "Image model id", default="google/nano-banana-pro",
                          choices=models_where(lambda tool, m: tool == "generate_image")),
                 Argument("video_model", "Video model taking a first frame", default="google/veo-3.1-fast",
                          choices=models_where(lambda tool, m: tool == "generate_video" and bool(start_frame(m)))))),
    Workflow("song_stems_wav", "Song, stems, WAV", "Write a Suno song, split it into stems, export it as WAV.",
             "audio", _song_stems_wav, (
                 Argument("description", "What the song is about and its style", required=True),
                 Argument("title", "Song title"),
                 Argument("stems_model", "Two stems (vocals, instrumental) or all of them", default="suno-ai/stems",
                          choices=_stems_models))),
    Workflow("custom_voice", "Custom Suno voice", "Create a Suno voice from the user's recordings: verification "
             "phrase, two recordings, suno-ai/voice.", "audio", _custom_voice, (
                 Argument("name", "Name of the new voice", required=True),
                 Argument("language", "Language of the verification phrase", default="en",
                          choices=lambda: list(PHRASE_LANGUAGES)),
                 Argument("styles", "Genre tags, e.g. funk edm"))),
    Workflow("long_video", "Long video", "Generate a video, extend it shot by shot, then upscale it.", "video",
             _long_video, (
                 SUBJECT,
                 Argument("model", "Video model with an extend model of the same provider",
                          default="google/veo-3.1-fast",
                          choices=models_where(lambda tool, m: tool == "generate_video"
                                               and sibling(m.id, "extend_video") is not None)))),
    Workflow("podcast", "Podcast episode", "Write and voice a two-person dialogue, then add sound effects.",
             "audio", _podcast, (
                 Argument("topic", "What the episode is about", required=True),
                 Argument("host_voice", "ElevenLabs voice id of the host", default=_DIALOGUE_VOICES[0],
                          voices="elevenlabs_voices", suggested=_DIALOGUE_VOICES),
                 Argument("guest_voice", "ElevenLabs voice id of the guest", default=_DIALOGUE_VOICES[-1],
                          voices="elevenlabs_voices", suggested=_DIALOGUE_VOICES),
                 Argument("sound", "Sound effect to add", default="a short warm intro jingle"))),
)
