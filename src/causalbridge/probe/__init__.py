"""Causal probes of language models: activation patching (and, as they land, bias audits, prompt attribution
and modality reliance).

Each probe lives in its own sub-package and is imported on first use, so ``import causalbridge.probe`` does
not pull in torch: ``from causalbridge.probe import patch_sweep`` loads :mod:`causalbridge.probe.patching`.
"""

from __future__ import annotations

import importlib
from typing import Any

_PATCHING = (
    "ALL_KINDS",
    "CounterfactualPrompt",
    "PatchingResult",
    "Site",
    "SiteKind",
    "SubjectNoise",
    "answer_log_prob",
    "answer_probability",
    "logit_difference",
    "patch_sweep",
    "patched_metric",
)
_LAZY = {name: "causalbridge.probe.patching" for name in _PATCHING}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = sorted(_LAZY)
