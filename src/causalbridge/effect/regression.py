"""Regression adjustment: the treatment's coefficient in an OLS fit of the outcome on treatment and covariates.

With a valid adjustment set and a correctly specified linear outcome model this is the average effect (per
unit of the treatment). ``interactions=True`` adds treatment-by-centred-covariate terms (Lin 2013), which makes
the coefficient the ATE for a binary treatment even when the effect varies with the covariates.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from causalbridge.effect.base import EffectEstimator, Estimate
from causalbridge.effect.design import Design
from causalbridge.effect.numerics import normal_interval
from causalbridge.errors import InputError

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")


class RegressionAdjustment(EffectEstimator):
    """OLS with heteroskedasticity-robust (default HC3) standard errors, fitted by statsmodels.

    Besides ``effect_`` it learns ``t_stat_`` and ``dof_`` — the *classical* t-statistic of the treatment and
    the residual degrees of freedom — and ``partial_r2_``, the partial R² of the treatment with the outcome;
    these are what the Cinelli–Hazlett sensitivity analysis is defined on.
    """

    method = "OLS regression adjustment"

    t_stat_: float
    dof_: int
    partial_r2_: float

    def __init__(self, cov_type: str = "HC3", interactions: bool = False, estimand: str = "ate") -> None:
        self.cov_type = cov_type
        self.interactions = interactions
        self.estimand = estimand

    def _estimate(self, design: Design) -> Estimate:
        import statsmodels.api as sm
        from statsmodels.tools.sm_exceptions import SingularMatrixWarning

        if self.cov_type not in COV_TYPES:
            raise InputError(f"cov_type must be one of {', '.join(COV_TYPES)}, not {self.cov_type!r}", "cov_type")
        if self.estimand not in ("ate", "att"):
            raise InputError(f"estimand must be 'ate' or 'att', not {self.estimand!r}", where="estimand")
        if self.estimand == "att" and not (self.interactions and design.t_binary):
            raise InputError("the ATT needs interactions=True and a binary treatment", where="estimand")
        notes: list[str] = []
        x = design.x
        columns = [np.ones(design.n), design.t, x]
        if self.interactions and x.shape[1]:
            if design.t_binary:
                # Centring at the mean of the population of interest makes the treatment coefficient its effect.
                centre = x[design.t == 1].mean(axis=0) if self.estimand == "att" else x.mean(axis=0)
                centred = x - centre
                columns = [np.ones(design.n), design.t, centred, design.t[:, None] * centred]
                notes.append(
                    f"treatment-by-covariate interactions (Lin 2013): the coefficient is the {self.estimand.upper()}"
                )
            else:
                notes.append("interactions need a binary treatment; fitted without them")
        matrix = np.column_stack(columns)
        without_t = np.delete(matrix, 1, axis=1)
        if np.linalg.matrix_rank(matrix) <= np.linalg.matrix_rank(without_t):
            raise InputError(
                "the treatment is a linear function of the covariates (no variation left to estimate its effect)",
                where=f"column {design.treatment!r}",
            )
        if design.n <= matrix.shape[1]:
            raise InputError(f"{design.n} rows for {matrix.shape[1]} coefficients: too few rows", where="data")
        redundant = matrix.shape[1] - int(np.linalg.matrix_rank(matrix))
        with warnings.catch_warnings():
            # Collinear covariates (e.g. a deterministic OR of two others) leave the treatment coefficient
            # identified (checked above); say so once in the notes instead of a statsmodels warning per fit.
            warnings.simplefilter("ignore", SingularMatrixWarning)
            fit = sm.OLS(design.y, matrix).fit(cov_type=self.cov_type)
        if redundant:
            notes.append(
                f"the covariates are collinear ({redundant} redundant column(s)); the treatment coefficient is "
                "still identified"
            )
        value = float(fit.params[1])
        se = float(fit.bse[1])
        classical_se = float(math.sqrt(fit.scale * np.linalg.pinv(matrix.T @ matrix)[1, 1]))
        dof = int(round(fit.df_resid))
        t_stat = value / classical_se if classical_se > 0 else math.inf
        self.t_stat_ = t_stat
        self.dof_ = dof
        self.partial_r2_ = t_stat**2 / (t_stat**2 + dof) if math.isfinite(t_stat) else 1.0
        low, high = normal_interval(value, se)
        notes.append(f"interval: normal approximation with {self.cov_type} standard errors")
        method = self.method + (f" with interactions ({self.estimand.upper()})" if len(columns) == 4 else "")
        return Estimate(value, low, high, se, method, design.n, tuple(notes))
