"""Causal probes of language models: counterfactual bias audits, prompt-intervention attribution, modality
reliance and activation patching.

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
_OTHERS = {
    "causalbridge.probe.bias": (
        "AuditSettings",
        "BiasAudit",
        "audit_bias",
        "load_templates",
        "write_audit",
        "augmentation_records",
    ),
    "causalbridge.probe.attribution": (
        "Part",
        "PromptParts",
        "Refusal",
        "ClaimAppears",
        "AnswerProbability",
        "attribute",
        "write_attribution",
    ),
    "causalbridge.probe.modality": (
        "ModalityItem",
        "VisionBackend",
        "VisionPrompt",
        "make_vision_backend",
        "modality_reliance",
        "write_reliance",
    ),
    "causalbridge.probe.stats": (
        "bootstrap_contrast",
        "cluster_bootstrap_contrast",
        "sign_flip_pvalue",
        "benjamini_hochberg",
    ),
}
_LAZY = {name: "causalbridge.probe.patching" for name in _PATCHING} | {
    name: module for module, names in _OTHERS.items() for name in names
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = sorted(_LAZY)
