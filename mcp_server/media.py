"""What a file is, from its first bytes: media types by magic numbers, the media allow-list and extensions.

One table serves both directions: a local file or data URI sent as a model input must be image, audio or
video by its content (not its name), and a downloaded output is saved with an extension chosen from its
bytes within the same allow-list, never from a server-chosen name or Content-Type.
"""

from __future__ import annotations

HEAD_BYTES = 64  # enough for every signature below

# (signature, offset, mime), most specific first.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"), (b"\xff\xd8\xff", 0, "image/jpeg"), (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"), (b"WEBP", 8, "image/webp"), (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"), (b"MM\x00*", 0, "image/tiff"),
    (b"ftypavif", 4, "image/avif"), (b"ftypheic", 4, "image/heic"), (b"ftypheix", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heif"),
    (b"WAVE", 8, "audio/wav"), (b"ID3", 0, "audio/mpeg"), (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"), (b"\xff\xf2", 0, "audio/mpeg"), (b"\xff\xf1", 0, "audio/aac"),
    (b"\xff\xf9", 0, "audio/aac"), (b"fLaC", 0, "audio/flac"), (b"OggS", 0, "audio/ogg"),
    (b"FORM", 0, "audio/aiff"), (b"ftypM4A", 4, "audio/mp4"), (b"ftypqt", 4, "video/quicktime"),
    (b"ftyp", 4, "video/mp4"), (b"\x1a\x45\xdf\xa3", 0, "video/webm"), (b"AVI ", 8, "video/x-msvideo"),
)
_RIFF_KINDS = {"audio/wav", "image/webp", "video/x-msvideo"}  # their signatures sit behind "RIFF" + size
# Signatures short or textual enough to open a plain text file ("BMW...", "ID3 tags", "FORMAT"): the header
# fields that follow them must look right too.
_CONFIRM = {
    b"BM": lambda head: head[6:10] == b"\0\0\0\0",  # reserved words of the BMP file header
    b"ID3": lambda head: len(head) >= 10 and head[3] in (2, 3, 4) and all(b < 0x80 for b in head[6:10]),
    b"FORM": lambda head: head[8:12] in (b"AIFF", b"AIFC"),
}
_EXT = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp", "image/bmp": ".bmp",
    "image/tiff": ".tiff", "image/avif": ".avif", "image/heic": ".heic", "image/heif": ".heif",
    "audio/wav": ".wav", "audio/mpeg": ".mp3", "audio/aac": ".aac", "audio/flac": ".flac", "audio/ogg": ".ogg",
    "audio/aiff": ".aiff", "audio/mp4": ".m4a", "video/quicktime": ".mov", "video/mp4": ".mp4",
    "video/webm": ".webm", "video/x-msvideo": ".avi",
}
MEDIA_TYPES = frozenset(_EXT)


def sniff_media(head: bytes) -> str | None:
    """The media type of content starting with `head`, or None when it is not a known image/audio/video."""
    for magic, offset, mime in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            if mime in _RIFF_KINDS and not head.startswith(b"RIFF"):
                continue
            if magic in _CONFIRM and not _CONFIRM[magic](head):
                continue
            return mime
    return None


def sniff_mime(head: bytes, content_type: str | None = None) -> str:
    """The media type from the first bytes, else the declared Content-Type (for describing, not trusting)."""
    found = sniff_media(head)
    if found:
        return found
    declared = (content_type or "").split(";")[0].strip().lower()
    return declared or "application/octet-stream"


def extension_for(mime: str) -> str:
    """The file extension of an allow-listed media type; anything else is saved as opaque `.bin`."""
    return _EXT.get(mime, ".bin")


def kind_of(mime: str) -> str:
    """image | audio | video | other."""
    head = mime.split("/")[0]
    return head if mime in MEDIA_TYPES and head in ("image", "audio", "video") else "other"
