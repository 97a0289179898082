"""Prompt-intervention attribution: which part of a prompt causes the refusal, the claim or the answer?

Split a prompt into named :class:`Part` s, pick an :class:`Outcome` (:class:`Refusal`, :class:`ClaimAppears`,
:class:`AnswerProbability`) and call :func:`attribute`: every part is intervened on (removed, replaced by a
neutral placeholder, or swapped for a counterpart) in a factorial or local design, and the result holds each
part's main effect and each pairwise interaction with bootstrap intervals over repeated samples.
"""

from __future__ import annotations

from causalbridge.probe.attribution.design import DESIGNS, Design, DesignKind, build_design, choose_design
from causalbridge.probe.attribution.outcomes import (
    DETECTORS,
    REFUSAL_PATTERNS,
    AnswerProbability,
    ClaimAppears,
    Outcome,
    Refusal,
)
from causalbridge.probe.attribution.parts import ABLATIONS, Part, PromptParts
from causalbridge.probe.attribution.report import attribution_markdown, attribution_to_dict, write_attribution
from causalbridge.probe.attribution.run import (
    CELLS_PER_CALL,
    AttributionProgress,
    AttributionResult,
    CellResult,
    PartEffect,
    aattribute,
    attribute,
)
from causalbridge.probe.attribution.specfile import AttributionSpec, load_attribution

__all__ = [
    "ABLATIONS",
    "CELLS_PER_CALL",
    "DESIGNS",
    "DETECTORS",
    "REFUSAL_PATTERNS",
    "AnswerProbability",
    "AttributionProgress",
    "AttributionResult",
    "AttributionSpec",
    "CellResult",
    "ClaimAppears",
    "Design",
    "DesignKind",
    "Outcome",
    "Part",
    "PartEffect",
    "PromptParts",
    "Refusal",
    "aattribute",
    "attribute",
    "attribution_markdown",
    "attribution_to_dict",
    "build_design",
    "choose_design",
    "load_attribution",
    "write_attribution",
]
