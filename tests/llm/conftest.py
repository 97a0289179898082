"""Fixtures for the LLM layer: a real scripted OpenAI-compatible server on 127.0.0.1 and fast retry policies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from causalbridge.llm import NullCache, RetryPolicy, SqliteCache
from causalbridge.llm.backends.openai_compat import OpenAICompatBackend
from causalbridge.llm.scripted_server import ScriptedServer

#: Retries in tests wait milliseconds, not seconds.
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.005, max_retry_after=5.0)

HttpFactory = Callable[..., OpenAICompatBackend]


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[SqliteCache]:
    opened = SqliteCache(tmp_path / "cache")
    yield opened
    opened.close()


@pytest.fixture
def http(server: ScriptedServer) -> HttpFactory:
    """Build a backend for the scripted server: 2 s timeout, 3 fast attempts and no cache unless overridden."""

    def build(**overrides: Any) -> OpenAICompatBackend:
        settings: dict[str, Any] = {
            "base_url": server.base_url,
            "timeout": 2.0,
            "retry": FAST_RETRY,
            "cache": NullCache(),
        }
        settings.update(overrides)
        return OpenAICompatBackend("scripted-model", **settings)

    return build
