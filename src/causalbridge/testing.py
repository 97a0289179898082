"""Conformance checks any component can run against itself, as scikit-learn's ``check_estimator`` does.

``check_backend(backend)`` exercises the :class:`~causalbridge.llm.Backend` contract that every feature relies on:
declared capabilities, batched operations that return one well-formed result per prompt, probabilities that
sum to one, usage that grows, cache hits that are counted, and simulations that say so. Our own backends' tests
call it, and so can a plugin's. A failure raises AssertionError naming the broken rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel

from causalbridge.llm.aio import run_sync
from causalbridge.llm.types import (
    Backend,
    Capabilities,
    Choice,
    Completion,
    GenerationParams,
    Prompt,
    Structured,
    Usage,
)


class Verdict(BaseModel):
    """The small schema ``check_backend`` asks for with ``structured``."""

    answer: str
    confidence: float


def _require(condition: bool, rule: str) -> None:
    if not condition:
        raise AssertionError(f"check_backend: {rule}")


def _check_usage(usage: object, where: str) -> None:
    _require(isinstance(usage, Usage), f"{where}: usage must be a Usage, got {type(usage).__name__}")
    assert isinstance(usage, Usage)
    _require(usage.queries >= 1, f"{where}: usage.queries must count the question")
    _require(usage.wall_seconds >= 0 and usage.prompt_tokens >= 0, f"{where}: usage must not be negative")


def _check_choice(choice: object, options: tuple[str, ...], where: str) -> None:
    _require(isinstance(choice, Choice), f"{where}: choose must return Choice objects")
    assert isinstance(choice, Choice)
    _require(choice.options == options, f"{where}: options {choice.options} != {options}")
    _require(len(choice.probs) == len(options), f"{where}: one probability per option")
    _require(all(0.0 <= p <= 1.0 for p in choice.probs), f"{where}: probabilities must lie in [0, 1]")
    _require(math.isclose(sum(choice.probs), 1.0, abs_tol=1e-6), f"{where}: probabilities sum to {sum(choice.probs)}")
    if choice.abstained:
        _require(max(choice.probs) - min(choice.probs) < 1e-9, f"{where}: an abstention must be uniform")
    _require(choice.best in options, f"{where}: best must be one of the options")
    _check_usage(choice.usage, where)


async def acheck_backend(
    backend: Backend,
    prompts: Sequence[Prompt] = ("Is the sky blue? Reply yes or no.", "Does rain cause wet streets?"),
    options: Sequence[str] = ("yes", "no"),
    expect_cache: bool | None = None,
    max_tokens: int = 16,
) -> None:
    """The async form of :func:`check_backend` (for callers already inside an event loop)."""
    _require(len(prompts) >= 2, "give at least two prompts so batching is exercised")
    opts = tuple(options)
    _require(isinstance(backend, Backend), "the object does not implement the Backend protocol")
    _require(isinstance(backend.name, str) and bool(backend.name), "name must be a non-empty string")
    caps = backend.capabilities
    _require(isinstance(caps, Capabilities), "capabilities must be a Capabilities instance")
    _require(caps.max_context > 0, "capabilities.max_context must be positive")
    if caps.is_simulation:
        _require("simulated" in backend.name, "a simulation's name must say 'simulated'")
    before = backend.usage
    _require(isinstance(before, Usage), "usage must be a Usage")

    params = GenerationParams(max_tokens=max_tokens, temperature=0.0)
    completions = await backend.complete(list(prompts), params)
    _require(len(completions) == len(prompts), f"complete returned {len(completions)} results for {len(prompts)}")
    for i, completion in enumerate(completions):
        _require(isinstance(completion, Completion), f"complete[{i}] must be a Completion")
        _require(isinstance(completion.text, str), f"complete[{i}].text must be a string")
        _check_usage(completion.usage, f"complete[{i}]")

    choices = await backend.choose(list(prompts), opts)
    _require(len(choices) == len(prompts), f"choose returned {len(choices)} results for {len(prompts)}")
    for i, choice in enumerate(choices):
        _check_choice(choice, opts, f"choose[{i}]")

    structured = await backend.structured(list(prompts), Verdict, retries=1)
    _require(len(structured) == len(prompts), f"structured returned {len(structured)} results for {len(prompts)}")
    for i, item in enumerate(structured):
        _require(isinstance(item, Structured), f"structured[{i}] must be a Structured")
        _require(item.value is None or isinstance(item.value, Verdict), f"structured[{i}].value must be a Verdict")
        _require(item.value is not None or bool(item.error), f"structured[{i}]: an abstention must give its reason")
        _require(1 <= item.attempts <= 2, f"structured[{i}].attempts must be within 1 + retries")
        _check_usage(item.usage, f"structured[{i}]")

    after = backend.usage
    asked = 3 * len(prompts)
    _require(
        after.queries - before.queries == asked, f"usage.queries grew by {after.queries - before.queries}, not {asked}"
    )
    _require(after.wall_seconds >= before.wall_seconds, "usage.wall_seconds must not shrink")

    again = await backend.complete(list(prompts), params)
    cached = getattr(getattr(backend, "cache", None), "persistent", False) if expect_cache is None else expect_cache
    if cached or caps.is_local:  # hosted models are not bit-reproducible at temperature 0 without a cache
        _require([c.text for c in again] == [c.text for c in completions], "greedy completions must be reproducible")
    if cached:
        hits = backend.usage.cache_hits - after.cache_hits
        _require(hits == len(prompts), f"a repeated call must be answered from the cache ({hits} hits)")
        _require(all(c.usage.cache_hits == 1 for c in again), "each cached result must count its cache hit")


def check_backend(
    backend: Backend,
    prompts: Sequence[Prompt] = ("Is the sky blue? Reply yes or no.", "Does rain cause wet streets?"),
    options: Sequence[str] = ("yes", "no"),
    expect_cache: bool | None = None,
    max_tokens: int = 16,
) -> None:
    """Check that ``backend`` honours the Backend contract; raise AssertionError on the first broken rule.

    ``expect_cache`` (default: whether ``backend.cache`` is persistent) demands that repeating a call is
    answered from the cache. It makes about ``3 * len(prompts)`` questions plus one repeat; ``max_tokens``
    bounds the free-text replies (keep it small for slow local models).
    """
    run_sync(acheck_backend(backend, prompts, options, expect_cache, max_tokens))
