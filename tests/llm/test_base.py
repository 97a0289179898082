"""Shared backend machinery: choose by sampling, structured retries, accounting and run_sync."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import BaseModel

from causalbridge.errors import InputError
from causalbridge.llm import GenerationParams, Message, Query, Usage, run_sync
from causalbridge.llm.base import normalise_logprobs, validate_options
from causalbridge.llm.scripted_server import Reply, ScriptedServer


class Effect(BaseModel):
    cause: str
    strength: float


def _by_seed(answers: dict[int, str]) -> Any:
    """A responder whose reply depends only on the request's seed, as a sampled model's would."""
    return lambda body: Reply(answers[int(body["seed"])])


def test_choose_by_sampling_returns_vote_shares(http: Any) -> None:
    replies = {0: "Yes.", 1: "yes, clearly", 2: "The answer is yes", 3: "No", 4: "I cannot tell"}
    with ScriptedServer(_by_seed(replies), supports_logprobs=False) as plain:
        backend = http(base_url=plain.base_url, logprobs=False, choose_samples=5, seed=0)
        (choice,) = run_sync(backend.choose(["Does rain cause floods?"], ["yes", "no"]))
    assert choice.method == "sampling" and choice.samples == 5
    assert choice.probs == (0.75, 0.25)  # 3 yes, 1 no, 1 unreadable (an abstention, not a vote)
    assert choice.abstentions == 1 and not choice.abstained and choice.best == "yes"
    assert choice.usage.requests == 5
    assert sorted(r.body["seed"] for r in plain.requests) == [0, 1, 2, 3, 4]


def test_choose_by_sampling_all_unreadable_abstains(http: Any) -> None:
    with ScriptedServer(lambda body: Reply("hmm, hard to say"), supports_logprobs=False) as plain:
        backend = http(base_url=plain.base_url, logprobs=False, choose_samples=3)
        (choice,) = run_sync(backend.choose(["?"], ["yes", "no", "unknown"]))
    assert choice.abstained and choice.abstentions == 3
    assert choice.probs == pytest.approx((1 / 3, 1 / 3, 1 / 3))


def test_choose_seed_shifts_every_sample(http: Any) -> None:
    with ScriptedServer(_by_seed({10: "no", 11: "no", 12: "yes"}), supports_logprobs=False) as plain:
        backend = http(base_url=plain.base_url, logprobs=False, choose_samples=3, seed=10)
        (choice,) = run_sync(backend.choose(["?"], ["yes", "no"]))
    assert choice.probs == pytest.approx((1 / 3, 2 / 3))


def _structured_responder(bad_replies: int) -> Any:
    def respond(body: dict[str, Any]) -> Reply:
        retries_so_far = sum("That reply was not valid" in (m["content"] or "") for m in body["messages"])
        if retries_so_far < bad_replies:
            return Reply('{"cause": "smoking", "strength": "very"}' if retries_so_far else "Sure! Here it is:")
        return Reply('```json\n{"cause": "smoking", "strength": 0.7}\n```')

    return respond


def test_structured_retries_with_the_validation_error(server: ScriptedServer, http: Any) -> None:
    server.responder = _structured_responder(bad_replies=2)
    (result,) = run_sync(http().structured(["What causes cancer?"], Effect, retries=2))
    assert result.value == Effect(cause="smoking", strength=0.7)
    assert result.attempts == 3 and result.error is None and result.usage.requests == 3
    last = server.requests[-1].body["messages"]
    assert [m["role"] for m in last] == ["user", "assistant", "user", "assistant", "user"]
    assert "strength: Input should be a valid number" in last[-1]["content"]
    assert "no JSON object" in last[2]["content"]


def test_structured_gives_up_with_an_abstention(server: ScriptedServer, http: Any) -> None:
    server.responder = _structured_responder(bad_replies=5)
    results = run_sync(http().structured(["a", "b"], Effect, retries=1))
    for result in results:
        assert result.abstained and result.value is None and result.attempts == 2
        assert result.error is not None and "no valid Effect after 2 attempts" in result.error
    assert len(server.requests) == 4


def test_structured_retries_must_not_be_negative(http: Any) -> None:
    with pytest.raises(InputError):
        run_sync(http().structured(["a"], Effect, retries=-1))


def test_prompts_of_every_form(server: ScriptedServer, http: Any) -> None:
    chat = (Message("system", "Be terse."), Message("user", "hello"))
    texts = [c.text for c in run_sync(http().complete(["hello", chat, Query(chat), Query("hello")]))]
    assert texts == ["echo: hello"] * 4
    assert server.requests[1].body["messages"][0] == {"role": "system", "content": "Be terse."}


def test_usage_adds_up_across_calls(server: ScriptedServer, http: Any) -> None:
    backend = http()
    results = run_sync(backend.complete(["a b", "c d e"]))
    run_sync(backend.choose(["x"], ["yes", "no"]))
    total = backend.usage
    assert total.queries == 3 and total.requests == 3
    assert total.prompt_tokens == sum(r.usage.prompt_tokens for r in results) + 8  # "x" + the 7-word instruction
    assert total.wall_seconds > 0 and total.cost_usd is None


def test_run_sync_inside_a_running_loop(http: Any) -> None:
    backend = http()

    async def notebook_cell() -> str:
        # a Jupyter cell is synchronous code running inside the kernel's event loop
        return run_sync(backend.complete(["from a notebook"]))[0].text

    assert asyncio.run(notebook_cell()) == "echo: from a notebook"


def test_same_backend_from_many_event_loops(http: Any) -> None:
    backend = http(concurrency=2)
    for i in range(3):
        assert run_sync(backend.complete([f"loop {i}"] * 3))[0].text == f"echo: loop {i}"


def test_option_validation_and_normalisation() -> None:
    for bad in (["yes"], "yes", ["a", "a"], ["a", ""]):
        with pytest.raises(InputError):
            validate_options(bad)
    assert normalise_logprobs([None, None]) is None
    assert normalise_logprobs([0.0, None]) == (1.0, 0.0)
    assert normalise_logprobs([-1.0, -1.0]) == (0.5, 0.5)


def test_generation_params_and_usage_values() -> None:
    with pytest.raises(InputError):
        GenerationParams(max_tokens=0)
    with pytest.raises(InputError):
        GenerationParams(temperature=-0.1)
    a = Usage(queries=1, prompt_tokens=2, cost_usd=0.5, requests=1)
    b = Usage(queries=2, completion_tokens=3, cache_hits=1, retries=2)
    total = Usage.total([a, b])
    assert (total.queries, total.total_tokens, total.cost_usd, total.cache_hits, total.retries) == (3, 5, 0.5, 1, 2)
    assert Usage.total([]).cost_usd is None
    assert total.to_dict()["requests"] == 1
