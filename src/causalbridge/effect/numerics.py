"""Small numerical building blocks: least squares with influence functions, and a logistic fit.

They are written out (rather than taken from statsmodels/scikit-learn) because the estimators need the
pieces those libraries hide: per-row influence functions for stacked delta-method intervals, and a logistic fit
that never prints convergence warnings and whose fitted probabilities let us detect perfect separation
ourselves and say so in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

Z_95 = 1.959963984540054


def with_intercept(x: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(x.shape[0]), x])


def standardize(x: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit variance (constant columns dropped); conditioning, not meaning."""
    if x.shape[1] == 0:
        return x
    sd = x.std(axis=0)
    keep = sd > 0
    return (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]


@dataclass(frozen=True)
class LeastSquares:
    """``y ~ design``: coefficients, residuals, ``(X'X)^-1`` and the per-row influence functions (n, p)."""

    coef: np.ndarray
    resid: np.ndarray
    xtx_inv: np.ndarray
    influence: np.ndarray

    def robust_cov(self) -> np.ndarray:
        """HC0 sandwich covariance of the coefficients, with the n / (n - p) small-sample factor (HC1)."""
        n, p = self.influence.shape
        return (self.influence.T @ self.influence) / n**2 * (n / max(n - p, 1))


def least_squares(design: np.ndarray, y: np.ndarray) -> LeastSquares:
    """OLS by a pseudo-inverse of X'X (collinear columns get a minimum-norm solution instead of an error)."""
    xtx_inv = np.linalg.pinv(design.T @ design)
    coef = xtx_inv @ (design.T @ y)
    resid = y - design @ coef
    influence = design.shape[0] * (design @ xtx_inv) * resid[:, None]
    return LeastSquares(coef, resid, xtx_inv, influence)


def predict_linear(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray) -> np.ndarray:
    fit = least_squares(with_intercept(train_x), train_y)
    return np.asarray(with_intercept(test_x) @ fit.coef)


def logistic(design: np.ndarray, t: np.ndarray, ridge: float = 1e-6, max_iter: int = 60) -> np.ndarray:
    """Logistic-regression coefficients by damped Newton steps (``design`` includes the intercept column).

    The tiny ridge keeps the Hessian invertible, so perfectly separated data gives large but finite
    coefficients (fitted probabilities near 0 and 1) instead of a crash; callers check overlap afterwards.
    """
    p = design.shape[1]
    beta = np.zeros(p)
    penalty = np.full(p, ridge * design.shape[0])
    penalty[0] = 0.0
    for _ in range(max_iter):
        prob = expit(np.clip(design @ beta, -35.0, 35.0))
        weight = np.maximum(prob * (1.0 - prob), 1e-10)
        grad = design.T @ (t - prob) - penalty * beta
        hess = design.T @ (design * weight[:, None]) + np.diag(penalty + 1e-12)
        step = np.linalg.solve(hess, grad)
        largest = float(np.max(np.abs(step)))
        if largest > 5.0:  # damping: separated data would otherwise jump straight to huge coefficients
            step *= 5.0 / largest
        beta = beta + step
        if largest < 1e-9:
            break
    return beta


def logistic_probabilities(design: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return np.asarray(expit(np.clip(design @ beta, -35.0, 35.0)))


def normal_interval(value: float, std_error: float, z: float = Z_95) -> tuple[float, float]:
    return value - z * std_error, value + z * std_error
