"""Engines that run language models on this machine; ``causalbridge.llm.backends`` wraps them as backends.

Heavy dependencies are imported only when an engine is loaded: importing this package costs nothing, and a
missing torch, transformers, gguf or llama-cpp-python becomes a
:class:`~causalbridge.errors.DependencyMissingError` that says what to install.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from causalbridge.errors import DependencyMissingError
from causalbridge.llm.engines.base import EngineOutput, LocalEngine
from causalbridge.llm.engines.embedded import (
    EMBEDDED_MODEL_FILE,
    EMBEDDED_PIP_COMMAND,
    EmbeddedModelMissingError,
    embedded_model_path,
    load_embedded_engine,
)

if TYPE_CHECKING:
    from causalbridge.llm.engines.llamacpp import LlamaCppEngine
    from causalbridge.llm.engines.transformers_engine import TransformersEngine

_TRANSFORMERS_STACK = {"torch", "transformers", "huggingface_hub", "tokenizers", "safetensors"}


def load_transformers_engine(
    path_or_id: str | os.PathLike[str],
    device: str = "cpu",
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> TransformersEngine:
    """A local model through transformers (folder, ``.gguf`` file, or hub id already in the local cache)."""
    try:
        from causalbridge.llm.engines.transformers_engine import load_transformers_engine as load
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in _TRANSFORMERS_STACK:
            raise DependencyMissingError(exc.name or "torch", "local models through transformers", "local") from exc
        raise
    return load(path_or_id, device=device, cache_dir=cache_dir)


def load_llamacpp_engine(
    path: str | os.PathLike[str], *, n_ctx: int = 2048, seed: int = 0, n_threads: int | None = None
) -> LlamaCppEngine:
    """A GGUF model through llama-cpp-python (an optional extra; see DEVELOPERS.md for the build flags)."""
    from causalbridge.llm.engines.llamacpp import load_llamacpp_engine as load

    return load(path, n_ctx=n_ctx, seed=seed, n_threads=n_threads)


__all__ = [
    "EMBEDDED_MODEL_FILE",
    "EMBEDDED_PIP_COMMAND",
    "EmbeddedModelMissingError",
    "EngineOutput",
    "LocalEngine",
    "embedded_model_path",
    "load_embedded_engine",
    "load_llamacpp_engine",
    "load_transformers_engine",
]
