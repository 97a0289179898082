"""Scores for discovered graphs (SHD, precision/recall/F1) and for answers (accuracy with a Wilson interval, ECE).

Conventions are fixed here once so that every benchmark table in the project means the same thing:

* **SHD** counts node pairs, not edge operations: a pair costs 1 when the two graphs disagree about it at all
  (one has an edge and the other not, or the marks differ). A reversed edge costs 1, not 2, as does ``a -> b``
  against ``a -- b``. This is exactly causal-learn's ``SHD`` (``causallearn.graph.SHD``); the cdt package's
  ``SHD(double_for_anticausal=True)`` default counts a reversal twice.
* **Empty denominators**: precision with no predicted edges, and recall with no true edges, are 0, and F1 is 0
  whenever precision + recall is 0 (scikit-learn's ``zero_division=0``). ``tp``/``fp``/``fn`` are returned with
  the ratios so that a caller can tell "nothing predicted" from "everything wrong".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist  # not scipy.stats: importing it costs seconds on a cold start
from typing import Literal

import numpy as np

from causalbridge.errors import GraphError, InputError
from causalbridge.graph.core import CausalGraph

__all__ = [
    "PRF",
    "AccuracyInterval",
    "accuracy_with_interval",
    "directed_scores",
    "expected_calibration_error",
    "shd",
    "skeleton_scores",
    "wilson_interval",
]

Against = Literal["dag", "cpdag"]


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1 with the counts they come from."""

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int

    @classmethod
    def from_counts(cls, tp: int, fp: int, fn: int) -> PRF:
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, tp, fp, fn)


@dataclass(frozen=True, slots=True)
class AccuracyInterval:
    """An accuracy and its Wilson score interval at ``confidence``."""

    accuracy: float
    low: float
    high: float
    correct: int
    n: int
    confidence: float


def _same_nodes(estimated: CausalGraph, truth: CausalGraph) -> None:
    est, tru = set(estimated.nodes), set(truth.nodes)
    if est != tru:
        extra, missing = sorted(est - tru), sorted(tru - est)
        parts = [f"only in the estimate: {extra}" if extra else "", f"only in the truth: {missing}" if missing else ""]
        raise GraphError("the two graphs have different variables (" + "; ".join(p for p in parts if p) + ")")


def _reference(truth: CausalGraph, against: str) -> CausalGraph:
    if against == "dag":
        return truth
    if against == "cpdag":
        return truth.cpdag()
    raise InputError(f"against must be 'dag' or 'cpdag', got {against!r}", "against")


def shd(estimated: CausalGraph, truth: CausalGraph, against: Against = "dag") -> int:
    """Structural Hamming distance: the number of node pairs on which the two graphs differ.

    For every unordered pair, 1 if one graph has an edge and the other not, or both have one with different
    marks (so ``a -> b`` vs ``b -> a`` costs 1, ``a -> b`` vs ``a -- b`` costs 1). With ``against="cpdag"`` the
    truth is first replaced by its CPDAG, so an estimate that leaves unidentifiable edges undirected (as PC and
    GES do) is not charged for them; the estimate itself is compared as given (pass ``estimated.cpdag()`` to
    compare two equivalence classes).
    """
    _same_nodes(estimated, truth)
    reference = _reference(truth, against)
    pairs = estimated.skeleton() | reference.skeleton()
    return sum(1 for pair in pairs if _edge(estimated, pair) != _edge(reference, pair))


def _edge(g: CausalGraph, pair: frozenset[str]) -> object:
    u, v = sorted(pair)
    return g.edge(u, v)


def skeleton_scores(estimated: CausalGraph, truth: CausalGraph) -> PRF:
    """Precision/recall/F1 of adjacencies, ignoring every mark (a reversed edge is a true positive)."""
    _same_nodes(estimated, truth)
    est, tru = estimated.skeleton(), truth.skeleton()
    return PRF.from_counts(len(est & tru), len(est - tru), len(tru - est))


def directed_scores(estimated: CausalGraph, truth: CausalGraph, against: Against = "dag") -> PRF:
    """Precision/recall/F1 of directed edges ``a -> b``.

    The predictions are the estimate's directed edges; ``a -> b`` is a true positive iff the reference has
    ``a -> b``. A reversed or spurious arrow is a false positive; a true arrow that the estimate misses, reverses
    or leaves undirected (``--``, ``<->``, circle marks) is a false negative. Non-directed estimated edges are
    therefore abstentions, not predictions: they never cost precision. ``against="cpdag"`` scores against the
    truth's CPDAG, whose undirected edges are not counted as arrows to find.
    """
    _same_nodes(estimated, truth)
    reference = _reference(truth, against)
    est, tru = set(estimated.directed_edges), set(reference.directed_edges)
    return PRF.from_counts(len(est & tru), len(est - tru), len(tru - est))


def _check_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(f"must be a whole number, got {value!r}", name)
    return int(value)


def _check_confidence(confidence: float) -> float:
    if not (isinstance(confidence, float | int) and 0.0 < float(confidence) < 1.0):
        raise InputError(f"must lie strictly between 0 and 1, got {confidence!r}", "confidence")
    return float(confidence)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Chosen over the normal ("Wald") interval because benchmark slices are often small or near 0/100 %, where
    Wald collapses to a zero-width interval; Wilson stays inside [0, 1] and keeps near-nominal coverage.
    """
    k, total = _check_int(successes, "successes"), _check_int(n, "n")
    level = _check_confidence(confidence)
    if total <= 0:
        raise InputError(f"needs at least one trial, got n={total}", "n")
    if not 0 <= k <= total:
        raise InputError(f"must lie between 0 and n={total}, got {k}", "successes")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    p, z2 = k / total, z * z
    denom = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denom
    # At k = 0 or k = n the bound is exactly 0 or 1; say so instead of returning 0.9999999999999999.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == total else min(1.0, centre + half)
    return low, high


def accuracy_with_interval(correct: Sequence[bool], confidence: float = 0.95) -> AccuracyInterval:
    """The share of ``True`` in ``correct`` with its Wilson interval."""
    values = list(correct)
    if not values:
        raise InputError("needs at least one answer to score", "correct")
    for i, v in enumerate(values):
        if not isinstance(v, bool | np.bool_):
            raise InputError(f"must hold booleans, item {i} is {v!r}", "correct")
    k = sum(bool(v) for v in values)
    low, high = wilson_interval(k, len(values), confidence)
    return AccuracyInterval(k / len(values), low, high, k, len(values), float(confidence))


def expected_calibration_error(probs: Sequence[float], outcomes: Sequence[bool | int], bins: int = 10) -> float:
    """Expected calibration error over ``bins`` equal-width bins of [0, 1].

    ``probs[i]`` is the stated probability that ``outcomes[i]`` is 1 (for a model's answers: its confidence that
    the answer is right, with outcome = answer was right). ECE = sum over bins of (share of items in the bin) x
    |mean outcome - mean probability|; bins are [0, 1/B), ..., [(B-1)/B, 1], so a probability of 1 lands in the
    last bin. 0 means perfectly calibrated; the value depends on B, so report it with B.
    """
    b = _check_int(bins, "bins")
    if b < 1:
        raise InputError(f"must be at least 1, got {b}", "bins")
    try:
        p = np.asarray(probs, dtype=float)
        y = np.asarray(outcomes, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"probabilities and outcomes must be numbers ({exc})", "probs") from None
    if p.ndim != 1 or y.ndim != 1 or len(p) != len(y):
        raise InputError(f"need two flat sequences of equal length, got shapes {p.shape} and {y.shape}", "probs")
    if len(p) == 0:
        raise InputError("needs at least one prediction", "probs")
    bad_p = np.flatnonzero(~((p >= 0) & (p <= 1)))  # NaN fails both comparisons
    if len(bad_p):
        raise InputError(f"must lie in [0, 1], item {bad_p[0]} is {p[bad_p[0]]}", "probs")
    bad_y = np.flatnonzero(~np.isin(y, (0.0, 1.0)))
    if len(bad_y):
        raise InputError(f"must be 0/1 or booleans, item {bad_y[0]} is {y[bad_y[0]]}", "outcomes")
    which = np.minimum((p * b).astype(int), b - 1)
    total = 0.0
    for k in range(b):
        mask = which == k
        if mask.any():
            total += mask.sum() / len(p) * abs(float(y[mask].mean()) - float(p[mask].mean()))
    return total
