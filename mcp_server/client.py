"""The Unifically REST client: one `httpx2.AsyncClient` per server, with an injectable transport.

Maps every failure onto `mcp_server.errors` and applies `mcp_server.retry`. Handles both readings where the docs
disagree: the account path with and without `/v1`, and upload responses outside or inside the usual envelope.
Every answer is untrusted (`mcp_server.untrusted`): read under a size cap and a deadline, then sanitised and
redacted once, before anything else sees it. Redirects are never followed for a create (its outcome is then
unknown) and, for reads, only within the API's own origin, so the key never travels to another host.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import time
from typing import Any

import anyio
import httpx2

from mcp_server import errors as E
from mcp_server.answers import outcome_unknown_message, parse_answer
from mcp_server.keys import KNOWN_KEYS, request_keys, without_userinfo
from mcp_server.netguard import fetch_client
from mcp_server.retry import RetryPolicy, may_retry
from mcp_server.settings import Settings
from mcp_server.untrusted import Unreadable, clean, clean_text, decode_json, is_task_id, read_capped, task_path

log = logging.getLogger(__name__)

# Resource name (our enum) -> (path under the base URL, what it is for).
RESOURCES: dict[str, tuple[str, str]] = {
    "higgsfield_motions": ("/v1/resources/higgsfield-ai/motions", "Higgsfield motion presets (motion_id)"),
    "higgsfield_voices": ("/v1/resources/higgsfield-ai/voices", "Higgsfield TTS voices (voice_id)"),
    "higgsfield_sounds": ("/v1/resources/higgsfield-ai/sounds", "Higgsfield background sounds (sound_id)"),
    "camera_movements": ("/v1/resources/higgsfield-ai/camera-movements",
                         "Cinematic Studio camera movements (camera_motion_id / preset_id)"),
    "camera_settings": ("/v1/resources/higgsfield-ai/camera-settings",
                        "Cinematic Studio camera bodies, lenses, focal lengths, apertures"),
    "kling_voices": ("/v1/resources/kuaishou/kling/voices", "Kling voice presets (voice_id)"),
    "veo_voices": ("/v1/resources/google/voices/veo-3.1", "Veo 3.1 voices (voice, reference mode)"),
    "elevenlabs_voices": ("/v1/resources/elevenlabs/voices", "ElevenLabs voices (voice_id)"),
    "suno_verification_phrase": ("/v1/resources/suno-ai/voice/verification-phrase",
                                 "Suno voice verification phrase (phrase_id); takes language"),
}
PHRASE_LANGUAGES = ("zh", "en", "es", "fr", "pt", "de", "ja", "ko", "hi", "ru")
_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
MAX_REDIRECTS = 3  # same-origin hops a read may follow
INLINE_CLEAN_BYTES = 64 * 1024


class _Pools:
    """The two HTTP clients, created on first use: building one loads the system's CA bundle (tens of ms),
    which a server that only lists its tools never needs, and start-up stays short."""

    def __init__(self, settings: Settings, transport: httpx2.AsyncBaseTransport | None) -> None:
        self._settings, self._transport = settings, transport
        self._api: httpx2.AsyncClient | None = None
        self._fetch: httpx2.AsyncClient | None = None

    @property
    def api(self) -> httpx2.AsyncClient:
        if self._api is None:
            self._api = httpx2.AsyncClient(transport=self._transport, timeout=self._settings.request_timeout,
                                           follow_redirects=False, headers={"User-Agent": "unifically-mcp"})
        return self._api

    @property
    def fetch(self) -> httpx2.AsyncClient:
        if self._fetch is None:
            self._fetch = fetch_client(self._settings, self._transport)
        return self._fetch

    async def aclose(self) -> None:
        for client in (self._api, self._fetch):
            if client is not None:
                await client.aclose()


class UnificallyClient:
    def __init__(self, settings: Settings, transport: httpx2.AsyncBaseTransport | None = None,
                 retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self.time = settings.timebase
        self._key = settings.key()
        self._pools = _Pools(settings, transport)  # shared by every `bound` copy; made on first use

    def bound(self, key: str | None) -> UnificallyClient:
        """This client (same connection pool) acting with another API key: a hosted user's own."""
        clone = copy.copy(self)
        clone._key = key
        return clone

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    @property
    def account(self) -> str:
        """Which account this client pays with, as a digest of its key (never the key): part of what makes two
        requests the same (`spend.fingerprint`)."""
        return hashlib.sha256(f"unifically-account:{self._key or ''}".encode()).hexdigest()[:32]

    @property
    def http(self) -> httpx2.AsyncClient:
        """The HTTP client for third-party URLs (output downloads): never carries the API key, follows no
        redirect by itself, and connects only to public addresses (`mcp_server.netguard`)."""
        return self._pools.fetch

    async def aclose(self) -> None:
        await self._pools.aclose()

    # ----- API operations -------------------------------------------------------------------------------
    async def create_task(self, model: str, input: dict[str, Any], *, callback_url: str | None = None,
                          dry_run: bool = False, retry_until: float | None = None) -> dict[str, Any]:
        """Create (or with dry_run price) a task. `retry_until` (this client's time base) bounds the back-offs
        after a 429 or a connection that never sent, and the retried attempt: none is made that could end after it."""
        body: dict[str, Any] = {"model": model, "input": input}
        if callback_url:
            body["callback_url"] = callback_url
        if dry_run:
            body["dry_run"] = True
        what = f"create {model}"
        data = await self._call("POST", "/v1/tasks", json=body, creates_task=not dry_run, what=what,
                                retry_until=retry_until)
        if dry_run:
            return data
        task_id = data.get("task_id") if isinstance(data, dict) else None
        task_id = str(task_id) if isinstance(task_id, int) and not isinstance(task_id, bool) else task_id
        if not is_task_id(task_id):  # accepted, but we cannot tell which task: it may exist
            shown = "no task_id" if task_id in (None, "") else f"an invalid task_id {clean_text(repr(task_id))[:60]}"
            raise E.OutcomeUnknown(outcome_unknown_message(what, f"the API answered with {shown}"))
        return {**data, "task_id": task_id}

    async def get_task(self, task_id: str) -> dict[str, Any]:
        path = task_path(task_id)  # InvalidInput naming task_id before anything is sent
        data = await self._call("GET", path, what=f"task {task_id}", task_read=True)
        if not isinstance(data, dict):
            raise E.ProtocolViolation(f"task {task_id}: the API answered without a task object.")
        if data.get("task_id") != task_id:
            data = {**data, "task_id": task_id}  # the id we asked for, never one the answer substitutes
        return data

    async def get_resource(self, name: str, language: str | None = None) -> Any:
        path = RESOURCES[name][0]
        params = {"language": language} if language else None
        return await self._call("GET", path, params=params, what=f"resource {name}")

    async def get_account(self) -> dict[str, Any]:
        try:
            return await self._call("GET", "/account", what="account")
        except E.NotFound:  # the other reading of the docs
            return await self._call("GET", "/v1/account", what="account")

    async def upload(self, *, content: bytes | None = None, filename: str = "file", mime: str | None = None,
                     base64: str | None = None, url: str | None = None) -> str:
        """Upload by one of the three documented methods; returns the hosted `file_url`."""
        if content is not None:
            kwargs: dict[str, Any] = {"files": {"file": (filename, content, mime or "application/octet-stream")}}
        elif base64 is not None:
            kwargs = {"json": {"base64": base64}}
        else:
            kwargs = {"json": {"file_url": url}}
        data = await self._call("PUT", self.settings.upload_url, what="upload", upload=True, **kwargs)
        file_url = data.get("file_url") if isinstance(data, dict) else None
        if not isinstance(file_url, str):
            raise E.ProtocolViolation("The upload service answered without a file_url.")
        return file_url

    # ----- transport, envelope, errors, retries ----------------------------------------------------------
    async def _call(self, method: str, path: str, *, what: str, creates_task: bool = False,
                    upload: bool = False, task_read: bool = False, retry_until: float | None = None,
                    **kwargs: Any) -> Any:
        key = self._key
        if not key:
            raise E.MissingApiKey(missing_key_message())
        url = without_userinfo(path if path.startswith("http") else self.settings.base_url + path)
        request = _Request(method, url, {"Authorization": f"Bearer {key}"}, kwargs, request_keys(self.settings, key))
        timeout = min(self.settings.create_timeout, self.settings.request_timeout) if creates_task \
            else self.settings.request_timeout
        attempt = 0
        with KNOWN_KEYS.holding(request.keys):  # the log filter knows this request's key while it runs
            while True:
                try:
                    status, body, text, reason = await self._once(request, what, creates_task, timeout)
                    return parse_answer(status, body, text, reason, what=what, creates_task=creates_task,
                                        upload=upload, task_read=task_read)
                except E.UnificallyError as error:
                    delay = self.retry.delay(attempt, error) if may_retry(error, creates_task=creates_task) else None
                    if delay is None or not self._retry_fits(delay, timeout, retry_until):
                        raise
                    log.warning("%s: %s; retrying in %.1fs (attempt %d)", what, error.message, delay, attempt + 2)
                    await self.time.sleep(delay)
                    attempt += 1

    def _retry_fits(self, delay: float, timeout: float, retry_until: float | None) -> bool:
        """Whether a back-off of `delay` (time-base seconds) and then a whole attempt (`timeout` real seconds) end
        by `retry_until`: a retried create never runs past the call's budget, so a call ends within it (or within
        the first attempt's own timeout) plus a few seconds."""
        if retry_until is None:
            return True
        left = self.time.real(retry_until - self.time.monotonic())  # real seconds
        return self.time.real(delay) + timeout <= left

    async def _once(self, request: _Request, what: str, creates_task: bool,
                    timeout: float) -> tuple[int, Any, str, str]:
        """One exchange within `timeout` seconds in all: status, cleaned JSON body (or None), cleaned text."""
        started = time.monotonic()
        try:
            with anyio.fail_after(timeout):
                status, raw, reason = await self._exchange(request, what, creates_task, timeout)
        except TimeoutError:
            if creates_task:
                raise E.OutcomeUnknown(outcome_unknown_message(what, f"no answer within {timeout:g} s")) from None
            raise E.RequestTimeout(f"{what}: the API did not answer in time ({timeout:g} s).") from None
        except _NOT_SENT as exc:
            raise E.ConnectionFailed(f"Could not reach {httpx2.URL(request.url).host} ({type(exc).__name__}). "
                                     "Nothing was sent; check the network or UNIFICALLY_BASE_URL.") from None
        except httpx2.TransportError as exc:
            if creates_task:
                raise E.OutcomeUnknown(outcome_unknown_message(what, type(exc).__name__)) from None
            if isinstance(exc, httpx2.TimeoutException):
                raise E.RequestTimeout(f"{what}: the API did not answer in time ({type(exc).__name__}).") from None
            raise E.ConnectionFailed(f"{what}: the connection failed ({type(exc).__name__}).") from None
        except Unreadable as exc:
            if creates_task:
                raise E.OutcomeUnknown(outcome_unknown_message(what, str(exc))) from None
            raise E.ProtocolViolation(f"{what}: {exc}.") from None
        log.info("%s %s -> %s in %.2fs", request.method, httpx2.URL(request.url).path, status,
                 time.monotonic() - started)
        reason = clean_text(reason, *request.keys)  # the status line is the API's text too
        if len(raw) > INLINE_CLEAN_BYTES:  # a long answer is cleaned off the event loop
            return (status, *await anyio.to_thread.run_sync(_decode_clean, raw, request.keys), reason)
        return (status, *_decode_clean(raw, request.keys), reason)

    async def _exchange(self, request: _Request, what: str, creates_task: bool,
                        timeout: float) -> tuple[int, bytes, str]:
        """Send the request (following same-origin redirects of a read) and read the capped body."""
        url = httpx2.URL(request.url)
        limits = httpx2.Timeout(timeout, connect=timeout * 0.8)  # a refused connect is told apart from a lost answer
        for _ in range(MAX_REDIRECTS + 1):
            async with self._pools.api.stream(request.method, url, headers=request.headers, timeout=limits,
                                         **request.kwargs) as response:
                if not 300 <= response.status_code < 400:
                    return response.status_code, await read_capped(response, self.settings.max_response_bytes), \
                        response.reason_phrase
                url = self._redirect_target(url, response, what, creates_task)
        raise E.ProtocolViolation(f"{what}: more than {MAX_REDIRECTS} redirects; not followed further.")

    def _redirect_target(self, url: httpx2.URL, response: httpx2.Response, what: str, creates_task: bool
                         ) -> httpx2.URL:
        """Where a read may follow a 3xx: the same origin only. A create is never redirected."""
        status = response.status_code
        if creates_task:
            raise E.OutcomeUnknown(outcome_unknown_message(what, f"HTTP {status} redirect, not followed"))
        location = response.headers.get("location", "")
        try:
            target = url.join(location) if location else None
        except (httpx2.InvalidURL, ValueError):
            target = None
        if target is None or response.request.method != "GET" or _origin(target) != _origin(url):
            raise E.ProtocolViolation(f"{what}: the API answered HTTP {status} redirecting elsewhere; not "
                                      "followed (the API key is only ever sent to the configured API host).")
        log.info("%s: following HTTP %s within %s", what, status, url.host)
        return target


class _Request:
    """What one API call sends, and the keys its answer is redacted with."""

    def __init__(self, method: str, url: str, headers: dict[str, str], kwargs: dict[str, Any],
                 keys: tuple[str, ...]) -> None:
        self.method, self.url, self.headers, self.kwargs, self.keys = method, url, headers, kwargs, keys


def _decode_clean(raw: bytes, keys: tuple[str, ...]) -> tuple[Any, str]:
    """The cleaned JSON of a body and "", or None and the cleaned body as text when it is not JSON."""
    try:
        return clean(decode_json(raw), *keys), ""
    except Unreadable:
        return None, clean_text(raw.decode("utf-8", "replace"), *keys)


def _origin(url: httpx2.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def missing_key_message() -> str:
    return ("No Unifically API key is configured. Set UNIFICALLY_API_KEY in the MCP server's environment "
            "(get a key at https://unifically.com/dashboard), or start the server with `unifically-mcp serve "
            "--simulate` to try everything against the built-in offline simulator.")
