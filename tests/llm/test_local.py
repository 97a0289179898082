"""The Backend wrapper over local engines: threads, locking, batching, accounting; and the real embedded model."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from causalbridge.llm import GenerationParams, Message, SqliteCache, make_backend, run_sync
from causalbridge.llm.backends.local import LocalBackend
from causalbridge.llm.engines.base import EngineOutput, LocalEngine
from causalbridge.testing import check_backend


class CountingEngine:
    """A tiny deterministic engine that records how it is called (the wrapper's logic is under test here;
    the real transformers engine is exercised by ``test_embedded_model_end_to_end`` below and tests/llm/engines)."""

    model_id = "counting-engine"
    max_context = 512

    def __init__(self, has_logprobs: bool = True) -> None:
        self.has_logprobs = has_logprobs
        self.batches: list[int] = []
        self.threads: set[str] = set()
        self.active = 0
        self.peak = 0
        self._guard = threading.Lock()

    def _enter(self) -> None:
        with self._guard:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.threads.add(threading.current_thread().name)

    def _leave(self) -> None:
        with self._guard:
            self.active -= 1

    def generate(self, prompts: Sequence[tuple[Message, ...]], params: GenerationParams) -> list[EngineOutput]:
        self._enter()
        try:
            self.batches.append(len(prompts))
            outputs = []
            for prompt in prompts:
                words = prompt[-1].content.split()
                text = "yes" if params.temperature == 0 or params.seed % 3 else "no"
                text = text if "Answer with exactly one of" in prompt[-1].content else " ".join(words[:3])
                outputs.append(EngineOutput(text, len(words), len(text.split()), "stop"))
            return outputs
        finally:
            self._leave()

    def option_logprobs(self, prompt: tuple[Message, ...], options: Sequence[str]) -> tuple[list[float], int]:
        self._enter()
        try:
            return [-float(i + 1) for i in range(len(options))], len(prompt[-1].content.split())
        finally:
            self._leave()


def test_the_test_engine_meets_the_protocol() -> None:
    assert isinstance(CountingEngine(), LocalEngine)


def test_batches_go_to_the_engine_in_chunks_off_the_event_loop() -> None:
    engine = CountingEngine()
    backend = LocalBackend(engine, name="hf:counting", kind="hf", batch_size=4)
    results = run_sync(backend.complete([f"prompt number {i} here" for i in range(10)]))
    assert engine.batches == [4, 4, 2]
    assert [r.text for r in results] == [f"prompt number {i}" for i in range(10)]
    assert all(not name.startswith("MainThread") for name in engine.threads)
    assert backend.usage.prompt_tokens == 40 and backend.usage.cost_usd == 0.0
    assert backend.capabilities.is_local and backend.capabilities.max_context == 512


def test_one_engine_call_at_a_time() -> None:
    engine = CountingEngine(has_logprobs=False)
    backend = LocalBackend(engine, name="hf:counting", kind="hf", batch_size=1, choose_samples=6)
    choices = run_sync(backend.choose([f"question {i}" for i in range(4)], ["yes", "no"]))
    assert engine.peak == 1  # six concurrent sampling rounds, serialised by the engine lock
    assert all(c.method == "sampling" and c.probs == pytest.approx((4 / 6, 2 / 6)) for c in choices)


def test_choose_uses_engine_logprobs() -> None:
    backend = LocalBackend(CountingEngine(), name="hf:counting", kind="hf")
    (choice,) = run_sync(backend.choose(["q"], ["a", "b", "c"]))
    assert choice.method == "logprobs"
    total = sum(math.exp(-k) for k in (1, 2, 3))
    assert choice.probs == pytest.approx(tuple(math.exp(-k) / total for k in (1, 2, 3)))
    assert choice.usage.prompt_tokens == 9  # "q" and the 8-word instruction the wrapper appends


def test_local_backend_conformance(tmp_path: Path) -> None:
    check_backend(LocalBackend(CountingEngine(), name="hf:counting", kind="hf", cache=SqliteCache(tmp_path)))


@pytest.mark.slow
def test_embedded_model_end_to_end(tmp_path: Path) -> None:
    """The real SmolLM2 through the spec, the engine and the wrapper: it loads offline and answers."""
    pytest.importorskip("torch")
    backend = make_backend("local:smollm2", cache_dir=tmp_path)
    assert isinstance(backend, LocalBackend) and backend.capabilities.has_logprobs
    backend.structured_max_tokens = 12  # a 135M model rarely writes valid JSON: keep its attempts short
    check_backend(backend, prompts=["Does smoking cause lung cancer?", "Does rain make streets wet?"], max_tokens=4)
    (choice,) = run_sync(backend.choose(["Is fire hot?"], ["yes", "no"]))
    assert choice.method == "logprobs" and 0.0 < choice.probs[0] < 1.0
