"""Intervals and tests shared by the probes: stratified bootstrap of linear contrasts, sign-flip tests, BH.

Every effect a probe reports is a *linear contrast of group means*: a bias effect is the mean of paired
differences (one group), an overall effect the average of per-template means (one group per template), a main
effect of a 2^k design a signed average of cell means (one group per cell). So one bootstrap serves them all:
each group is resampled on its own (a stratified bootstrap, because the groups were fixed by design, not
sampled), and the statistic is ``sum_g weight_g * mean(group_g)``, computed for all replicates at once.

Two interval methods are offered. ``"percentile"`` reads quantiles of the replicates. ``"bca"`` (the default)
corrects them for median bias and skew (Efron's bias-corrected and accelerated interval, acceleration from the
jackknife over all observations); it covers better for the small, skewed samples probes produce (a dozen
fillings of probabilities near 0 or 1), and falls back to the percentile interval when the correction is
undefined (every replicate on one side of the estimate).

Tests use sign flips of paired differences: under the null that each difference is symmetric about zero (the
attribute helps some fillings exactly as much as it hurts others), flipping signs does not change the
distribution of the statistic. The p-value is exact (all 2^n flips) for n <= 16 and a seeded Monte Carlo with
the +1 correction otherwise, so it is never zero. :func:`benjamini_hochberg` then controls the false discovery
rate across many such tests.
"""

from __future__ import annotations

import functools
import itertools
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import norm

from causalbridge.errors import InputError

IntervalMethod = Literal["bca", "percentile"]
INTERVAL_METHODS: tuple[IntervalMethod, ...] = ("bca", "percentile")
_EXACT_FLIPS_UP_TO = 16


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate with a two-sided interval; ``method`` says how the interval was obtained."""

    estimate: float
    low: float
    high: float
    confidence: float
    method: str

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def excludes_zero(self) -> bool:
        return self.low > 0.0 or self.high < 0.0

    def to_dict(self) -> dict[str, float | str]:
        return {
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "confidence": self.confidence,
            "method": self.method,
        }


def stable_rng(seed: int, *labels: str) -> np.random.Generator:
    """A generator for ``seed`` and ``labels`` that does not depend on the order things are processed in."""
    return np.random.default_rng([seed, *(zlib.crc32(label.encode("utf-8")) for label in labels)])


def _as_groups(
    groups: Sequence[Sequence[float] | np.ndarray], weights: Sequence[float] | None
) -> tuple[list[np.ndarray], np.ndarray]:
    arrays = [np.asarray(g, dtype=float).ravel() for g in groups]
    if not arrays or any(a.size == 0 for a in arrays):
        raise InputError("every group needs at least one observation", where="bootstrap groups")
    if any(not np.isfinite(a).all() for a in arrays):
        raise InputError("observations must be finite numbers", where="bootstrap groups")
    w = np.ones(len(arrays)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(arrays),):
        raise InputError(f"{len(arrays)} groups but {w.size} weights", where="bootstrap weights")
    return arrays, w


def contrast(groups: Sequence[Sequence[float] | np.ndarray], weights: Sequence[float] | None = None) -> float:
    """``sum_g weights[g] * mean(groups[g])`` (weights default to 1)."""
    arrays, w = _as_groups(groups, weights)
    return float(sum(wi * a.mean() for wi, a in zip(w, arrays, strict=True)))


def _check_settings(confidence: float, n_resamples: int, method: str) -> None:
    if not 0.0 < confidence < 1.0:
        raise InputError(f"confidence must be in (0, 1), got {confidence}", where="confidence")
    if n_resamples < 100:
        raise InputError(f"use at least 100 bootstrap resamples, got {n_resamples}", where="n_resamples")
    if method not in INTERVAL_METHODS:
        raise InputError(f"interval method must be one of {INTERVAL_METHODS}, got {method!r}", where="method")


def bootstrap_contrast(
    groups: Sequence[Sequence[float] | np.ndarray],
    weights: Sequence[float] | None = None,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    method: IntervalMethod = "bca",
    rng: np.random.Generator | int = 0,
) -> Interval:
    """Stratified bootstrap interval for ``sum_g w_g * mean(group_g)``; each group is resampled on its own."""
    _check_settings(confidence, n_resamples, method)
    arrays, w = _as_groups(groups, weights)
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    estimate = float(sum(wi * a.mean() for wi, a in zip(w, arrays, strict=True)))
    replicates = np.zeros(n_resamples)
    for wi, a in zip(w, arrays, strict=True):
        picks = generator.integers(0, a.size, size=(n_resamples, a.size))
        replicates += wi * a[picks].mean(axis=1)
    return _finish(estimate, replicates, _stratified_jackknife(arrays, w), confidence, method)


def _finish(
    estimate: float, replicates: np.ndarray, jackknife: np.ndarray, confidence: float, method: IntervalMethod
) -> Interval:
    """The interval from bootstrap replicates (and jackknife values, for the BCa acceleration)."""
    alpha = 1.0 - confidence
    spread = float(np.ptp(replicates))
    if spread <= 1e-12 * max(1.0, abs(estimate)):  # no variation at all: the interval is the point
        return Interval(estimate, estimate, estimate, confidence, method)
    if method == "bca":
        levels = _bca_levels(jackknife, estimate, replicates, alpha)
        if levels is not None:
            low, high = np.quantile(replicates, levels)
            return Interval(estimate, float(min(low, estimate)), float(max(high, estimate)), confidence, "bca")
    low, high = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    used = "percentile" if method == "percentile" else "percentile (BCa undefined)"
    return Interval(estimate, float(low), float(high), confidence, used)


def _stratified_jackknife(arrays: list[np.ndarray], w: np.ndarray) -> np.ndarray:
    """Leave-one-out values of the contrast: leaving out observation j of group g changes only that mean."""
    jack: list[np.ndarray] = []
    for g, (wg, a) in enumerate(zip(w, arrays, strict=True)):
        if a.size < 2:
            continue
        loo_means = (a.sum() - a) / (a.size - 1)
        rest = sum(wi * b.mean() for i, (wi, b) in enumerate(zip(w, arrays, strict=True)) if i != g)
        jack.append(rest + wg * loo_means)
    return np.concatenate(jack) if jack else np.zeros(0)


def _bca_levels(
    jackknife: np.ndarray, estimate: float, replicates: np.ndarray, alpha: float
) -> tuple[float, float] | None:
    """The BCa quantile levels, or None when the bias correction is infinite or there is no jackknife."""
    below = float(np.mean(replicates < estimate)) + 0.5 * float(np.mean(replicates == estimate))
    if below <= 0.0 or below >= 1.0 or jackknife.size < 2:
        return None
    z0 = float(norm.ppf(below))
    centred = jackknife.mean() - jackknife
    denominator = 6.0 * float(np.sum(centred**2)) ** 1.5
    accel = float(np.sum(centred**3)) / denominator if denominator > 0 else 0.0
    levels = []
    for z_alpha in (norm.ppf(alpha / 2), norm.ppf(1 - alpha / 2)):
        shifted = z0 + z_alpha
        levels.append(float(norm.cdf(z0 + shifted / (1.0 - accel * shifted))))
    if not all(math.isfinite(level) for level in levels):
        return None
    return levels[0], levels[1]


def _cluster_tables(
    groups: Sequence[Sequence[float] | np.ndarray], clusters: Sequence[Sequence[int] | np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per group and cluster: the sum of the observations and their count (groups x clusters)."""
    labels = [np.asarray(c).ravel() for c in clusters]
    if len(labels) != len(groups) or any(len(lab) != len(g) for lab, g in zip(labels, groups, strict=True)):
        raise InputError("give one cluster label per observation", where="clusters")
    ids = np.unique(np.concatenate(labels))
    sums = np.zeros((len(groups), ids.size))
    counts = np.zeros((len(groups), ids.size))
    for g, (values, lab) in enumerate(zip(groups, labels, strict=True)):
        where = np.searchsorted(ids, lab)
        np.add.at(sums[g], where, np.asarray(values, dtype=float))
        np.add.at(counts[g], where, 1.0)
    return sums, counts


def cluster_bootstrap_contrast(
    groups: Sequence[Sequence[float] | np.ndarray],
    clusters: Sequence[Sequence[int] | np.ndarray],
    weights: Sequence[float] | None = None,
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    method: IntervalMethod = "bca",
    rng: np.random.Generator | int = 0,
) -> Interval:
    """Bootstrap interval for ``sum_g w_g * mean(group_g)`` resampling *clusters* shared by the groups.

    Use it when the same units recur in several groups (the same names in every template of an attribute):
    resampling groups independently would treat those repeats as independent evidence and give intervals that
    are too narrow. Every group must contain every cluster (else a replicate could leave a group empty).
    """
    _check_settings(confidence, n_resamples, method)
    arrays, w = _as_groups(groups, weights)
    sums, counts = _cluster_tables(arrays, clusters)
    if np.any(counts.sum(axis=0) == 0) or np.any(counts == 0):
        raise InputError("every group must contain every cluster; use bootstrap_contrast instead", where="clusters")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    n_clusters = sums.shape[1]
    estimate = float(w @ (sums.sum(axis=1) / counts.sum(axis=1)))
    draws = generator.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=n_resamples)
    replicates = ((draws @ sums.T) / (draws @ counts.T)) @ w
    kept = (sums.sum(axis=1) - sums.T) / (counts.sum(axis=1) - counts.T)  # leave one cluster out: clusters x groups
    jackknife = kept @ w if n_clusters > 1 else np.zeros(0)
    return _finish(estimate, replicates, jackknife, confidence, method)


def cluster_sign_flip_pvalue(
    groups: Sequence[Sequence[float] | np.ndarray],
    clusters: Sequence[Sequence[int] | np.ndarray],
    weights: Sequence[float] | None = None,
    *,
    n_flips: int = 10_000,
    rng: np.random.Generator | int = 0,
) -> float:
    """:func:`sign_flip_pvalue` flipping whole clusters: each cluster's paired differences change sign together."""
    arrays, w = _as_groups(groups, weights)
    sums, counts = _cluster_tables(arrays, clusters)
    per_cluster = (w / counts.sum(axis=1)) @ sums  # each cluster's contribution to the contrast
    return sign_flip_pvalue([per_cluster * per_cluster.size], n_flips=n_flips, rng=rng)


@functools.lru_cache(maxsize=_EXACT_FLIPS_UP_TO + 1)
def _all_signs(n: int) -> np.ndarray:
    """Every pattern of n signs (2^n rows), built once per n."""
    signs = np.array(list(itertools.product((1.0, -1.0), repeat=n)))
    signs.flags.writeable = False
    return signs


def sign_flip_pvalue(
    groups: Sequence[Sequence[float] | np.ndarray],
    weights: Sequence[float] | None = None,
    *,
    n_flips: int = 10_000,
    rng: np.random.Generator | int = 0,
) -> float:
    """Two-sided p-value of ``sum_g w_g * mean(d_g) = 0`` for paired differences ``d``, by flipping signs.

    Exact (every one of the 2^n sign patterns) when there are at most 16 differences in all; otherwise
    ``n_flips`` seeded random patterns with the (count + 1) / (n_flips + 1) correction.
    """
    arrays, w = _as_groups(groups, weights)
    # each difference's contribution to the statistic: w_g * d / n_g
    terms = np.concatenate([wi * a / a.size for wi, a in zip(w, arrays, strict=True)])
    observed = abs(float(terms.sum()))
    tolerance = 1e-12 * max(1.0, float(np.abs(terms).sum()))
    if observed <= tolerance:
        return 1.0
    if terms.size <= _EXACT_FLIPS_UP_TO:
        stats = np.abs(_all_signs(terms.size) @ terms)
        return float(np.mean(stats >= observed - tolerance))
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    exceed = 0
    done = 0
    while done < n_flips:  # in chunks, to bound memory for large samples
        size = min(2000, n_flips - done)
        signs = generator.choice((-1.0, 1.0), size=(size, terms.size))
        exceed += int(np.sum(np.abs(signs @ terms) >= observed - tolerance))
        done += size
    return (exceed + 1) / (n_flips + 1)


def benjamini_hochberg(pvalues: Sequence[float], fdr: float = 0.05) -> tuple[tuple[float, ...], tuple[bool, ...]]:
    """BH-adjusted p-values (q-values) and which hypotheses are rejected at false discovery rate ``fdr``.

    The q-value of a hypothesis is the smallest FDR level at which the step-up procedure would reject it:
    ``q_(i) = min_{j >= i} m * p_(j) / j``, capped at 1. A hypothesis is rejected iff its q-value <= fdr.
    """
    if not 0.0 < fdr < 1.0:
        raise InputError(f"the false discovery rate must be in (0, 1), got {fdr}", where="fdr")
    p = np.asarray(pvalues, dtype=float)
    if p.size == 0:
        return (), ()
    if not np.all((p >= 0.0) & (p <= 1.0)):
        raise InputError("p-values must lie in [0, 1]", where="pvalues")
    order = np.argsort(p, kind="stable")
    m = p.size
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    q = np.empty(m)
    q[order] = adjusted_sorted
    return tuple(float(v) for v in q), tuple(bool(v <= fdr) for v in q)
