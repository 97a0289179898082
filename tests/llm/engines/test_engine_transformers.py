"""The embedded model through transformers, for real: it loads offline, scores options exactly, generates
deterministically, and samples reproducibly. The model is loaded once per process (about 15 s)."""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Iterator

import pytest
import torch

from causalbridge.errors import InputError
from causalbridge.llm.engines import LocalEngine, embedded_model_path, load_embedded_engine, load_transformers_engine
from causalbridge.llm.engines.chat import render_plain, render_with_hf_tokenizer
from causalbridge.llm.engines.transformers_engine import TransformersEngine
from causalbridge.llm.types import GenerationParams, Message

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Does smoking cause lung cancer? Answer yes or no.",
    "Does the rooster's crow cause the sun to rise? Answer yes or no.",
    "Can a wet street cause rain? Answer yes or no.",
    "Does studying for an exam improve the exam score? Answer yes or no.",
]


def ask(text: str, system: str | None = None) -> tuple[Message, ...]:
    user = Message("user", text)
    return (Message("system", system), user) if system else (user,)


@pytest.fixture(scope="session")
def engine() -> Iterator[TransformersEngine]:
    yield load_embedded_engine()


def independent_option_logprob(engine: TransformersEngine, prompt: tuple[Message, ...], option: str) -> float:
    """log p(prompt + option) - log p(prompt), each from a plain, unbatched, unmasked forward pass over the
    tokenization of the *concatenated* string: no packing, no custom mask, no position ids, no logits_to_keep."""
    rendered = render_with_hf_tokenizer(engine.tokenizer, prompt)

    def sequence_logprob(text: str) -> tuple[float, int]:
        ids = engine.tokenizer(text, add_special_tokens=rendered.add_special_tokens)["input_ids"]
        with torch.inference_mode():
            logits = engine.model(input_ids=torch.tensor([ids])).logits[0].double()
        logprobs = torch.log_softmax(logits, dim=-1)
        return float(sum(logprobs[i - 1, ids[i]] for i in range(1, len(ids)))), len(ids)

    whole, _ = sequence_logprob(rendered.text + rendered.answer_prefix + option)
    prompt_only, _ = sequence_logprob(rendered.text)
    return whole - prompt_only


def test_the_embedded_engine_meets_the_protocol(engine: TransformersEngine) -> None:
    assert isinstance(engine, LocalEngine)
    assert engine.has_logprobs
    assert engine.max_context == 8192
    assert engine.model_id == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert next(engine.model.parameters()).dtype == torch.float32


def test_the_model_is_loaded_once_per_process(engine: TransformersEngine) -> None:
    again = load_transformers_engine(str(embedded_model_path()))
    assert again.model is engine.model
    assert load_embedded_engine().model is engine.model


@pytest.mark.parametrize("question", QUESTIONS)
def test_yes_no_logprobs_are_probabilities(engine: TransformersEngine, question: str) -> None:
    logprobs, tokens = engine.option_logprobs(ask(question), ["Yes", "No"])
    assert len(logprobs) == 2
    assert all(math.isfinite(lp) and lp <= 0.0 for lp in logprobs)
    peak = max(logprobs)
    weights = [math.exp(lp - peak) for lp in logprobs]
    probs = [w / sum(weights) for w in weights]
    assert math.isclose(sum(probs), 1.0, abs_tol=1e-12)
    assert all(0.0 < p < 1.0 for p in probs)
    assert tokens > 30  # the prompt (with SmolLM2's default system prompt) plus one token per option


@pytest.mark.parametrize(
    "options",
    [
        ["Yes", "No"],
        ["yes", "no", "Probably not", "It depends on the dose."],
        [" yes", "YES!", "No, never"],  # a leading space and multi-token options
    ],
)
def test_option_logprobs_match_an_independent_unbatched_computation(
    engine: TransformersEngine, options: list[str]
) -> None:
    prompt = ask(QUESTIONS[0], system="Answer causal questions.")
    logprobs, _ = engine.option_logprobs(prompt, options)
    for option, value in zip(options, logprobs, strict=True):
        assert value == pytest.approx(independent_option_logprob(engine, prompt, option), abs=1e-4)


def test_option_order_does_not_change_the_scores(engine: TransformersEngine) -> None:
    options = ["Yes", "No", "Maybe"]
    forward, _ = engine.option_logprobs(ask(QUESTIONS[1]), options)
    backward, _ = engine.option_logprobs(ask(QUESTIONS[1]), options[::-1])
    assert forward == pytest.approx(backward[::-1], abs=1e-5)


def test_a_template_less_tokenizer_falls_back_to_a_plain_transcript(engine: TransformersEngine) -> None:
    tokenizer = copy.copy(engine.tokenizer)
    tokenizer.chat_template = None
    plain = TransformersEngine(dataclasses.replace(engine._loaded, tokenizer=tokenizer), "plain")
    prompt = ask(QUESTIONS[0])
    assert plain.render(prompt) == render_plain(prompt)
    logprobs, _ = plain.option_logprobs(prompt, ["Yes", "No"])
    assert logprobs == pytest.approx([independent_option_logprob(plain, prompt, o) for o in ["Yes", "No"]], abs=1e-4)
    (out,) = plain.generate([prompt], GenerationParams(max_tokens=24))
    assert not out.text.startswith(" ")
    assert "User:" not in out.text


PROMPTS = [ask("Name a colour."), ask(QUESTIONS[0]), ask("What is the capital of France?", system="Be brief.")]


def test_greedy_generation_is_deterministic_and_independent_of_the_batch(engine: TransformersEngine) -> None:
    params = GenerationParams(max_tokens=8)
    first = engine.generate(PROMPTS, params)
    assert engine.generate(PROMPTS, params) == first
    alone = [engine.generate([p], params)[0] for p in PROMPTS]
    assert [o.text for o in alone] == [o.text for o in first]
    for out in first:
        assert out.text.strip()
        assert out.prompt_tokens > 10
        assert 1 <= out.completion_tokens <= 8
        assert out.finish_reason in ("stop", "length")


def test_sampling_is_seeded_per_prompt_not_per_batch_position(engine: TransformersEngine) -> None:
    params = GenerationParams(max_tokens=6, temperature=1.0, seed=3)
    first = engine.generate(PROMPTS, params)
    assert engine.generate(PROMPTS, params) == first
    reversed_batch = engine.generate(PROMPTS[::-1], params)[::-1]
    assert [o.text for o in reversed_batch] == [o.text for o in first]
    other_seed = engine.generate(PROMPTS, dataclasses.replace(params, seed=4))
    assert [o.text for o in other_seed] != [o.text for o in first]


def test_repeats_of_one_prompt_draw_different_samples(engine: TransformersEngine) -> None:
    outs = engine.generate([PROMPTS[0]] * 4, GenerationParams(max_tokens=8, temperature=1.0, seed=0))
    assert len({o.text for o in outs}) > 1


def test_stop_sequences_cut_the_reply_and_end_generation(engine: TransformersEngine) -> None:
    prompt = ask("Describe the weather today in three sentences.")
    (full,) = engine.generate([prompt], GenerationParams(max_tokens=20))
    assert " " in full.text
    (stopped,) = engine.generate([prompt], GenerationParams(max_tokens=20, stop=(" ",)))
    assert stopped.finish_reason == "stop"
    assert stopped.text == full.text.split(" ")[0]
    assert stopped.completion_tokens < full.completion_tokens


def test_max_tokens_bounds_the_reply(engine: TransformersEngine) -> None:
    (out,) = engine.generate([ask("Write a long story about a dragon.")], GenerationParams(max_tokens=3))
    assert out.completion_tokens == 3
    assert out.finish_reason == "length"


def test_a_prompt_longer_than_the_context_is_an_input_error(engine: TransformersEngine) -> None:
    with pytest.raises(InputError, match="context"):
        engine.generate([ask("word " * 9000)], GenerationParams(max_tokens=1))
    with pytest.raises(InputError, match="option"):
        engine.option_logprobs(ask("Yes?"), [])


def test_an_unknown_device_is_an_input_error(engine: TransformersEngine) -> None:
    with pytest.raises(InputError) as info:
        load_transformers_engine(embedded_model_path(), device="tpu9")
    assert info.value.where == "device"
