"""Augmented IPW (doubly robust) with K-fold cross-fitting, for a binary treatment (ATE, or ATT).

Each unit's score ``mu1 - mu0 + T (Y - mu1) / e - (1 - T) (Y - mu0) / (1 - e)`` uses outcome models ``mu_t`` and
a propensity ``e`` fitted on the *other* folds (cross-fitting), so flexible models do not overfit their own
rows. The estimate is consistent if either model is right; the interval uses the scores' standard deviation
(the efficient influence function), which is valid when both models converge fast enough.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from causalbridge.effect.base import EffectEstimator, Estimate
from causalbridge.effect.design import Design
from causalbridge.effect.numerics import normal_interval, predict_linear
from causalbridge.effect.propensity import check_overlap, fit_propensity, predict_propensity, trim
from causalbridge.effect.weighting import check_estimand
from causalbridge.errors import InputError


def stratified_folds(t: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """A fold number per row; treated and control rows are spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    folds = np.empty(t.shape[0], dtype=int)
    for arm in (0.0, 1.0):
        rows = np.flatnonzero(t == arm)
        folds[rows] = rng.permutation(rows.size) % n_folds
    return folds


class AIPW(EffectEstimator):
    """Doubly robust AIPW with cross-fitting; by default linear outcome models per arm and a logistic propensity.

    ``outcome_model`` / ``propensity_model`` take scikit-learn estimators (cloned per fold) to go non-linear.
    """

    method = "AIPW (doubly robust, cross-fitted)"
    binary_treatment = True

    scores_: np.ndarray

    def __init__(
        self,
        n_folds: int = 5,
        outcome_model: Any = None,
        propensity_model: Any = None,
        trim: float = 0.01,
        estimand: str = "ate",
        seed: int = 0,
    ) -> None:
        self.n_folds = n_folds
        self.outcome_model = outcome_model
        self.propensity_model = propensity_model
        self.trim = trim
        self.estimand = estimand
        self.seed = seed

    def _estimate(self, design: Design) -> Estimate:
        if not isinstance(self.n_folds, int) or self.n_folds < 2:
            raise InputError(f"n_folds must be an integer >= 2, not {self.n_folds!r}", where="n_folds")
        estimand = check_estimand(self.estimand)
        t, y, x = design.t, design.y, design.x
        smallest = int(min(t.sum(), (1 - t).sum()))
        if smallest < 2 * self.n_folds:
            raise InputError(
                f"only {smallest} units in the smaller arm: too few for {self.n_folds}-fold cross-fitting "
                "(use fewer folds or IPW)",
                where=f"column {design.treatment!r}",
            )
        notes: list[str] = []
        check_overlap(fit_propensity(x, t).raw, t, design.treatment)
        folds = stratified_folds(t, self.n_folds, self.seed)
        e_raw = np.empty(design.n)
        mu1 = np.empty(design.n)
        mu0 = np.empty(design.n)
        for k in range(self.n_folds):
            test, train = folds == k, folds != k
            e_raw[test] = predict_propensity(x[train], t[train], x[test], self.propensity_model)
            for arm, target in ((1.0, mu1), (0.0, mu0)):
                rows = train & (t == arm)
                target[test] = self._predict_outcome(x[rows], y[rows], x[test])
        e, _ = trim(e_raw, self.trim, notes, estimand)
        if estimand == "att":
            # Effect on the treated: only the control outcome model is needed; the score is centred at the ATT.
            p1 = float(t.mean())
            residual = t * (y - mu0) - (1 - t) * e / (1 - e) * (y - mu0)
            value = float(residual.mean() / p1)
            scores = (residual - t * value) / p1
        else:
            scores = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e)
            value = float(scores.mean())
        self.scores_ = scores
        se = float(scores.std(ddof=1) / math.sqrt(design.n))
        low, high = normal_interval(value, se)
        notes.append(
            f"interval: normal approximation with the influence-function standard error; {self.n_folds}-fold "
            f"cross-fitting (seed {self.seed})"
        )
        method = f"{self.method} ({estimand.upper()})"
        return Estimate(value, low, high, se, method, design.n, tuple(notes))

    def _predict_outcome(self, train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray) -> np.ndarray:
        if self.outcome_model is not None:
            from sklearn.base import clone

            return np.asarray(clone(self.outcome_model).fit(train_x, train_y).predict(test_x), dtype=float)
        return predict_linear(train_x, train_y, test_x)
