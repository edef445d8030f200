"""Output files read into memory, never onto disk: inline previews, and `resources/read` of an output that was
not saved (hosted mode saves nothing by default).

An output URL is streamed under a size cap: a declared length over the cap is refused before any byte is read,
and the read stops as soon as the cap is passed, so a large video never fills memory. No API key is sent (the
client's `http` carries none: output URLs live on a CDN).
"""

from __future__ import annotations

import httpx2

from mcp_server.media import HEAD_BYTES, sniff_mime


class TooLarge(ValueError):
    """The file is larger than the cap; nothing beyond the cap was read."""


async def fetch_capped(http: httpx2.AsyncClient, url: str, cap: int) -> tuple[bytes, str]:
    """The bytes at `url` and their media type (from the bytes, else the declared type); TooLarge over `cap`."""
    async with http.stream("GET", url) as response:
        response.raise_for_status()
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLarge(f"{int(declared)} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise TooLarge(f"more than {cap} bytes")
            chunks.append(chunk)
        data = b"".join(chunks)
        return data, sniff_mime(data[:HEAD_BYTES], response.headers.get("content-type"))


async def try_fetch(http: httpx2.AsyncClient, url: str, cap: int) -> tuple[bytes, str] | None:
    """`fetch_capped` for something optional (a preview): None when it fails or is too large."""
    try:
        return await fetch_capped(http, url, cap)
    except (httpx2.HTTPError, TooLarge, ValueError):
        return None
