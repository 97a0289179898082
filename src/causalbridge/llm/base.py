"""What every language-model backend shares: caching, accounting, batching, ``choose`` and ``structured``.

A concrete backend implements one primitive, :meth:`BaseBackend._generate` (one chat in, text and token counts
out), and optionally :meth:`BaseBackend._score_options` (option log-probabilities) and
:meth:`BaseBackend._generate_many` (native batching). Everything else lives here once, so every backend caches,
counts, retries structured output and reads options the same way:

* ``choose`` scores options by log-probabilities when the backend has them; otherwise it samples ``k`` replies at
  temperature > 0 with seeds ``seed, seed+1, ...`` and returns vote shares. Unreadable replies are abstentions.
* ``structured`` asks for JSON, validates it with pydantic, re-asks with the validation error appended, and after
  ``retries`` re-asks returns ``Structured(value=None, error=...)`` instead of raising.
* Usage is added to the backend's meter once per public call, after the call, from per-item tallies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from causalbridge.errors import InputError
from causalbridge.llm.aio import PerLoop, gather_all
from causalbridge.llm.cache import Cache, NullCache, cache_key
from causalbridge.llm.parsing import choose_messages, extract_json, extract_option, retry_messages, structured_messages
from causalbridge.llm.pricing import Price
from causalbridge.llm.types import (
    DEFAULT_PARAMS,
    Capabilities,
    Choice,
    Completion,
    GenerationParams,
    Message,
    Prompt,
    Structured,
    T,
    Usage,
    as_messages,
)
from causalbridge.llm.usage import UsageMeter, priced

Chat = tuple[Message, ...]
_REFUSALS = frozenset({"refusal", "content_filter"})


@dataclass(frozen=True, slots=True)
class RawCompletion:
    """One model reply as a backend primitive returns it. ``retries`` is transport bookkeeping, never cached."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str = "stop"
    retries: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "finish_reason": self.finish_reason,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RawCompletion:
        return cls(str(data["text"]), int(data["prompt_tokens"]), int(data["completion_tokens"]), data["finish_reason"])


@dataclass(frozen=True, slots=True)
class OptionScores:
    """Log-probabilities of each option (None where it got no mass); ``logprobs=None``: the model gave none."""

    logprobs: tuple[float | None, ...] | None
    prompt_tokens: int
    completion_tokens: int = 0
    retries: int = 0


@dataclass(slots=True)
class _Tally:
    """Mutable per-item accounting inside one public call."""

    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    retries: int = 0

    def spent(self, prompt_tokens: int, completion_tokens: int, retries: int) -> None:
        self.requests += 1
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.retries += retries


def normalise_logprobs(logprobs: Sequence[float | None]) -> tuple[float, ...] | None:
    """Softmax over the options that got any mass; None when none did."""
    finite = [lp for lp in logprobs if lp is not None and math.isfinite(lp)]
    if not finite:
        return None
    top = max(finite)
    weights = [math.exp(lp - top) if lp is not None and math.isfinite(lp) else 0.0 for lp in logprobs]
    total = sum(weights)
    return tuple(w / total for w in weights)


def validate_options(options: Sequence[str]) -> tuple[str, ...]:
    """Options as a tuple; at least two, distinct and non-empty (else InputError)."""
    result = tuple(options)
    if isinstance(options, str) or len(result) < 2:
        raise InputError(f"choose needs at least two options, got {options!r}", where="options")
    if any(not isinstance(o, str) or not o.strip() for o in result) or len(set(result)) != len(result):
        raise InputError(f"options must be distinct non-empty strings, got {result!r}", where="options")
    return result


def _validation_message(error: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in error.errors()[:5]]
    return "; ".join(parts)


class BaseBackend(ABC):
    """Shared machinery for language-model backends; subclasses implement :meth:`_generate`."""

    kind: str = "base"
    """The spec prefix (``openai``, ``hf`` ...); part of every cache key."""

    def __init__(
        self,
        *,
        name: str,
        model: str,
        capabilities: Capabilities,
        cache: Cache | None = None,
        concurrency: int = 8,
        price: Price | None = None,
        choose_samples: int = 5,
        sample_temperature: float = 0.7,
        seed: int = 0,
    ) -> None:
        if concurrency < 1 or choose_samples < 1:
            raise InputError("concurrency and choose_samples must be >= 1", where=name)
        self.name = name
        self.model = model
        self.capabilities = capabilities
        self.cache: Cache = cache if cache is not None else NullCache()
        self.concurrency = concurrency
        self.price = price
        self.choose_samples = choose_samples
        self.sample_temperature = sample_temperature
        self.seed = seed
        self.choose_max_tokens = 32
        self.structured_max_tokens = 1024
        self._meter = UsageMeter()
        self._semaphores: PerLoop[asyncio.Semaphore] = PerLoop(lambda: asyncio.Semaphore(self.concurrency))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @property
    def usage(self) -> Usage:
        return self._meter.total

    # ----------------------------------------------------------------- hooks for subclasses
    @abstractmethod
    async def _generate(self, messages: Chat, params: GenerationParams) -> RawCompletion:
        """One reply to one chat. Transport retries happen in here and are reported in ``retries``."""

    async def _generate_many(self, batch: Sequence[Chat], params: GenerationParams) -> list[RawCompletion]:
        """Replies to many chats; the default runs :meth:`_generate` concurrently under the concurrency limit."""

        async def one(messages: Chat) -> RawCompletion:
            async with self._semaphores.get():
                return await self._generate(messages, params)

        return await gather_all(one(m) for m in batch)

    async def _score_options(self, messages: Chat, options: tuple[str, ...]) -> OptionScores | None:
        """Log-probabilities of each option as the reply; None (the default) means "cannot, sample instead"."""
        return None

    def _session(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Per-call resources (an HTTP client); entered once around each public operation."""
        return contextlib.nullcontext()

    def model_identity(self) -> str:
        """What distinguishes this model in cache keys (more than ``model`` where a server URL matters)."""
        return self.model

    # ----------------------------------------------------------------- the three operations
    async def complete(self, prompts: Sequence[Prompt], params: GenerationParams = DEFAULT_PARAMS) -> list[Completion]:
        chats = [as_messages(p) for p in prompts]
        tallies = [_Tally() for _ in chats]
        async with self._timed(tallies) as usages:
            raws = await self._cached_generate(chats, params, tallies)
        return [Completion(raw.text, usage, raw.finish_reason) for raw, usage in zip(raws, usages, strict=True)]

    async def choose(self, prompts: Sequence[Prompt], options: Sequence[str]) -> list[Choice]:
        opts = validate_options(options)
        chats = [choose_messages(as_messages(p), opts) for p in prompts]
        tallies = [_Tally() for _ in chats]
        async with self._timed(tallies) as usages:
            probs: list[tuple[float, ...] | None] = [None] * len(chats)
            if self.capabilities.has_logprobs:
                probs = await gather_all(
                    self._cached_scores(chat, opts, tally) for chat, tally in zip(chats, tallies, strict=True)
                )
            todo = [i for i, p in enumerate(probs) if p is None]
            votes = await self._sample_votes([chats[i] for i in todo], opts, [tallies[i] for i in todo])
        results: list[Choice] = []
        voted = dict(zip(todo, votes, strict=True))
        for i, usage in enumerate(usages):
            p = probs[i]
            if p is not None:
                results.append(Choice(opts, p, usage, "logprobs"))
                continue
            counts, unread = voted[i]
            readable = sum(counts)
            shares = tuple(c / readable for c in counts) if readable else tuple(1.0 / len(opts) for _ in opts)
            results.append(Choice(opts, shares, usage, "sampling", self.choose_samples, readable == 0, unread))
        return results

    async def structured(self, prompts: Sequence[Prompt], schema: type[T], retries: int = 2) -> list[Structured[T]]:
        if retries < 0:
            raise InputError(f"retries must be >= 0, got {retries}", where="structured")
        schema_json = json.dumps(schema.model_json_schema(), sort_keys=True, separators=(",", ":"))
        params = GenerationParams(max_tokens=self.structured_max_tokens, temperature=0.0, json_schema=schema_json)
        chats = [structured_messages(as_messages(p), schema_json) for p in prompts]
        tallies = [_Tally() for _ in chats]
        async with self._timed(tallies) as usages:
            outcomes = await gather_all(
                self._structured_one(chat, schema, params, retries, tally)
                for chat, tally in zip(chats, tallies, strict=True)
            )
        return [
            Structured(value, usage, attempts, error)
            for (value, attempts, error), usage in zip(outcomes, usages, strict=True)
        ]

    # ----------------------------------------------------------------- internals
    @contextlib.asynccontextmanager
    async def _timed(self, tallies: list[_Tally]) -> AsyncIterator[list[Usage]]:
        """Time a public call and, once it is done, turn the tallies into per-item usage and meter them once."""
        usages: list[Usage] = []
        start = time.perf_counter()
        try:
            async with self._session():
                yield usages
        finally:  # a call that fails half-way still spent what it spent
            share = (time.perf_counter() - start) / max(1, len(tallies))
            for tally in tallies:
                usage = Usage(
                    queries=1,
                    prompt_tokens=tally.prompt_tokens,
                    completion_tokens=tally.completion_tokens,
                    cache_hits=tally.cache_hits,
                    wall_seconds=share,
                    requests=tally.requests,
                    retries=tally.retries,
                )
                usages.append(priced(usage, self.price))
            self._meter.add(Usage.total(usages))

    def _key(self, op: str, messages: Chat, extra: dict[str, Any]) -> str:
        return cache_key(self.kind, self.model_identity(), op, messages, extra)

    async def _cached_generate(
        self, chats: Sequence[Chat], params: GenerationParams, tallies: Sequence[_Tally]
    ) -> list[RawCompletion]:
        described: dict[str, Any] = {
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "stop": list(params.stop),
            "json_schema": params.json_schema,
        }
        if params.temperature > 0:
            described["seed"] = params.seed  # greedy decoding ignores the seed, so it must not split the cache
        keys = [self._key("complete", chat, described) for chat in chats]
        results: list[RawCompletion | None] = []
        for key, tally in zip(keys, tallies, strict=True):
            hit = self.cache.get(key)
            if hit is not None:
                tally.cache_hits += 1
            results.append(RawCompletion.from_json(hit) if hit is not None else None)
        misses = [i for i, r in enumerate(results) if r is None]
        if misses:
            fresh = await self._generate_many([chats[i] for i in misses], params)
            for i, raw in zip(misses, fresh, strict=True):
                tallies[i].spent(raw.prompt_tokens, raw.completion_tokens, raw.retries)
                self.cache.put(keys[i], raw.to_json(), self.model_identity())
                results[i] = raw
        return [r for r in results if r is not None]

    async def _cached_scores(self, chat: Chat, options: tuple[str, ...], tally: _Tally) -> tuple[float, ...] | None:
        key = self._key("choose-logprobs", chat, {"options": list(options)})
        hit = self.cache.get(key)
        if hit is not None:
            tally.cache_hits += 1
            return normalise_logprobs(hit["logprobs"])
        async with self._semaphores.get():
            scores = await self._score_options(chat, options)
        if scores is None:
            return None
        tally.spent(scores.prompt_tokens, scores.completion_tokens, scores.retries)
        if scores.logprobs is None:
            return None
        probs = normalise_logprobs(scores.logprobs)
        if probs is not None:
            self.cache.put(key, {"logprobs": list(scores.logprobs)}, self.model_identity())
        return probs

    async def _sample_votes(
        self, chats: list[Chat], options: tuple[str, ...], tallies: list[_Tally]
    ) -> list[tuple[list[int], int]]:
        """Vote counts per option and the number of unreadable replies, over ``choose_samples`` seeded draws."""
        if not chats:
            return []
        rounds = [
            GenerationParams(
                max_tokens=self.choose_max_tokens,
                temperature=self.sample_temperature,
                seed=self.seed + sample,
            )
            for sample in range(self.choose_samples)
        ]
        replies = await gather_all(self._cached_generate(chats, params, tallies) for params in rounds)
        votes: list[tuple[list[int], int]] = []
        for i in range(len(chats)):
            counts, unread = [0] * len(options), 0
            for round_replies in replies:
                picked = extract_option(round_replies[i].text, options)
                if picked is None:
                    unread += 1
                else:
                    counts[picked] += 1
            votes.append((counts, unread))
        return votes

    async def _structured_one(
        self, chat: Chat, schema: type[T], params: GenerationParams, retries: int, tally: _Tally
    ) -> tuple[T | None, int, str | None]:
        error = "no attempt made"
        for attempt in range(1, retries + 2):
            (raw,) = await self._cached_generate([chat], params, [tally])
            if raw.finish_reason in _REFUSALS:
                return None, attempt, f"the model refused ({raw.finish_reason}): {raw.text[:200]}"
            try:
                value = schema.model_validate(extract_json(raw.text))
            except ValueError as problem:  # pydantic's ValidationError is a ValueError too
                error = _validation_message(problem) if isinstance(problem, ValidationError) else str(problem)
                chat = retry_messages(chat, raw.text, error)
                continue
            return value, attempt, None
        return None, retries + 1, f"no valid {schema.__name__} after {retries + 1} attempts; last error: {error}"


def schema_name(schema: type[BaseModel]) -> str:
    """A name servers accept for a JSON schema (letters, digits, ``_`` and ``-``)."""
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in schema.__name__)[:64] or "Answer"
