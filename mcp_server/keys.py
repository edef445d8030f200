"""Which strings are secret, and the log filter that keeps them out of every log record.

The keys known to a request are the key it is sent with (a hosted user's own, see
`UnificallyClient.bound`), the server's configured key, and any credentials in the userinfo of the
configured URLs. The log filter, the last line of defence, redacts the configured ones and every key a running
request holds from every record, whichever logger wrote it; a hosted user's key is forgotten when the request
made with it ends.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpx2

from mcp_server.settings import SIMULATOR_KEY, Settings
from mcp_server.untrusted import clean_text


class KnownKeys:
    """The secrets the log filter redacts, thread-safe: the configured ones (the server's own key, URL
    credentials) for the life of the process, and a hosted user's key only while a request made with it runs
    (`holding`), so that no user's key stays in memory after that user's work."""

    def __init__(self) -> None:
        self._configured: dict[str, None] = {}
        self._held: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, *keys: str | None) -> None:
        with self._lock:
            self._configured.update((key, None) for key in keys if key and key != SIMULATOR_KEY)

    @contextmanager
    def holding(self, keys: Iterable[str]) -> Iterator[None]:
        """Known for the block (nested and concurrent holds of one key are counted)."""
        held = [key for key in keys if key and key != SIMULATOR_KEY]
        with self._lock:
            self._held.update(held)
        try:
            yield
        finally:
            with self._lock:
                self._held.subtract(held)
                for key in held:
                    if self._held[key] <= 0:
                        del self._held[key]

    def all(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(dict.fromkeys([*self._configured, *self._held]))


KNOWN_KEYS = KnownKeys()


def without_userinfo(url: str) -> str:
    """`url` without its userinfo (credentials of any length): as a log line shows it, and as the API is called
    (httpx2 would turn userinfo into Basic auth in place of the key's Bearer header)."""
    try:
        parsed = httpx2.URL(url)
    except (httpx2.InvalidURL, TypeError, ValueError):
        return url  # the request fails on it with its own error; the log filter still redacts credentials
    return str(parsed.copy_with(username=None, password=None)) if parsed.userinfo else url


@functools.lru_cache(maxsize=64)
def url_credentials(url: str) -> tuple[str, ...]:
    """The user name and password in a URL's userinfo, when long enough to be a secret."""
    try:
        parsed = httpx2.URL(url)
    except (httpx2.InvalidURL, TypeError, ValueError):
        return ()
    return tuple(part for part in (parsed.username, parsed.password) if part and len(part) >= 8)


def request_keys(settings: Settings, key: str | None) -> tuple[str, ...]:
    """Every secret known to one request: its key, the configured key and the URLs' credentials."""
    configured = (settings.key(), *url_credentials(settings.base_url), *url_credentials(settings.upload_url))
    KNOWN_KEYS.add(*configured)  # for the process's life; a request's own key is held while it runs (client)
    return tuple(dict.fromkeys(k for k in (key, *configured) if k and k != SIMULATOR_KEY))


class RedactingFilter(logging.Filter):
    """Redacts every known key from a record's message, arguments, traceback and stack (never drops one)."""

    def __init__(self, keys: KnownKeys = KNOWN_KEYS) -> None:
        super().__init__()
        self.keys = keys

    def filter(self, record: logging.LogRecord) -> bool:
        keys = self.keys.all()
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: keep what can be shown, redacted
            message = f"{record.msg!r} (unformattable log arguments)"
        record.msg, record.args = clean_text(message, *keys), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = clean_text(record.exc_text, *keys)
        if record.stack_info:
            record.stack_info = clean_text(record.stack_info, *keys)
        return True


def install_log_redaction(settings: Settings | None = None, handlers: Iterable[logging.Handler] | None = None
                          ) -> None:
    """Add the redacting filter (once) to the given handlers, by default the root logger's, and make the
    keys of `settings` known to it right away (before any request is made)."""
    if settings is not None:
        request_keys(settings, None)
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
