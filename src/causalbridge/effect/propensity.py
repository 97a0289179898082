"""Propensity scores: fitting, checking overlap, trimming — shared by IPW and AIPW.

Weighting estimators divide by P(T = 1 | X). Where that is 0 or 1 for some units (no overlap) the effect is not
identified from the data without extrapolation, so we refuse with the numbers instead of returning an
enormous weight; where it is merely close to 0 or 1 we trim (clip) it and say how many units were affected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from causalbridge.effect.design import warn
from causalbridge.effect.numerics import logistic, logistic_probabilities, standardize, with_intercept
from causalbridge.errors import InputError

#: Above this share of trimmed units the warning calls the overlap poor.
POOR_OVERLAP_SHARE = 0.10


@dataclass(frozen=True)
class Propensity:
    """Fitted propensities, the standardised design they came from and the logistic coefficients."""

    design: np.ndarray
    beta: np.ndarray
    raw: np.ndarray


def fit_propensity(x: np.ndarray, t: np.ndarray) -> Propensity:
    design = with_intercept(standardize(x))
    beta = logistic(design, t)
    return Propensity(design, beta, logistic_probabilities(design, beta))


def predict_propensity(train_x: np.ndarray, train_t: np.ndarray, test_x: np.ndarray, model: Any = None) -> np.ndarray:
    """P(T = 1 | X) on ``test_x`` from a model fitted on the training rows (ours, or a scikit-learn classifier)."""
    if model is not None:
        from sklearn.base import clone

        fitted = clone(model).fit(train_x, train_t)
        return np.asarray(fitted.predict_proba(test_x)[:, 1], dtype=float)
    if train_x.shape[1] == 0:
        return np.full(test_x.shape[0], float(train_t.mean()))
    mean, sd = train_x.mean(axis=0), train_x.std(axis=0)
    keep = sd > 0
    train = with_intercept((train_x[:, keep] - mean[keep]) / sd[keep])
    test = with_intercept((test_x[:, keep] - mean[keep]) / sd[keep])
    return logistic_probabilities(test, logistic(train, train_t))


def check_overlap(e: np.ndarray, t: np.ndarray, treatment: str) -> None:
    """Refuse when the propensities separate treated from control units completely (no common support)."""
    treated, control = e[t == 1], e[t == 0]
    low_treated, high_control = float(treated.min()), float(control.max())
    if high_control < low_treated or (high_control <= 1e-6 and low_treated >= 1 - 1e-6):
        raise InputError(
            f"no overlap: the propensity model separates the groups perfectly (every treated unit has "
            f"P(treated | X) >= {low_treated:.3g}, every control unit <= {high_control:.3g}), so the covariates "
            "predict treatment exactly and the effect cannot be estimated without extrapolation; drop or coarsen "
            "the covariates that determine treatment, or restrict the data to comparable units",
            where=f"column {treatment!r}",
        )


def trim(e: np.ndarray, level: float, notes: list[str], estimand: str = "ate") -> tuple[np.ndarray, np.ndarray]:
    """Clip propensities to ``[level, 1 - level]``; warn with the count. Returns (clipped, was_clipped).

    For the effect on the treated only the upper end is clipped: a control unit's weight is ``e / (1 - e)``,
    so a small ``e`` just gives it a small weight, while raising it to ``level`` would give thousands of
    incomparable controls a weight they should not have.
    """
    if not 0.0 <= level < 0.5:
        raise InputError(f"trim must be in [0, 0.5), not {level!r}", where="trim")
    low = level if estimand == "ate" else 0.0
    clipped = (e < low) | (e > 1 - level)
    count = int(clipped.sum())
    if count:
        share = count / e.size
        quality = "poor overlap: " if share > POOR_OVERLAP_SHARE else ""
        bounds = f"[{low:g}, {1 - level:g}]" if estimand == "ate" else f"(0, {1 - level:g}] (ATT: upper end only)"
        warn(
            f"{quality}{count} of {e.size} propensities ({share:.1%}) were outside {bounds} and were trimmed "
            f"(clipped) to it (min {e.min():.3g}, max {e.max():.3g})",
            notes,
        )
    return np.clip(e, low, 1 - level), clipped
