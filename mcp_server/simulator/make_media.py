"""Regenerate the small real media files the simulator serves (run by hand, never at run time).

    python -m mcp_server.simulator.make_media

* ``media/sample.png``: a 256x256 RGB gradient, written with ``zlib``/``struct`` (no imaging library).
* ``media/sample.wav``: 1 s of a 440 Hz sine tone, 8 kHz mono 16-bit PCM, written with ``wave``.
* ``media/sample.mp4``: 1 s of ffmpeg's ``testsrc`` pattern, 128x128 at 10 fps, H.264 (yuv420p, faststart),
  made with the Debian ``ffmpeg`` package (``apt-get install ffmpeg``); skipped when ffmpeg is absent.

The committed files are what the simulator ships; this script only documents and reproduces them.
"""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
import sys
import wave
import zlib
from pathlib import Path

MEDIA_DIR = Path(__file__).with_name("media")

FFMPEG_ARGS = [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=128x128:rate=10",
    "-t",
    "1",
    "-c:v",
    "libx264",
    "-preset",
    "veryslow",
    "-crf",
    "35",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
]


def png_bytes(width: int = 256, height: int = 256) -> bytes:
    """Encode an RGB gradient (red grows left to right, green top to bottom) as a PNG."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    rows = bytearray()
    for y in range(height):
        rows.append(1)  # filter type "Sub": each byte minus the byte 3 to its left (compresses a gradient well)
        previous = (0, 0, 0)
        for x in range(width):
            pixel = (x * 255 // (width - 1), y * 255 // (height - 1), 128)
            rows += bytes((value - left) & 0xFF for value, left in zip(pixel, previous, strict=True))
            previous = pixel
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def write_wav(path: Path, seconds: float = 1.0, rate: int = 8000, freq: float = 440.0) -> None:
    """Write a mono 16-bit sine tone."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        frames += struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / rate)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))


def main() -> int:
    """Write all three files into ``media/``; return a process exit code."""
    MEDIA_DIR.mkdir(exist_ok=True)
    (MEDIA_DIR / "sample.png").write_bytes(png_bytes())
    write_wav(MEDIA_DIR / "sample.wav")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("ffmpeg not found: sample.mp4 left as it is", file=sys.stderr)
        return 1
    subprocess.run([ffmpeg, *FFMPEG_ARGS, str(MEDIA_DIR / "sample.mp4")], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
