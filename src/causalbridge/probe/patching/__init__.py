"""Activation patching (causal mediation analysis) inside transformers causal LMs.

Restore one activation of a clean run inside a corrupted run and measure how much of the clean answer comes
back: that is the indirect effect of the site (Vig et al. 2020; Meng et al. 2022). Works on any transformers
causal LM with a GPT-2, Llama, Mistral, Qwen or GPT-NeoX style decoder, with plain torch forward hooks.

    from causalbridge.probe.patching import SiteKind, SubjectNoise, answer_probability, patch_sweep
    result = patch_sweep(model, tokenizer, "The Eiffel Tower is located in the city of",
                         "The Colosseum is located in the city of", answer_probability(tokenizer, " Paris"))
    result.heatmap("tracing")          # tracing.png and tracing.svg
    result.to_json("tracing.json")
    write_patching(result, "report/")  # patching.json, patching.md, patching_heatmap.png/.svg
"""

from __future__ import annotations

try:
    import torch  # noqa: F401  (checked here so a missing torch fails with an install hint, not deep inside)
except ImportError as exc:  # pragma: no cover - torch is installed wherever the tests run
    from causalbridge.errors import DependencyMissingError

    raise DependencyMissingError("torch", "activation patching", "local") from exc

from causalbridge.probe.patching.corruption import (
    Corruption,
    CounterfactualPrompt,
    SubjectNoise,
    subject_positions,
)
from causalbridge.probe.patching.metrics import (
    AnswerLogProb,
    AnswerProbability,
    LogitDifference,
    Metric,
    answer_log_prob,
    answer_probability,
    answer_token_id,
    logit_difference,
)
from causalbridge.probe.patching.report import patching_markdown, write_patching
from causalbridge.probe.patching.result import PatchingResult
from causalbridge.probe.patching.sites import DecoderLayout, Site, SiteKind, locate_layout
from causalbridge.probe.patching.sweep import ALL_KINDS, SweepProgress, clean_metric, patch_sweep, patched_metric

__all__ = [
    "ALL_KINDS",
    "AnswerLogProb",
    "AnswerProbability",
    "Corruption",
    "CounterfactualPrompt",
    "DecoderLayout",
    "LogitDifference",
    "Metric",
    "PatchingResult",
    "Site",
    "SiteKind",
    "SubjectNoise",
    "SweepProgress",
    "answer_log_prob",
    "answer_probability",
    "answer_token_id",
    "clean_metric",
    "locate_layout",
    "logit_difference",
    "patch_sweep",
    "patched_metric",
    "patching_markdown",
    "subject_positions",
    "write_patching",
]
