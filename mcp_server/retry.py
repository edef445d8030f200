"""Retry policy: which failures may be retried, and how long to wait before the next attempt.

Reads (GET, uploads) retry rate limits, 5xx and connection failures. Creating a task costs money, so it is
retried only when the API provably did not create it: a 429 answer, or a connection that failed before the
request was sent. Everything is awaited with `anyio.sleep`, so a cancelled tool call stops retrying at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from mcp_server.errors import ConnectionFailed, RateLimited, RequestTimeout, ServerError, UnificallyError


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A "lifted in: N seconds" longer than this is not waited out inside a tool call: the error is returned.
    max_rate_limit_wait: float = 30.0
    jitter: float = 0.25

    def delay(self, attempt: int, error: UnificallyError) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when the error must be returned now."""
        if attempt + 1 >= self.attempts:
            return None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > self.max_rate_limit_wait:
                return None
            return error.retry_after + random.uniform(0, self.jitter)
        backoff = min(self.max_delay, self.base_delay * (2**attempt))
        return random.uniform(backoff / 2, backoff)


def may_retry(error: UnificallyError, *, creates_task: bool) -> bool:
    """Whether this failure may be retried without risking a second paid task."""
    if creates_task:
        return isinstance(error, (RateLimited, ConnectionFailed))
    return isinstance(error, (RateLimited, ServerError, ConnectionFailed, RequestTimeout))
