"""Shared pieces for the discovery tests: bundled networks, simulated experts and a scripted HTTP model.

The scripted model is a real OpenAI-compatible server on 127.0.0.1 (``causalbridge.llm.scripted_server``); each
test gives it a responder that reads the prompt text, exactly as a language model would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from causalbridge.data import CausalDataset, Network, load_network
from causalbridge.llm import NullCache, RetryPolicy
from causalbridge.llm.backends.openai_compat import OpenAICompatBackend
from causalbridge.llm.scripted_server import Reply, ScriptedServer

FAST_RETRY = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.005, max_retry_after=1.0)


@pytest.fixture(scope="session")
def asia() -> Network:
    return load_network("asia")


@pytest.fixture(scope="session")
def asia_data(asia: Network) -> CausalDataset:
    return asia.sample(2000, seed=0)


@pytest.fixture
def scripted() -> Iterator[Callable[..., OpenAICompatBackend]]:
    """``scripted(responder, **backend_options)``: a backend talking to a fresh scripted server."""
    servers: list[ScriptedServer] = []

    def build(responder: Callable[[dict[str, Any]], Reply], **options: Any) -> OpenAICompatBackend:
        server = ScriptedServer(responder).start()
        servers.append(server)
        settings: dict[str, Any] = {"base_url": server.base_url, "timeout": 5.0, "retry": FAST_RETRY}
        settings.update({"cache": NullCache(), **options})
        return OpenAICompatBackend("scripted-model", **settings)

    yield build
    for server in servers:
        server.stop()
