"""Backoff with full jitter, Retry-After parsing, and giving up."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest

from causalbridge.llm import BackendError, RetryPolicy
from causalbridge.llm.retry import TransientError, backoff_delay, is_retryable_status, parse_retry_after, retry_async


def test_full_jitter_is_bounded_and_seeded() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    first = [backoff_delay(a, policy, random.Random(7)) for a in range(6)]
    assert first == [backoff_delay(a, policy, random.Random(7)) for a in range(6)]
    rng = random.Random(0)
    for attempt, ceiling in enumerate([1, 2, 4, 5, 5, 5]):
        delays = [backoff_delay(attempt, policy, rng) for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= ceiling
        assert max(delays) > 0.8 * ceiling  # full jitter spreads over the whole range
    assert backoff_delay(0, policy, random.Random(0), retry_after=3.0) == 3.0


def test_parse_retry_after() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 0.5 ") == 0.5
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0  # in the past: retry now
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after("-4") == 0.0


def test_retryable_statuses() -> None:
    assert all(is_retryable_status(s) for s in (408, 429, 500, 502, 503, 504, 599))
    assert not any(is_retryable_status(s) for s in (200, 400, 401, 403, 404, 422))


def _flaky(failures: list[Exception]) -> tuple[list[int], object]:
    calls: list[int] = []

    async def call() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "done"

    return calls, call


def test_retries_until_success_and_reports_each_retry() -> None:
    calls, call = _flaky([TransientError("a"), TransientError("b", retry_after=0.01)])
    waits: list[float] = []
    seen: list[int] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    result = asyncio.run(
        retry_async(
            call,  # type: ignore[arg-type]
            RetryPolicy(max_attempts=3, base_delay=0.001),
            random.Random(0),
            on_retry=lambda attempt, error, delay: seen.append(attempt),
            sleep=fake_sleep,
        )
    )
    assert result == "done" and len(calls) == 3 and seen == [1, 2]
    assert waits[0] <= 0.001 and waits[1] == 0.01


def test_gives_up_with_a_clear_error() -> None:
    calls, call = _flaky([TransientError("HTTP 503: busy")] * 5)
    with pytest.raises(BackendError, match=r"srv: chat failed: HTTP 503: busy \(after 2 attempts\)"):
        asyncio.run(
            retry_async(
                call, RetryPolicy(max_attempts=2, base_delay=0), random.Random(0), describe="chat", backend="srv"
            )
        )  # type: ignore[arg-type]
    assert len(calls) == 2


def test_other_errors_are_not_retried() -> None:
    calls, call = _flaky([KeyError("bug")])
    with pytest.raises(KeyError):
        asyncio.run(retry_async(call, RetryPolicy(), random.Random(0)))  # type: ignore[arg-type]
    assert len(calls) == 1
