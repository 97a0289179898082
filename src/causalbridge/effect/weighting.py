"""Inverse propensity weighting (IPW) for a binary treatment, for the ATE or the effect on the treated (ATT).

The estimate is the difference of the weighted (Hájek, i.e. normalised) outcome means of the two arms. For the
ATE the weights are ``1 / e`` (treated) and ``1 / (1 - e)`` (control); for the ATT they are ``1`` and
``e / (1 - e)``. Normalising per arm means the weights act *stabilised* (``P(T = t) / P(T = t | X)`` for the
ATE): the stabilising constants cancel, so the point estimate is the same either way. The notes report the effective
sample size of each arm and its largest weight relative to the arm's mean, because that is where extreme
weights show.

Interval: by default the M-estimation sandwich that stacks the logistic score with the two weighted means, so
it accounts for the propensity model being estimated; ``ci="bootstrap"`` refits everything on seeded resamples
and reports the percentile interval.
"""

from __future__ import annotations

import math

import numpy as np

from causalbridge.effect.base import EffectEstimator, Estimate, bootstrap_indices
from causalbridge.effect.design import Design, warn
from causalbridge.effect.numerics import normal_interval
from causalbridge.effect.progress import progress
from causalbridge.effect.propensity import check_overlap, fit_propensity, trim
from causalbridge.errors import InputError

ESTIMANDS = ("ate", "att")


def check_estimand(estimand: str) -> str:
    if estimand not in ESTIMANDS:
        raise InputError(f"estimand must be 'ate' or 'att', not {estimand!r}", where="estimand")
    return estimand


def arm_weights(t: np.ndarray, e: np.ndarray, estimand: str) -> tuple[np.ndarray, np.ndarray]:
    """(treated weights, control weights), zero outside the arm."""
    if estimand == "att":
        return t.astype(float), (1 - t) * e / (1 - e)
    return t / e, (1 - t) / (1 - e)


def hajek(t: np.ndarray, y: np.ndarray, e: np.ndarray, estimand: str = "ate") -> tuple[float, float]:
    """Normalised weighted outcome means (treated, control)."""
    w1, w0 = arm_weights(t, e, estimand)
    return float(np.sum(w1 * y) / np.sum(w1)), float(np.sum(w0 * y) / np.sum(w0))


class IPW(EffectEstimator):
    """Inverse propensity weighting with a logistic propensity model, trimming and a sandwich or bootstrap CI."""

    method = "inverse propensity weighting"
    binary_treatment = True

    propensity_: np.ndarray

    def __init__(
        self,
        trim: float = 0.01,
        ci: str = "sandwich",
        n_bootstrap: int = 200,
        estimand: str = "ate",
        seed: int = 0,
        quiet: bool = True,
    ) -> None:
        self.trim = trim
        self.ci = ci
        self.n_bootstrap = n_bootstrap
        self.estimand = estimand
        self.seed = seed
        self.quiet = quiet

    def _estimate(self, design: Design) -> Estimate:
        if self.ci not in ("sandwich", "bootstrap"):
            raise InputError(f"ci must be 'sandwich' or 'bootstrap', not {self.ci!r}", where="ci")
        estimand = check_estimand(self.estimand)
        notes: list[str] = []
        t, y = design.t, design.y
        prop = fit_propensity(design.x, t)
        check_overlap(prop.raw, t, design.treatment)
        e, clipped = trim(prop.raw, self.trim, notes, estimand)
        self.propensity_ = e
        mu1, mu0 = hajek(t, y, e, estimand)
        value = mu1 - mu0
        notes += _weight_notes(t, e, estimand)
        if self.ci == "sandwich":
            se = _sandwich_se(prop.design, prop.raw, e, clipped, t, y, (mu1, mu0), estimand)
            low, high = normal_interval(value, se)
            notes.append("interval: normal approximation, M-estimation sandwich including the propensity fit")
        else:
            low, high, se = self._bootstrap(design, estimand, notes)
        method = f"{self.method} ({estimand.upper()})"
        return Estimate(value, low, high, se, method, design.n, tuple(notes))

    def _bootstrap(self, design: Design, estimand: str, notes: list[str]) -> tuple[float, float, float]:
        if self.n_bootstrap < 20:
            raise InputError(f"n_bootstrap must be at least 20, not {self.n_bootstrap}", where="n_bootstrap")
        draws: list[float] = []
        skipped = 0
        indices = bootstrap_indices(design.n, self.n_bootstrap, self.seed)
        for idx in progress(indices, self.n_bootstrap, "IPW bootstrap", self.quiet):
            t, y, x = design.t[idx], design.y[idx], design.x[idx]
            if t.min() == t.max():
                skipped += 1
                continue
            e = np.clip(fit_propensity(x, t).raw, self.trim if estimand == "ate" else 0.0, 1 - self.trim)
            mu1, mu0 = hajek(t, y, e, estimand)
            draws.append(mu1 - mu0)
        if skipped:
            warn(f"{skipped} of {self.n_bootstrap} bootstrap samples had a single arm and were skipped", notes)
        if len(draws) < 10:
            raise InputError("too few usable bootstrap samples for an interval", where="data")
        low, high = np.percentile(draws, [2.5, 97.5])
        notes.append(f"interval: percentile bootstrap, {len(draws)} seeded resamples (seed {self.seed})")
        return float(low), float(high), float(np.std(draws, ddof=1))


def _weight_notes(t: np.ndarray, e: np.ndarray, estimand: str) -> list[str]:
    """Effective sample size per arm and the largest weight relative to its arm's mean (where weights explode)."""
    parts = []
    for arm, w, label in zip((1, 0), arm_weights(t, e, estimand), ("treated", "control"), strict=True):
        w = w[t == arm]
        ess = float(w.sum() ** 2 / np.sum(w**2))
        parts.append(f"{ess:.0f} of {w.size} {label} (largest weight {w.max() / w.mean():.3g}x the mean)")
    return [f"{estimand.upper()} weights: effective sample size " + ", ".join(parts)]


def _sandwich_se(
    xd: np.ndarray,
    e_raw: np.ndarray,
    e: np.ndarray,
    clipped: np.ndarray,
    t: np.ndarray,
    y: np.ndarray,
    means: tuple[float, float],
    estimand: str,
) -> float:
    """Standard error of mu1 - mu0 from the stacked estimating equations (logistic score, two weighted means).

    ``psi_arm = w_arm(e) (Y - mu_arm)``; the Jacobian needs ``d w / d (x beta)``, which is zero for clipped units
    (their weight does not move with the coefficients).
    """
    n, p = xd.shape
    mu1, mu0 = means
    w1, w0 = arm_weights(t, e, estimand)
    moving = ~clipped
    if estimand == "att":
        dw1 = np.zeros(n)
        dw0 = np.where(moving, (1 - t) * e / (1 - e), 0.0)
    else:
        dw1 = np.where(moving, -t * (1 - e) / e, 0.0)
        dw0 = np.where(moving, (1 - t) * e / (1 - e), 0.0)
    psi = np.column_stack([(t - e_raw)[:, None] * xd, w1 * (y - mu1), w0 * (y - mu0)])
    jac = np.zeros((p + 2, p + 2))
    jac[:p, :p] = -(xd * (e_raw * (1 - e_raw))[:, None]).T @ xd / n
    jac[p, :p] = np.mean((dw1 * (y - mu1))[:, None] * xd, axis=0)
    jac[p, p] = -np.mean(w1)
    jac[p + 1, :p] = np.mean((dw0 * (y - mu0))[:, None] * xd, axis=0)
    jac[p + 1, p + 1] = -np.mean(w0)
    meat = psi.T @ psi / n
    jinv = np.linalg.pinv(jac)
    cov = jinv @ meat @ jinv.T / n
    var = cov[p, p] + cov[p + 1, p + 1] - 2 * cov[p, p + 1]
    return math.sqrt(max(float(var), 0.0))
