"""The key never comes back, whatever path it takes, and no answer can poison a result, the log or the journal.

The API echoes the key (in any case, URL-encoded, or a fragment of it) and lone surrogates in a failed task's
error, a completed task's outputs and URLs, account data and error bodies; the full server is driven through
all of it and then restarted on the same journal.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

import pytest

from mcp_server.errors import REDACTED, redact
from mcp_server.keys import KNOWN_KEYS, RedactingFilter, install_log_redaction, request_keys
from tests.conftest import API_KEY, make_settings

SURROGATE = re.compile("[\ud800-\udfff]")
ENCODED = "".join(f"%{ord(c):02X}" for c in API_KEY)  # every character percent-encoded
HALF = "".join(f"%{ord(c):02x}" if n % 2 else c for n, c in enumerate(API_KEY))  # every other one, lower hex
FORMS = [API_KEY, API_KEY.upper(), ENCODED, HALF, API_KEY[3:14], API_KEY[-12:].lower()]


def leaks(text: str, key: str = API_KEY) -> list[str]:
    """The fragments (8+ characters, any case, also URL-encoded) of the key found in text."""
    views = (text.lower(), unquote(text).lower())
    return [key[i:i + 8] for i in range(len(key) - 7) if any(key[i:i + 8].lower() in view for view in views)]


@pytest.mark.parametrize("form", FORMS)
def test_redact_finds_the_key_in_any_form(form):
    text = f"before {form} after"
    cleaned = redact(text, API_KEY)
    assert leaks(cleaned) == [] and cleaned.startswith("before ") and cleaned.endswith(" after")
    assert REDACTED in cleaned


def test_redact_keeps_everything_else():
    text = "https://cdn.example.com/out%20file.png?sig=abc 100% sure, Tschüß"
    assert redact(text, API_KEY, None) == text
    assert redact("sk-test", API_KEY) == "sk-test"  # 7 characters are not a fragment
    assert redact("x simulat y", "short") == "x simulat y" and redact("a short b", "short") == f"a {REDACTED} b"


def test_every_key_known_to_a_request_is_redacted(dirs):
    settings = make_settings(dirs, base_url="https://user:userinfo-secret-99@api.test")
    hosted = "hosted-user-key-abcdef123"
    keys = request_keys(settings, hosted)
    assert set(keys) == {hosted, API_KEY, "userinfo-secret-99"}
    text = f"{hosted.upper()} / {API_KEY} / userinfo-secret-99"
    assert all(leaks(redact(text, *keys), k) == [] for k in keys)
    assert request_keys(make_settings(dirs, simulate=True), None) == ()  # the simulator's key is public


def test_the_log_filter_redacts_every_record(dirs):
    KNOWN_KEYS.add(API_KEY)
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect()
    install_log_redaction(make_settings(dirs), handlers=[handler])
    install_log_redaction(handlers=[handler])
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1  # installed once
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("echo %s and %s \ud800", API_KEY.upper(), ENCODED)
        try:
            raise ValueError(f"boom {API_KEY}")
        except ValueError:
            logger.exception("failed with %r", {"key": API_KEY[2:20]})
        logger.error("bad format %d", API_KEY)
    finally:
        logger.removeHandler(handler)
    assert len(records) == 3 and "Traceback" in records[1]
    assert all(leaks(r) == [] and not SURROGATE.search(r) for r in records), records
