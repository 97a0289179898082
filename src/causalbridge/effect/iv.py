"""The Wald / instrumental-variable estimator for one instrument (binary or continuous).

effect = (reduced-form coefficient of Z on Y) / (first-stage coefficient of Z on T), each from OLS with the
covariates W (when given) partialled out. With a binary instrument and no covariates this is the classic Wald
ratio (E[Y | Z=1] - E[Y | Z=0]) / (E[T | Z=1] - E[T | Z=0]). It identifies the effect in a linear
(constant-effect) model, or the complier average effect (LATE) under monotonicity.

Interval: the delta method for a ratio, with the heteroskedasticity-robust joint covariance of the two
coefficients (equal to the robust just-identified 2SLS standard error). A first-stage F below ``weak_f``
(Staiger & Stock's 10) triggers a weak-instrument warning, since the normal interval is then unreliable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from causalbridge.effect.base import EffectEstimator, Estimate
from causalbridge.effect.design import Design, warn
from causalbridge.effect.numerics import least_squares, normal_interval, with_intercept
from causalbridge.errors import InputError


class WaldIV(EffectEstimator):
    """IV estimate with instrument ``instrument`` (adjusting for ``adjust`` when the instrument is conditional)."""

    method = "Wald / IV ratio"

    first_stage_f_: float
    first_stage_: float
    reduced_form_: float

    def __init__(self, instrument: str | None = None, weak_f: float = 10.0) -> None:
        self.instrument = instrument
        self.weak_f = weak_f

    def extra_columns(self) -> Mapping[str, Sequence[str]]:
        if self.instrument is None:
            raise InputError("WaldIV needs an instrument: WaldIV(instrument='column')", where="instrument")
        return {"instrument": [self.instrument]}

    def _estimate(self, design: Design) -> Estimate:
        name = str(self.instrument)
        if name in (design.treatment, design.outcome) or name in design.adjust:
            raise InputError(
                f"the instrument {name!r} cannot also be the treatment, the outcome or a covariate",
                where="instrument",
            )
        w = with_intercept(design.x)

        def residual(v: np.ndarray) -> np.ndarray:
            return least_squares(w, v).resid

        z, t, y = residual(design.extra[name]), residual(design.t), residual(design.y)
        zz = float(np.mean(z * z))
        if zz <= 1e-12 * max(1.0, float(np.var(design.extra[name]))):
            raise InputError("the instrument is constant (given the covariates)", where=f"column {name!r}")
        a, b = float(np.mean(z * y)) / zz, float(np.mean(z * t)) / zz
        if b == 0.0:
            raise InputError("the instrument is not associated with the treatment at all", where=f"column {name!r}")
        n, k = design.n, w.shape[1] + 1
        influence = np.column_stack([z * (y - a * z), z * (t - b * z)]) / zz
        cov = influence.T @ influence / n**2 * (n / max(n - k, 1))
        var_a, var_b, cov_ab = float(cov[0, 0]), float(cov[1, 1]), float(cov[0, 1])
        value = a / b
        se = math.sqrt(max(var_a - 2 * value * cov_ab + value**2 * var_b, 0.0)) / abs(b)
        f_stat = b**2 / var_b if var_b > 0 else math.inf
        self.first_stage_f_, self.first_stage_, self.reduced_form_ = f_stat, b, a
        notes: list[str] = [f"first stage: coefficient {b:.4g}, robust F = {f_stat:.1f}; reduced form {a:.4g}"]
        if f_stat < self.weak_f:
            warn(
                f"weak instrument {name!r}: first-stage F = {f_stat:.2f} < {self.weak_f:g}; the estimate is biased "
                "towards OLS and its normal interval is unreliable",
                notes,
            )
        low, high = normal_interval(value, se)
        notes.append("interval: delta method for the ratio of reduced form to first stage (robust covariance)")
        return Estimate(value, low, high, se, self.method, n, tuple(notes))
