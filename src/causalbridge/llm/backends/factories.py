"""The built-in backend kinds, registered with :func:`causalbridge.llm.spec.register_backend`.

Each factory imports its backend (and that backend's optional dependencies) only when called, so importing this
module is free; each ``check`` says, without loading anything heavy, whether the kind can run on this machine.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from causalbridge.errors import DependencyMissingError, InputError
from causalbridge.llm.cache import Cache
from causalbridge.llm.retry import RetryPolicy
from causalbridge.llm.spec import ModelSpec, register_backend
from causalbridge.llm.types import Backend

if TYPE_CHECKING:
    from causalbridge.graph import CausalGraph
    from causalbridge.llm.backends.openai_compat import OpenAICompatBackend
    from causalbridge.llm.engines import LocalEngine

OPENAI_KEY_ENV = "OPENAI_API_KEY"
COMPAT_KEY_ENV = "CAUSALBRIDGE_API_KEY"
_SAMPLING = {"concurrency", "samples", "temperature", "seed"}
_HTTP = _SAMPLING | {"timeout", "max_attempts", "logprobs", "json_schema"}
_LOCAL = {"samples", "temperature", "seed", "device", "batch_size"}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _samples(spec: ModelSpec) -> int:
    return spec.get_int("samples", 5, minimum=1)


def _temperature(spec: ModelSpec) -> float:
    return spec.get_float("temperature", 0.7, low=0.01, high=5.0)


def _seed(spec: ModelSpec) -> int:
    return spec.get_int("seed", 0)


def _http_backend(spec: ModelSpec, cache: Cache, cls: type[OpenAICompatBackend], **fixed: Any) -> Backend:
    return cls(
        cache=cache,
        concurrency=spec.get_int("concurrency", 8, minimum=1),
        timeout=spec.get_float("timeout", 60.0, low=0.001),
        retry=RetryPolicy(max_attempts=spec.get_int("max_attempts", 5, minimum=1)),
        logprobs=spec.get_bool("logprobs", True),
        json_schema=spec.get_bool("json_schema", True),
        choose_samples=_samples(spec),
        sample_temperature=_temperature(spec),
        seed=_seed(spec),
        **fixed,
    )


def _local_backend(spec: ModelSpec, cache: Cache, engine: LocalEngine, name: str) -> Backend:
    from causalbridge.llm.backends.local import LocalBackend

    return LocalBackend(
        engine,
        name=name,
        kind=spec.kind,
        cache=cache,
        batch_size=spec.get_int("batch_size", 8, minimum=1),
        choose_samples=_samples(spec),
        sample_temperature=_temperature(spec),
        seed=_seed(spec),
    )


def _check_openai(spec: ModelSpec) -> str | None:
    return None if os.environ.get(OPENAI_KEY_ENV) else f"{OPENAI_KEY_ENV} is not set"


@register_backend(
    "openai",
    example="openai:gpt-4o-mini",
    summary="OpenAI's API (key from OPENAI_API_KEY)",
    options=_HTTP,
    check=_check_openai,
)
def _openai(spec: ModelSpec, cache: Cache) -> Backend:
    from causalbridge.llm.backends.openai_compat import OpenAIBackend
    from causalbridge.llm.pricing import price_for

    key = os.environ.get(OPENAI_KEY_ENV)
    if not key:
        raise InputError(f"set {OPENAI_KEY_ENV} to use {spec.name}", where="environment")
    return _http_backend(spec, cache, OpenAIBackend, model=spec.target, api_key=key, price=price_for(spec.target))


@register_backend(
    "openai-compatible",
    example="openai-compatible:http://localhost:8000/v1#llama-3.1-8b",
    summary="any OpenAI-compatible server: vLLM, Ollama, llama.cpp server, LM Studio (key: CAUSALBRIDGE_API_KEY)",
    options=_HTTP | {"max_context"},
    needs_model=True,
)
def _compatible(spec: ModelSpec, cache: Cache) -> Backend:
    from causalbridge.llm.backends.openai_compat import OpenAICompatBackend

    assert spec.model is not None  # parse_spec guarantees it for this kind
    return _http_backend(
        spec,
        cache,
        OpenAICompatBackend,
        model=spec.model,
        base_url=spec.target,
        api_key=os.environ.get(COMPAT_KEY_ENV) or None,
        max_context=spec.get_int("max_context", 8192, minimum=1),
    )


def _check_transformers(spec: ModelSpec) -> str | None:
    missing = [m for m in ("torch", "transformers") if not _installed(m)]
    return f"not installed: {', '.join(missing)} (pip install 'causalbridge[local]')" if missing else None


@register_backend(
    "hf",
    example="hf:HuggingFaceTB/SmolLM2-135M-Instruct",
    summary="a transformers model from a folder, a .gguf file or the local Hugging Face cache (no downloads)",
    options=_LOCAL,
    check=_check_transformers,
)
def _hf(spec: ModelSpec, cache: Cache) -> Backend:
    from causalbridge.llm.engines import load_transformers_engine
    from causalbridge.llm.engines.resolve import locate_model

    locate_model(spec.target)  # a bad path or an uncached id fails here, before torch is imported
    engine = load_transformers_engine(spec.target, device=spec.option("device") or "cpu")
    return _local_backend(spec, cache, engine, spec.name)


def _check_embedded(spec: ModelSpec) -> str | None:
    from causalbridge.llm.engines import embedded_model_path

    try:
        embedded_model_path()
    except DependencyMissingError as error:
        return str(error)
    return _check_transformers(spec)


@register_backend(
    "local",
    example="local:smollm2",
    summary="the embedded SmolLM2-135M-Instruct (offline; at chance on causal questions)",
    options=_LOCAL,
    check=_check_embedded,
)
def _embedded(spec: ModelSpec, cache: Cache) -> Backend:
    from causalbridge.llm.engines import load_embedded_engine

    if spec.target.lower() != "smollm2":
        raise InputError(f"the only embedded model is 'smollm2', not {spec.target!r}", where=f"model spec {spec}")
    engine = load_embedded_engine(device=spec.option("device") or "cpu")
    return _local_backend(spec, cache, engine, "local:smollm2")


def _check_llamacpp(spec: ModelSpec) -> str | None:
    if not _installed("llama_cpp"):
        return "not installed: llama-cpp-python (see DEVELOPERS.md for build flags)"
    return None


@register_backend(
    "llamacpp",
    example="llamacpp:/models/model.Q4_K_M.gguf",
    summary="a GGUF file through llama-cpp-python (optional extra)",
    options=_LOCAL - {"device"},
    check=_check_llamacpp,
)
def _llamacpp(spec: ModelSpec, cache: Cache) -> Backend:
    from causalbridge.llm.engines import load_llamacpp_engine

    path = Path(spec.target).expanduser()
    if path.suffix.lower() != ".gguf" or not path.is_file():
        raise InputError("expected an existing .gguf file", where=f"model spec {spec}")
    if not _installed("llama_cpp"):
        raise DependencyMissingError("llama-cpp-python", "the llamacpp: backend")
    engine = load_llamacpp_engine(path, seed=_seed(spec))
    return _local_backend(spec, cache, engine, spec.name)


def _check_replay(spec: ModelSpec) -> str | None:
    return None if Path(spec.target).expanduser().is_file() else f"no such file: {spec.target}"


@register_backend(
    "replay",
    example="replay:answers.jsonl",
    summary="exact answers recorded earlier with RecordingBackend (tests, exact re-runs)",
    check=_check_replay,
)
def _replay(spec: ModelSpec, cache: Cache) -> Backend:
    from causalbridge.llm.backends.replay import ReplayBackend

    return ReplayBackend(Path(spec.target).expanduser())


def _known_networks() -> list[str] | None:
    try:
        from causalbridge.data import list_networks
    except ImportError:
        return None
    return list(list_networks())


def _check_simulated(spec: ModelSpec) -> str | None:
    networks = _known_networks()
    if networks is None:
        return "causalbridge.data is not available"
    return None if spec.target in networks or spec.target == "<network>" else f"unknown network {spec.target!r}"


@register_backend(
    "simulated",
    example="simulated:asia?accuracy=0.8&seed=0",
    summary="a SIMULATED domain expert that knows a bundled network's true graph, right with probability accuracy",
    options={"accuracy", "seed", "jitter"},
    check=_check_simulated,
)
def _simulated(spec: ModelSpec, cache: Cache) -> Backend:
    from causalbridge.llm.backends.simulated import SimulatedExpert

    networks = _known_networks()
    if networks is not None and spec.target not in networks:
        raise InputError(f"unknown network {spec.target!r}; known: {', '.join(networks)}", where=f"model spec {spec}")
    name = spec.target

    def load_graph() -> CausalGraph:
        from causalbridge.data import load_network

        return load_network(name).graph

    return SimulatedExpert(
        load_graph,
        accuracy=spec.get_float("accuracy", 0.8, low=0.0, high=1.0),
        seed=spec.get_int("seed", 0),
        jitter=spec.get_float("jitter", 0.05, low=0.0, high=1.0),
        network=name,
    )
