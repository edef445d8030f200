"""Fetching output files from URLs the API chose: one guarded walk, to disk (`downloads`) or into memory.

`checked_get` is the only way an output URL is opened: the URL and each redirect hop (followed here, at most
`MAX_HOPS`) must be http(s) and reach a public address (`mcp_server.netguard`, which also checks the address
actually connected to), and no API key is sent (output URLs live on a CDN). `fetch_capped` reads one output into
memory for an inline preview or `resources/read` of an output that was not saved (hosted mode saves nothing by
default): a declared length over the cap is refused before any byte is read, the read stops as soon as the cap
is passed, and only media of the allow-list (by its bytes) is returned.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2

from mcp_server.media import HEAD_BYTES, sniff_media
from mcp_server.netguard import UnsafeURL, check_url

MAX_HOPS = 5


class TooLarge(ValueError):
    """The file is larger than the cap; nothing beyond the cap was read."""


class NotMedia(ValueError):
    """The bytes are not an image, audio or video of the allow-list."""


@asynccontextmanager
async def checked_get(http: httpx2.AsyncClient, url: str, *, allow_private: bool
                      ) -> AsyncIterator[httpx2.Response]:
    """The streamed answer to GET `url` after checked redirects; raises for an error status or an unsafe hop."""
    target = check_url(url, allow_private=allow_private)
    for _ in range(MAX_HOPS + 1):
        async with http.stream("GET", target, follow_redirects=False) as response:
            if response.is_redirect and "location" in response.headers:
                target = check_url(target.join(response.headers["location"]), allow_private=allow_private)
                continue
            response.raise_for_status()
            yield response
            return
    raise UnsafeURL(f"more than {MAX_HOPS} redirects")


async def fetch_capped(http: httpx2.AsyncClient, url: str, cap: int, *, allow_private: bool
                       ) -> tuple[bytes, str]:
    """The bytes at `url` and their media type; TooLarge over `cap`, NotMedia when they are not media."""
    async with checked_get(http, url, allow_private=allow_private) as response:
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
    mime = sniff_media(data[:HEAD_BYTES])
    if mime is None:
        raise NotMedia("not an image, audio or video file by its content")
    return data, mime


async def try_fetch(http: httpx2.AsyncClient, url: str, cap: int, *, allow_private: bool) -> tuple[bytes, str] | None:
    """`fetch_capped` for something optional (a preview): None when it fails, is too large or is not media."""
    try:
        return await fetch_capped(http, url, cap, allow_private=allow_private)
    except (httpx2.HTTPError, ValueError):
        return None
