"""The LLM layer: one :class:`Backend` protocol for hosted, local, recorded and simulated models.

Build a backend from a spec string at the edge (``make_backend("local:smollm2")``) or from its class in code, then
``await backend.choose(prompts, options)`` (or ``run_sync(...)`` from synchronous code). Every result carries its
:class:`Usage`; the backend's ``usage`` is the running total. Attach a :class:`CausalClaim` to a prompt with
:class:`Query` so simulated experts and scorers know what it asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from causalbridge.llm.aio import run_sync
from causalbridge.llm.backends.replay import RecordingBackend, ReplayBackend
from causalbridge.llm.backends.simulated import SimulatedExpert
from causalbridge.llm.base import BaseBackend, OptionScores, RawCompletion
from causalbridge.llm.cache import Cache, NullCache, SqliteCache, cache_key, default_cache_dir
from causalbridge.llm.claims import Answer, CausalClaim, Relation, claim_truth
from causalbridge.llm.errors import BackendError, ReplayMissError
from causalbridge.llm.parsing import extract_option
from causalbridge.llm.pricing import Price, price_for
from causalbridge.llm.retry import RetryPolicy
from causalbridge.llm.spec import ModelSpec, availability, make_backend, parse_spec, register_backend, registered_kinds
from causalbridge.llm.types import (
    Backend,
    Capabilities,
    Choice,
    Completion,
    GenerationParams,
    Message,
    Prompt,
    Query,
    Structured,
    Usage,
    as_messages,
    claim_of,
)

if TYPE_CHECKING:
    from causalbridge.llm.backends.local import LocalBackend
    from causalbridge.llm.backends.openai_compat import OpenAIBackend, OpenAICompatBackend

_LAZY = {
    "LocalBackend": "causalbridge.llm.backends.local",
    "OpenAIBackend": "causalbridge.llm.backends.openai_compat",
    "OpenAICompatBackend": "causalbridge.llm.backends.openai_compat",
}


def __getattr__(name: str) -> Any:
    """Backends with heavier imports (httpx, the engines) load on first use."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Answer",
    "Backend",
    "BackendError",
    "BaseBackend",
    "Cache",
    "Capabilities",
    "CausalClaim",
    "Choice",
    "Completion",
    "GenerationParams",
    "LocalBackend",
    "Message",
    "ModelSpec",
    "NullCache",
    "OpenAIBackend",
    "OpenAICompatBackend",
    "OptionScores",
    "Price",
    "Prompt",
    "Query",
    "RawCompletion",
    "RecordingBackend",
    "Relation",
    "ReplayBackend",
    "ReplayMissError",
    "RetryPolicy",
    "SimulatedExpert",
    "SqliteCache",
    "Structured",
    "Usage",
    "as_messages",
    "availability",
    "cache_key",
    "claim_of",
    "claim_truth",
    "default_cache_dir",
    "extract_option",
    "make_backend",
    "parse_spec",
    "price_for",
    "register_backend",
    "registered_kinds",
    "run_sync",
]
