"""Model spec strings and the backend registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from causalbridge.errors import DependencyMissingError, InputError
from causalbridge.graph import CausalGraph
from causalbridge.llm import (
    ModelSpec,
    NullCache,
    SimulatedExpert,
    SqliteCache,
    availability,
    make_backend,
    parse_spec,
    price_for,
    register_backend,
    registered_kinds,
    run_sync,
)
from causalbridge.llm.backends.openai_compat import OpenAIBackend, OpenAICompatBackend
from causalbridge.llm.scripted_server import ScriptedServer
from causalbridge.llm.spec import resolve_cache


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("openai:gpt-4o-mini", ModelSpec("openai", "gpt-4o-mini", raw="openai:gpt-4o-mini")),
        (
            "openai-compatible:http://localhost:8000/v1#meta/llama-3?concurrency=4",
            ModelSpec(
                "openai-compatible",
                "http://localhost:8000/v1",
                "meta/llama-3",
                (("concurrency", "4"),),
                "openai-compatible:http://localhost:8000/v1#meta/llama-3?concurrency=4",
            ),
        ),
        ("hf:/models/phi-3", ModelSpec("hf", "/models/phi-3", raw="hf:/models/phi-3")),
        ("  LOCAL:smollm2 ", ModelSpec("local", "smollm2", raw="LOCAL:smollm2")),
        (
            "llamacpp:/m/x.gguf?seed=3",
            ModelSpec("llamacpp", "/m/x.gguf", None, (("seed", "3"),), "llamacpp:/m/x.gguf?seed=3"),
        ),
        ("replay:runs/a.jsonl", ModelSpec("replay", "runs/a.jsonl", raw="replay:runs/a.jsonl")),
        (
            "simulated:asia?seed=0&accuracy=0.8",
            ModelSpec(
                "simulated", "asia", None, (("accuracy", "0.8"), ("seed", "0")), "simulated:asia?seed=0&accuracy=0.8"
            ),
        ),
    ],
)
def test_parse_good_specs(text: str, expected: ModelSpec) -> None:
    assert parse_spec(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "looks like KIND:TARGET"),
        ("gpt-4o", "looks like KIND:TARGET"),
        ("opnai:gpt-4o", "did you mean 'openai'"),
        ("openai:", "nothing after 'openai:'"),
        ("openai-compatible:http://localhost:8000/v1", "<base_url>#<model>"),
        ("openai-compatible:http://localhost:8000/v1#", "model name after '#' is empty"),
        ("simulated:asia?acuracy=0.8", "unknown option 'acuracy'"),
        ("simulated:asia?seed=1&seed=2", "given twice"),
        ("simulated:asia?seed", "key=value"),
        ("replay:x.jsonl?seed=1", "allowed: none"),
    ],
)
def test_bad_specs_raise_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        parse_spec(text)
    assert raised.value.where == f"model spec {text!r}"


def test_option_values_are_checked() -> None:
    spec = parse_spec("simulated:asia?accuracy=high&seed=x")
    with pytest.raises(InputError, match="must be a number"):
        spec.get_float("accuracy", 0.8)
    with pytest.raises(InputError, match="must be an integer"):
        spec.get_int("seed", 0)
    with pytest.raises(InputError, match=r"must be in \[0.0, 1.0\]"):
        parse_spec("simulated:asia?accuracy=2").get_float("accuracy", 0.8, 0.0, 1.0)
    with pytest.raises(InputError, match="true or false"):
        parse_spec("openai:m?logprobs=perhaps").get_bool("logprobs", True)
    assert parse_spec("openai:m?logprobs=off").get_bool("logprobs", True) is False


def test_openai_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert availability("openai:gpt-4o") == "OPENAI_API_KEY is not set"
    with pytest.raises(InputError, match="set OPENAI_API_KEY"):
        make_backend("openai:gpt-4o", no_cache=True)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    backend = make_backend("openai:gpt-4o-mini-2024-07-18?concurrency=3&max_attempts=2", no_cache=True)
    assert isinstance(backend, OpenAIBackend)
    assert backend.name == "openai:gpt-4o-mini-2024-07-18" and backend.concurrency == 3
    assert backend.retry.max_attempts == 2 and backend.price == price_for("gpt-4o-mini")
    assert not backend.capabilities.is_local and backend.url == "https://api.openai.com/v1/chat/completions"
    assert availability("openai:gpt-4o") is None


def test_compatible_server_through_a_spec(
    server: ScriptedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAUSALBRIDGE_API_KEY", "local-key")
    backend = make_backend(f"openai-compatible:{server.base_url}#tiny?samples=3&timeout=5", cache_dir=tmp_path)
    assert isinstance(backend, OpenAICompatBackend) and backend.capabilities.is_local
    assert backend.choose_samples == 3 and isinstance(backend.cache, SqliteCache)
    assert run_sync(backend.complete(["hi"]))[0].text == "echo: hi"
    assert server.requests[0].headers["authorization"] == "Bearer local-key"
    assert server.requests[0].body["model"] == "tiny"
    assert (tmp_path / "llm-cache.sqlite3").exists()


def test_cache_resolution(tmp_path: Path) -> None:
    assert isinstance(resolve_cache(no_cache=True), NullCache)
    given = NullCache()
    assert resolve_cache(given) is given
    assert resolve_cache(cache_dir=tmp_path).path.parent == tmp_path  # type: ignore[attr-defined]


def test_local_kinds_check_their_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="only embedded model is 'smollm2'"):
        make_backend("local:gpt2", no_cache=True)
    with pytest.raises(InputError, match="existing .gguf file"):
        make_backend(f"llamacpp:{tmp_path / 'missing.gguf'}", no_cache=True)
    with pytest.raises(InputError):
        make_backend(f"hf:{tmp_path / 'no-such-model'}", no_cache=True)
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"GGUF")
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        assert "llama-cpp-python" in (availability(f"llamacpp:{fake}") or "")
        with pytest.raises(DependencyMissingError, match="pip install llama-cpp-python"):
            make_backend(f"llamacpp:{fake}", no_cache=True)


def test_every_kind_is_registered_with_an_example_that_parses() -> None:
    kinds = {k.kind: k for k in registered_kinds()}
    assert set(kinds) >= {"openai", "openai-compatible", "hf", "local", "llamacpp", "replay", "simulated"}
    for kind in kinds.values():
        assert parse_spec(kind.example).kind == kind.kind


def test_plugins_register_new_kinds() -> None:
    @register_backend("toy", example="toy:chain", summary="a test kind", options={"accuracy"})
    def _toy(spec: ModelSpec, cache: Any) -> SimulatedExpert:
        return SimulatedExpert(CausalGraph.dag([("a", "b")]), accuracy=spec.get_float("accuracy", 1.0), network="toy")

    try:
        backend = make_backend("toy:chain?accuracy=0.5")
        assert isinstance(backend, SimulatedExpert) and backend.accuracy == 0.5
    finally:
        from causalbridge.llm import spec as spec_module

        del spec_module._REGISTRY["toy"]
