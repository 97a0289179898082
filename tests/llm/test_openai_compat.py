"""The OpenAI-compatible backend against a real HTTP server on 127.0.0.1 that misbehaves on cue."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from causalbridge.errors import InputError
from causalbridge.llm import BackendError, GenerationParams, RetryPolicy, SqliteCache, run_sync
from causalbridge.llm.backends.openai_compat import chat_url, option_logprobs, public_url
from causalbridge.llm.scripted_server import Behaviour, Reply, ScriptedServer, count_tokens
from causalbridge.testing import check_backend


def _tokens(server: ScriptedServer, index: int = -1) -> tuple[int, int]:
    """The (prompt, completion) tokens the server charged for one of its recorded requests."""
    body = server.completion_body(server.requests[index].body)
    return body["usage"]["prompt_tokens"], body["usage"]["completion_tokens"]


def test_normal_answer_with_usage(server: ScriptedServer, http: Any) -> None:
    backend = http()
    (done,) = run_sync(backend.complete(["Say something useful"], GenerationParams(max_tokens=20)))
    assert done.text == "echo: Say something useful"
    assert done.finish_reason == "stop"
    assert (done.usage.prompt_tokens, done.usage.completion_tokens) == (3, 4)
    assert (done.usage.requests, done.usage.retries, done.usage.cache_hits) == (1, 0, 0)
    sent = server.requests[0].body
    assert sent["model"] == "scripted-model" and sent["max_tokens"] == 20 and sent["temperature"] == 0.0


def test_choose_uses_first_token_logprobs(server: ScriptedServer, http: Any) -> None:
    backend = http()
    (choice,) = run_sync(backend.choose(["Does smoking cause cancer?"], ["yes", "no"]))
    assert choice.method == "logprobs" and not choice.abstained
    # the scripted server gives "yes" logprob -0.1 and "no" -1.6: softmax over the two
    assert choice.probs[0] == pytest.approx(1 / (1 + math.exp(-1.5)))
    sent = server.requests[0].body
    assert sent["logprobs"] is True and sent["top_logprobs"] == 20 and sent["max_tokens"] == 1
    assert "Answer with exactly one of: yes, no." in sent["messages"][-1]["content"]


def test_option_logprobs_sums_variants_and_rejects_ambiguous_tokens() -> None:
    tops = [("Yes", -0.5), (" yes", -1.0), ("No", -2.0), ("Maybe", -3.0)]
    lps = option_logprobs(tops, ("yes", "no"))
    assert lps is not None and lps[0] is not None and lps[1] == pytest.approx(-2.0)
    assert lps[0] == pytest.approx(math.log(math.exp(-0.5) + math.exp(-1.0)))
    assert option_logprobs([("y", -0.1)], ("yes", "yes, strongly")) is None
    assert option_logprobs([("The", -0.1)], ("yes", "no")) == (None, None)


def test_server_without_logprobs_falls_back_to_sampling(http: Any) -> None:
    with ScriptedServer(supports_logprobs=False) as plain:
        backend = http(choose_samples=3, base_url=plain.base_url)
        (choice,) = run_sync(backend.choose(["Is water wet?"], ["yes", "no"]))
        assert choice.method == "sampling" and choice.samples == 3 and choice.probs == (1.0, 0.0)
        assert not backend.capabilities.has_logprobs  # remembered: no more wasted logprob requests
        assert choice.usage.requests == 1 + 3
        seeds = sorted(r.body["seed"] for r in plain.requests[1:])
        temperatures = {r.body["temperature"] for r in plain.requests[1:]}
        assert seeds == [0, 1, 2] and temperatures == {0.7}


def test_malformed_json_is_retried_and_counted_once(server: ScriptedServer, http: Any) -> None:
    backend = http()
    server.script("malformed")
    (done,) = run_sync(backend.complete(["hello"]))
    assert done.text == "echo: hello"
    assert len(server.requests) == 2
    assert (done.usage.requests, done.usage.retries) == (1, 1)
    assert (backend.usage.prompt_tokens, backend.usage.completion_tokens) == _tokens(server)


def test_500_then_success_never_double_counts(server: ScriptedServer, http: Any) -> None:
    backend = http()
    server.script(Behaviour("status", status=500), Behaviour("status", status=503))
    run_sync(backend.complete(["one two three"]))
    assert len(server.requests) == 3
    usage = backend.usage
    assert (usage.queries, usage.requests, usage.retries) == (1, 1, 2)
    assert (usage.prompt_tokens, usage.completion_tokens) == _tokens(server)


def test_rate_limit_honours_retry_after(server: ScriptedServer, http: Any) -> None:
    backend = http()
    server.script(Behaviour("rate_limit", retry_after="0.3"))
    start = time.perf_counter()
    (done,) = run_sync(backend.complete(["hi"]))
    assert time.perf_counter() - start >= 0.3  # the jittered backoff alone is at most 5 ms
    assert done.usage.retries == 1 and len(server.requests) == 2


def test_retry_after_beyond_the_limit_gives_up_at_once(server: ScriptedServer, http: Any) -> None:
    backend = http()
    server.script(Behaviour("rate_limit", retry_after="3600"))
    with pytest.raises(BackendError, match="asked to wait 3600 s"):
        run_sync(backend.complete(["hi"]))
    assert len(server.requests) == 1


def test_stall_past_the_timeout_is_retried(server: ScriptedServer, http: Any) -> None:
    backend = http(timeout=0.2)
    server.script(Behaviour("stall", delay=1.0))
    (done,) = run_sync(backend.complete(["slow"]))
    assert done.text == "echo: slow" and done.usage.retries == 1
    assert backend.usage.prompt_tokens == 1  # the stalled attempt's answer was never read, never counted


def test_dropped_connection_is_retried(server: ScriptedServer, http: Any) -> None:
    backend = http()
    server.script("drop", "drop")
    (done,) = run_sync(backend.complete(["x"]))
    assert done.text == "echo: x" and done.usage.retries == 2


def test_gives_up_cleanly_after_max_attempts(server: ScriptedServer, http: Any) -> None:
    backend = http()
    server.script("drop", Behaviour("status", status=502), "malformed")
    with pytest.raises(BackendError) as raised:
        run_sync(backend.complete(["x"]))
    assert "after 3 attempts" in str(raised.value) and "malformed response" in str(raised.value)
    assert len(server.requests) == 3
    usage = backend.usage
    assert (usage.queries, usage.requests, usage.prompt_tokens, usage.completion_tokens) == (1, 0, 0, 0)
    # the server is healthy again: the same backend keeps working
    (done,) = run_sync(backend.complete(["x"]))
    assert done.text == "echo: x"


def test_credentials_refused_is_not_retried(server: ScriptedServer, http: Any) -> None:
    backend = http()
    server.script(Behaviour("status", status=401))
    with pytest.raises(BackendError, match="credentials refused.*CAUSALBRIDGE_API_KEY"):
        run_sync(backend.complete(["x"]))
    assert len(server.requests) == 1


def test_refusal_is_reported_not_retried(server: ScriptedServer, http: Any) -> None:
    class Plan(BaseModel):
        steps: list[str]

    backend = http()
    server.script("refusal")
    (done,) = run_sync(backend.complete(["do something bad"]))
    assert done.finish_reason == "refusal" and "can't help" in done.text
    server.script("refusal")
    (plan,) = run_sync(backend.structured(["make a plan"], Plan, retries=3))
    assert plan.value is None and plan.attempts == 1 and plan.error is not None and "refused" in plan.error


def test_refusal_in_choose_is_an_abstention(http: Any) -> None:
    with ScriptedServer(supports_logprobs=False) as plain:
        backend = http(choose_samples=2, base_url=plain.base_url)
        plain.script("ok", "refusal", "refusal")
        (choice,) = run_sync(backend.choose(["?"], ["yes", "no"]))
        assert choice.abstained and choice.abstentions == 2 and choice.probs == (0.5, 0.5)


def test_json_schema_is_sent_and_dropped_when_rejected(server: ScriptedServer, http: Any) -> None:
    class Edge(BaseModel):
        cause: str
        effect: str

    server.responder = lambda body: Reply('{"cause": "rain", "effect": "wet"}')
    backend = http()
    (edge,) = run_sync(backend.structured(["which edge?"], Edge))
    assert edge.value == Edge(cause="rain", effect="wet") and edge.attempts == 1
    assert server.requests[0].body["response_format"]["json_schema"]["schema"]["required"] == ["cause", "effect"]
    server.reset()
    server.script(Behaviour("status", status=400))
    backend = http()
    (edge,) = run_sync(backend.structured(["which edge?"], Edge))
    assert edge.value is not None and not backend.capabilities.supports_json_schema
    assert "response_format" not in server.requests[1].body


def test_api_key_is_sent_but_never_cached(server: ScriptedServer, http: Any, tmp_path: Path) -> None:
    secret = "sk-test-very-secret-0123456789"
    cache = SqliteCache(tmp_path)
    backend = http(api_key=secret, cache=cache)
    run_sync(backend.complete(["remember me"]))
    run_sync(backend.choose(["pick"], ["a", "b"]))
    assert server.requests[0].headers["authorization"] == f"Bearer {secret}"
    cache.close()
    for file in tmp_path.iterdir():
        assert secret.encode() not in file.read_bytes()
        assert b"authorization" not in file.read_bytes().lower()
    assert secret not in repr(backend) and secret not in backend.name


def test_concurrency_limit_is_respected(server: ScriptedServer, http: Any) -> None:
    lock, state = threading.Lock(), {"now": 0, "peak": 0}

    def slow(body: dict[str, Any]) -> Reply:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return Reply("ok")

    server.responder = slow
    backend = http(concurrency=3)
    results = run_sync(backend.complete([f"q{i}" for i in range(9)]))
    assert [r.text for r in results] == ["ok"] * 9
    assert state["peak"] == 3


def test_cached_repeat_sends_nothing(server: ScriptedServer, http: Any, cache: SqliteCache) -> None:
    backend = http(cache=cache)
    first = run_sync(backend.complete(["a", "b"]))
    again = run_sync(backend.complete(["a", "b"]))
    assert [c.text for c in again] == [c.text for c in first]
    assert len(server.requests) == 2
    assert all(c.usage.cache_hits == 1 and c.usage.requests == 0 and c.usage.prompt_tokens == 0 for c in again)
    # temperature > 0: each seed is its own entry
    run_sync(backend.complete(["a"], GenerationParams(temperature=0.5, seed=1)))
    run_sync(backend.complete(["a"], GenerationParams(temperature=0.5, seed=2)))
    run_sync(backend.complete(["a"], GenerationParams(temperature=0.5, seed=1)))
    assert len(server.requests) == 4


def test_conformance(http: Any, cache: SqliteCache) -> None:
    check_backend(http(cache=cache))


def test_urls_and_bad_settings() -> None:
    assert chat_url("http://localhost:8000") == "http://localhost:8000/v1/chat/completions"
    assert chat_url("http://localhost:8000/v1/") == "http://localhost:8000/v1/chat/completions"
    assert chat_url("https://host/openai/v1") == "https://host/openai/v1/chat/completions"
    assert public_url("https://user:pw@host:8443/v1?key=s") == "https://host:8443/v1"
    with pytest.raises(InputError, match="not an http"):
        chat_url("ftp://host")
    from causalbridge.llm.backends.openai_compat import OpenAICompatBackend

    with pytest.raises(InputError):
        OpenAICompatBackend("m", base_url="http://localhost:1", timeout=0)
    with pytest.raises(InputError):
        RetryPolicy(max_attempts=0)


def test_token_counter_is_words() -> None:
    assert count_tokens("a b  c\nd") == 4
