"""Backends for models that run on this machine (``hf:``, ``local:smollm2``, ``llamacpp:``) over an engine.

An engine (``causalbridge.llm.engines``) is synchronous and CPU- or GPU-bound. The backend runs it in a worker
thread so the event loop stays free, holds a lock so only one call uses the model at a time (engines are not
thread-safe and a second concurrent forward pass would only compete for the same cores), and hands the engine
whole batches so it can pad and run them together. Caching, accounting, sampling votes and structured retries
come from :class:`~causalbridge.llm.base.BaseBackend` like every other backend.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from causalbridge.errors import InputError
from causalbridge.llm.base import BaseBackend, Chat, OptionScores, RawCompletion
from causalbridge.llm.cache import Cache
from causalbridge.llm.engines.base import EngineOutput, LocalEngine
from causalbridge.llm.pricing import FREE
from causalbridge.llm.types import Capabilities, GenerationParams


class LocalBackend(BaseBackend):
    """A :class:`LocalEngine` behind the Backend protocol. ``kind`` is the spec prefix it was built from."""

    def __init__(
        self,
        engine: LocalEngine,
        *,
        name: str,
        kind: str = "local",
        cache: Cache | None = None,
        batch_size: int = 8,
        choose_samples: int = 5,
        sample_temperature: float = 0.7,
        seed: int = 0,
    ) -> None:
        if batch_size < 1:
            raise InputError(f"batch_size must be >= 1, got {batch_size}", where="batch_size")
        super().__init__(
            name=name,
            model=engine.model_id,
            capabilities=Capabilities(
                has_logprobs=engine.has_logprobs,
                supports_json_schema=False,
                max_context=engine.max_context,
                is_local=True,
            ),
            cache=cache,
            concurrency=1,
            price=FREE,
            choose_samples=choose_samples,
            sample_temperature=sample_temperature,
            seed=seed,
        )
        self.kind = kind
        self.engine = engine
        self.batch_size = batch_size
        self._engine_lock = threading.Lock()

    def _run_generate(self, chats: list[Chat], params: GenerationParams) -> list[EngineOutput]:
        with self._engine_lock:
            outputs = self.engine.generate(chats, params)
        if len(outputs) != len(chats):
            raise RuntimeError(
                f"engine {self.engine.model_id} returned {len(outputs)} replies for {len(chats)} prompts"
            )
        return outputs

    def _run_scores(self, chat: Chat, options: tuple[str, ...]) -> tuple[list[float], int]:
        with self._engine_lock:
            return self.engine.option_logprobs(chat, options)

    async def _generate(self, messages: Chat, params: GenerationParams) -> RawCompletion:
        (raw,) = await self._generate_many([messages], params)
        return raw

    async def _generate_many(self, batch: Sequence[Chat], params: GenerationParams) -> list[RawCompletion]:
        raws: list[RawCompletion] = []
        for start in range(0, len(batch), self.batch_size):
            chunk = list(batch[start : start + self.batch_size])
            outputs = await asyncio.to_thread(self._run_generate, chunk, params)
            raws.extend(
                RawCompletion(o.text, o.prompt_tokens, o.completion_tokens, o.finish_reason or "stop") for o in outputs
            )
        return raws

    async def _score_options(self, messages: Chat, options: tuple[str, ...]) -> OptionScores | None:
        if not self.engine.has_logprobs:
            return None
        logprobs, prompt_tokens = await asyncio.to_thread(self._run_scores, messages, options)
        if len(logprobs) != len(options):
            raise RuntimeError(f"engine {self.engine.model_id} scored {len(logprobs)} of {len(options)} options")
        return OptionScores(tuple(logprobs), prompt_tokens)
