"""The Unifically REST client: one `httpx2.AsyncClient` per server, with an injectable transport.

Maps every failure onto `mcp_server.errors` and applies `mcp_server.retry`. Handles both readings where the docs
disagree: the account path with and without `/v1`, and upload responses outside or inside the usual envelope.
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

import httpx2

from mcp_server import errors as E
from mcp_server.retry import RetryPolicy, may_retry
from mcp_server.settings import Settings

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


class UnificallyClient:
    def __init__(self, settings: Settings, transport: httpx2.AsyncBaseTransport | None = None,
                 retry: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self.time = settings.timebase
        self._key = settings.key()
        self._http = httpx2.AsyncClient(transport=transport, timeout=settings.request_timeout,
                                        follow_redirects=True, headers={"User-Agent": "unifically-mcp"})

    def bound(self, key: str | None) -> UnificallyClient:
        """This client (same connection pool) acting with another API key: a hosted user's own."""
        clone = copy.copy(self)
        clone._key = key
        return clone

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    @property
    def http(self) -> httpx2.AsyncClient:
        """The shared HTTP client (no API key attached: it is added per API request only)."""
        return self._http

    async def aclose(self) -> None:
        await self._http.aclose()

    # ----- API operations -------------------------------------------------------------------------------
    async def create_task(self, model: str, input: dict[str, Any], *, callback_url: str | None = None,
                          dry_run: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "input": input}
        if callback_url:
            body["callback_url"] = callback_url
        if dry_run:
            body["dry_run"] = True
        return await self._call("POST", "/v1/tasks", json=body, creates_task=not dry_run, what=f"create {model}")

    async def get_task(self, task_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/tasks/{task_id}", what=f"task {task_id}", task_read=True)

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
                    upload: bool = False, task_read: bool = False, **kwargs: Any) -> Any:
        key = self._key
        if not key:
            raise E.MissingApiKey(missing_key_message())
        url = path if path.startswith("http") else self.settings.base_url + path
        headers = {"Authorization": f"Bearer {key}"}
        attempt = 0
        while True:
            try:
                return await self._once(method, url, headers, what, (creates_task, upload, task_read), kwargs)
            except E.UnificallyError as error:
                error.message = E.redact(error.message, key)
                delay = self.retry.delay(attempt, error) if may_retry(error, creates_task=creates_task) else None
                if delay is None:
                    raise
                log.warning("%s: %s; retrying in %.1fs (attempt %d)", what, error.message, delay, attempt + 2)
                await self.time.sleep(delay)
                attempt += 1

    async def _once(self, method: str, url: str, headers: dict[str, str], what: str,
                    flags: tuple[bool, bool, bool], kwargs: dict[str, Any]) -> Any:
        creates_task, upload, task_read = flags
        started = time.monotonic()
        try:
            response = await self._http.request(method, url, headers=headers, **kwargs)
        except _NOT_SENT as exc:
            raise E.ConnectionFailed(f"Could not reach {httpx2.URL(url).host} ({type(exc).__name__}). "
                                     "Nothing was sent; check the network or UNIFICALLY_BASE_URL.") from None
        except httpx2.TransportError as exc:
            if creates_task:
                raise E.OutcomeUnknown(outcome_unknown_message(what, type(exc).__name__)) from None
            if isinstance(exc, httpx2.TimeoutException):
                raise E.RequestTimeout(f"{what}: the API did not answer in time ({type(exc).__name__}).") from None
            raise E.ConnectionFailed(f"{what}: the connection failed ({type(exc).__name__}).") from None
        log.info("%s %s -> %s in %.2fs", method, httpx2.URL(url).path, response.status_code,
                 time.monotonic() - started)
        return parse_response(response, what=what, creates_task=creates_task, upload=upload, task_read=task_read)


def parse_response(response: httpx2.Response, *, what: str, creates_task: bool = False, upload: bool = False,
                   task_read: bool = False) -> Any:
    """Unwrap the `{success, code, data}` envelope (or the upload shape), or raise the mapped error."""
    try:
        body = response.json()
    except ValueError:
        body = None
    status = response.status_code
    if isinstance(body, dict) and "success" in body:
        data = body.get("data")
        if body["success"] is True and status < 400:
            return body if upload and "file_url" in body else data
        code = body.get("code") if isinstance(body.get("code"), int) and body.get("code") >= 400 else status
        message = data.get("message") if isinstance(data, dict) else None
        if task_read and isinstance(data, dict) and str(data.get("status", "")).lower() == "failed":
            return {**data, "error_message": message}  # some models report a failed task as an error answer
        raise error_for(code if code >= 400 else 400, str(message or body.get("message") or "no message"), what)
    if status >= 400:
        snippet = response.text[:200].strip() if body is None else str(body)[:200]
        raise error_for(status, snippet or response.reason_phrase, what)
    if creates_task:
        raise E.OutcomeUnknown(outcome_unknown_message(what, f"unreadable HTTP {status} answer"))
    kind = "a non-JSON body" if body is None else "JSON outside the documented envelope"
    raise E.ProtocolViolation(f"{what}: the API answered HTTP {status} with {kind}; cannot interpret it.")


def error_for(status: int, message: str, what: str) -> E.UnificallyError:
    """The error class and message for an API error status."""
    if status == 401:
        return E.AuthError(f"The Unifically API refused the API key (401: {message}). Check that "
                           "UNIFICALLY_API_KEY holds a valid key from https://unifically.com/dashboard.", status=401)
    if status == 402:
        return E.InsufficientBalance(f"Insufficient balance (402: {message}). Top up at "
                                     "https://unifically.com/dashboard; get_account shows the balance and "
                                     "dry_run=true shows a request's price.", status=402)
    if status == 404:
        return E.NotFound(f"{what}: not found (404: {message}). Check the task id (list_tasks shows recent "
                          "tasks) or the model id (list_models shows every model).", status=404)
    if status == 429:
        seconds = E.parse_lifted_in(message)
        hint = f" Try again in {seconds:g} s." if seconds is not None else " Try again shortly."
        return E.RateLimited(f"Rate limited by the Unifically API (429: {message}).{hint}", retry_after=seconds)
    if status >= 500:
        return E.ServerError(f"{what}: the Unifically API failed with HTTP {status}: {message}", status=status)
    return E.BadRequest(f"{what}: the API rejected the request ({status}): {message}", status=status)


def outcome_unknown_message(what: str, reason: str) -> str:
    return (f"{what}: the request was sent but no usable answer came back ({reason}). The task may or may not "
            "have been created (and charged); it was NOT resent, to avoid paying twice. Check list_tasks or "
            "get_account (balance) before creating it again.")


def missing_key_message() -> str:
    return ("No Unifically API key is configured. Set UNIFICALLY_API_KEY in the MCP server's environment "
            "(get a key at https://unifically.com/dashboard), or start the server with `unifically-mcp serve "
            "--simulate` to try everything against the built-in offline simulator.")
