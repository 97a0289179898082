"""Retrying transient failures: exponential backoff with full jitter, honouring ``Retry-After``.

Full jitter (a delay drawn uniformly from ``[0, min(cap, base * 2**attempt)]``) spreads many clients' retries so
they do not hit a recovering server in lock-step. A server's ``Retry-After`` (seconds or an HTTP date) is a floor
on the delay; one asking for more than ``max_retry_after`` ends the retries at once rather than stall a study.
The jitter comes from a seeded ``random.Random`` so tests can predict every delay.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from causalbridge.errors import InputError
from causalbridge.llm.errors import BackendError

T = TypeVar("T")

#: HTTP statuses worth retrying: timeouts, conflicts from overloaded proxies, rate limits and server errors.
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. ``max_attempts`` counts the first try; delays are in seconds."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InputError(f"max_attempts must be >= 1, got {self.max_attempts}", where="RetryPolicy")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise InputError("delays must be >= 0", where="RetryPolicy")


class TransientError(Exception):
    """A failure worth retrying; ``retry_after`` is the server's requested wait in seconds, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or 500 <= status < 600


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date); None if absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if seconds == seconds else None  # NaN is unreadable


def backoff_delay(attempt: int, policy: RetryPolicy, rng: random.Random, retry_after: float | None = None) -> float:
    """The wait before retry number ``attempt`` (0-based): full jitter, but never less than ``retry_after``."""
    ceiling = min(policy.max_delay, policy.base_delay * (2.0**attempt))
    delay = rng.uniform(0.0, ceiling)
    return max(delay, retry_after) if retry_after is not None else delay


async def retry_async(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    rng: random.Random,
    *,
    describe: str = "request",
    backend: str | None = None,
    on_retry: Callable[[int, TransientError, float], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run ``call`` until it succeeds, retrying :class:`TransientError` with backoff; give up with BackendError.

    Any other exception propagates at once: only failures the caller marked transient are retried.
    """
    for attempt in range(policy.max_attempts):
        try:
            return await call()
        except TransientError as error:
            last_attempt = attempt == policy.max_attempts - 1
            if error.retry_after is not None and error.retry_after > policy.max_retry_after:
                raise BackendError(
                    f"{describe} failed: {error}; the server asked to wait {error.retry_after:.0f} s, more than the "
                    f"{policy.max_retry_after:.0f} s allowed",
                    backend,
                    attempt + 1,
                ) from error
            if last_attempt:
                raise BackendError(f"{describe} failed: {error}", backend, attempt + 1) from error
            delay = backoff_delay(attempt, policy, rng, error.retry_after)
            if on_retry is not None:
                on_retry(attempt + 1, error, delay)
            await sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
