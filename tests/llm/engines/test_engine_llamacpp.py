"""The llama.cpp engine on the embedded GGUF file. llama-cpp-python is an optional extra that is not installed by
default (it compiles llama.cpp), so this module is skipped unless it is importable."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import pytest

from causalbridge.errors import InputError
from causalbridge.llm.engines import LocalEngine, embedded_model_path, load_llamacpp_engine
from causalbridge.llm.engines.llamacpp import LlamaCppEngine
from causalbridge.llm.types import GenerationParams, Message

llama_cpp = pytest.importorskip("llama_cpp")
pytestmark = pytest.mark.slow

QUESTION = (Message("user", "Does smoking cause lung cancer? Answer yes or no."),)
PROMPTS = [(Message("user", "Name a colour."),), QUESTION, (Message("user", "What is the capital of France?"),)]


@pytest.fixture(scope="module")
def engine() -> Iterator[LlamaCppEngine]:
    yield load_llamacpp_engine(embedded_model_path())


def full_sequence_logprob(llm: Any, ids: list[int]) -> float:
    """Sum of log p(token | earlier tokens) over ``ids`` from one evaluation of the whole sequence."""
    llm.reset()
    llm.eval(ids)
    total = 0.0
    for i in range(1, len(ids)):
        row = [float(x) for x in llm.scores[i - 1]]
        peak = max(row)
        total += row[ids[i]] - (peak + math.log(sum(math.exp(x - peak) for x in row)))
    return total


def test_the_engine_meets_the_protocol_and_is_loaded_once(engine: LlamaCppEngine) -> None:
    assert isinstance(engine, LocalEngine)
    assert engine.has_logprobs
    assert engine.max_context == 2048
    assert engine.model_id == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert load_llamacpp_engine(embedded_model_path())._llm is engine._llm


def test_option_logprobs_are_finite_repeatable_and_match_whole_sequence_scoring(engine: LlamaCppEngine) -> None:
    options = ["Yes", "No", "Probably not"]
    first, tokens = engine.option_logprobs(QUESTION, options)
    assert all(math.isfinite(v) and v <= 0 for v in first)
    assert tokens > 30
    engine.option_logprobs((Message("user", "Something else entirely?"),), ["A"])
    assert engine.option_logprobs(QUESTION, options)[0] == first  # no dependence on what was asked before

    # An independent llama.cpp context scores prompt+option in one evaluation of the concatenated text.
    other = llama_cpp.Llama(model_path=str(embedded_model_path()), n_ctx=512, logits_all=True, verbose=False)
    rendered = engine.render(QUESTION)
    prompt_ids = engine.encode(rendered.text, rendered.add_special_tokens)
    for option, value in zip(options, first, strict=True):
        whole = engine.encode(rendered.text + option, rendered.add_special_tokens)
        expected = full_sequence_logprob(other, whole) - full_sequence_logprob(other, prompt_ids)
        assert value == pytest.approx(expected, abs=1e-4)
    other.close()


def test_greedy_generation_is_deterministic(engine: LlamaCppEngine) -> None:
    params = GenerationParams(max_tokens=10)
    first = engine.generate(PROMPTS, params)
    assert engine.generate(PROMPTS[::-1], params)[::-1] == first
    for out in first:
        assert out.text.strip()
        assert out.prompt_tokens > 10
        assert 1 <= out.completion_tokens <= 10


def test_sampling_is_seeded_per_prompt(engine: LlamaCppEngine) -> None:
    params = GenerationParams(max_tokens=10, temperature=1.0, seed=5)
    first = engine.generate(PROMPTS, params)
    assert engine.generate(PROMPTS[::-1], params)[::-1] == first
    assert engine.generate(PROMPTS, dataclasses.replace(params, seed=6)) != first
    repeats = engine.generate([PROMPTS[0]] * 4, params)
    assert len({o.text for o in repeats}) > 1


def test_stop_sequences_and_max_tokens(engine: LlamaCppEngine) -> None:
    prompt = (Message("user", "Describe the weather today in three sentences."),)
    (full,) = engine.generate([prompt], GenerationParams(max_tokens=30))
    (stopped,) = engine.generate([prompt], GenerationParams(max_tokens=30, stop=(" ",)))
    assert stopped.finish_reason == "stop"
    assert stopped.text == full.text.split(" ")[0]
    (short,) = engine.generate([prompt], GenerationParams(max_tokens=2))
    assert (short.completion_tokens, short.finish_reason) == (2, "length")


def test_bad_input_is_an_input_error(engine: LlamaCppEngine) -> None:
    with pytest.raises(InputError, match="context"):
        engine.generate([(Message("user", "word " * 3000),)], GenerationParams(max_tokens=1))
    with pytest.raises(InputError, match="option"):
        engine.option_logprobs(QUESTION, [""])
