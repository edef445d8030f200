"""The small real media files shipped with the simulator, and content-type sniffing from magic bytes.

``media/sample.png`` (256x256 gradient), ``media/sample.wav`` (1 s 440 Hz tone) and ``media/sample.mp4``
(1 s H.264 test pattern) are package data; ``make_media.py`` documents and reproduces how they were made
(the mp4 with Debian's ffmpeg). Every task output URL serves one of them according to its extension.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from .catalog import Kind

EXT_BY_KIND: dict[Kind, str] = {"image": "png", "video": "mp4", "audio": "wav"}

CONTENT_TYPES: dict[str, str] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "pdf": "application/pdf",
    "bin": "application/octet-stream",
}


@cache
def sample_bytes(ext: str) -> bytes:
    """Return the bytes of the shipped sample file with extension ``png``, ``wav`` or ``mp4``."""
    if ext not in EXT_BY_KIND.values():
        raise KeyError(f"no sample media with extension {ext!r}")
    return resources.files(__package__).joinpath("media", f"sample.{ext}").read_bytes()


def sniff_extension(content: bytes) -> str:
    """Guess a file extension from magic bytes; ``bin`` when unknown."""
    head = content[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head[4:8] == b"ftyp":
        return "mov" if head[8:10] == b"qt" else "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"%PDF"):
        return "pdf"
    return "bin"


def content_type_for(ext: str) -> str:
    """MIME type for an extension produced by ``sniff_extension`` (or a sample's)."""
    return CONTENT_TYPES.get(ext, "application/octet-stream")
