"""A thread-safe running total of :class:`~causalbridge.llm.types.Usage` for one backend instance.

Backends add to the meter exactly once per public operation, after the operation finished, so transport retries,
re-asks and cache look-ups inside it can never be counted twice.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from causalbridge.llm.pricing import Price
from causalbridge.llm.types import Usage


class UsageMeter:
    """Accumulates usage; local engines run in worker threads, so additions take a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = Usage()

    def add(self, usage: Usage) -> None:
        with self._lock:
            self._total = self._total + usage

    @property
    def total(self) -> Usage:
        with self._lock:
            return self._total


def priced(usage: Usage, price: Price | None) -> Usage:
    """``usage`` with its cost filled in from ``price`` (None leaves the cost unknown)."""
    if price is None:
        return usage
    return replace(usage, cost_usd=price.cost(usage.prompt_tokens, usage.completion_tokens))
