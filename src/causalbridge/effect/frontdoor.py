"""Frontdoor estimation: the effect through mediators that carry all of it, despite T-Y latent confounding.

Two forms of Pearl's frontdoor formula ``E[Y | do(t)] = sum_m P(m | t) sum_t' E[Y | m, t'] P(t')``:

* ``kind="linear"`` — linear models: effect = sum_j a_j b_j, with a_j the coefficient of T in OLS of M_j on T
  and b_j the coefficient of M_j in OLS of Y on all M and T. Interval: delta method with the robust joint
  covariance of all a and b (from their influence functions).
* ``kind="discrete"`` — binary T and discrete mediators: the plug-in formula over the observed mediator
  cells, with a seeded percentile-bootstrap interval.

``kind="auto"`` uses the discrete form when the treatment is binary, every mediator has at most ``max_levels``
values, no covariates are given and every mediator cell is seen under both treatments; else the linear form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from causalbridge.effect.base import EffectEstimator, Estimate, bootstrap_indices
from causalbridge.effect.design import Design, warn
from causalbridge.effect.numerics import least_squares, normal_interval
from causalbridge.effect.progress import progress
from causalbridge.errors import InputError

KINDS = ("auto", "linear", "discrete")


class FrontdoorEstimator(EffectEstimator):
    """The frontdoor adjustment through ``mediators`` (see the module docstring for the two forms)."""

    method = "frontdoor adjustment"

    kind_: str

    def __init__(
        self,
        mediators: Sequence[str] | None = None,
        kind: str = "auto",
        max_levels: int = 10,
        n_bootstrap: int = 200,
        seed: int = 0,
        quiet: bool = True,
    ) -> None:
        self.mediators = mediators
        self.kind = kind
        self.max_levels = max_levels
        self.n_bootstrap = n_bootstrap
        self.seed = seed
        self.quiet = quiet

    def extra_columns(self) -> Mapping[str, Sequence[str]]:
        if not self.mediators or isinstance(self.mediators, str):
            raise InputError("FrontdoorEstimator needs a list of mediators: mediators=['m']", where="mediators")
        return {"mediator": list(self.mediators)}

    def _estimate(self, design: Design) -> Estimate:
        if self.kind not in KINDS:
            raise InputError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}", where="kind")
        names = list(dict.fromkeys(self.mediators or ()))
        clash = [m for m in names if m in (design.treatment, design.outcome) or m in design.adjust]
        if clash:
            raise InputError(f"{clash[0]!r} cannot be both a mediator and the treatment/outcome/covariate", "mediators")
        m = np.column_stack([design.extra[name] for name in names])
        notes: list[str] = []
        kind = self.kind
        if kind == "auto":
            kind = "discrete" if self._discrete_ok(design, m) else "linear"
        elif kind == "discrete":
            if not design.t_binary:
                raise InputError("the discrete frontdoor form needs a binary treatment", f"column {design.treatment!r}")
            if design.x.shape[1]:
                raise InputError("the discrete frontdoor form takes no covariates (use kind='linear')", "adjust")
            if _plug_in(design.t, m, design.y) is None:
                raise InputError("some mediator value is never seen under one of the treatments", "mediators")
        self.kind_ = kind
        if kind == "linear":
            value, se = _linear(design, m)
            low, high = normal_interval(value, se)
            notes.append("linear frontdoor (product of coefficients); interval: delta method, robust covariance")
        else:
            value = float(_plug_in(design.t, m, design.y) or 0.0)
            low, high, se = self._bootstrap(design, m, notes)
        return Estimate(value, low, high, se, f"{self.method} ({kind})", design.n, tuple(notes))

    def _discrete_ok(self, design: Design, m: np.ndarray) -> bool:
        if not design.t_binary or design.x.shape[1]:
            return False
        if any(np.unique(m[:, j]).size > self.max_levels for j in range(m.shape[1])):
            return False
        return _plug_in(design.t, m, design.y) is not None

    def _bootstrap(self, design: Design, m: np.ndarray, notes: list[str]) -> tuple[float, float, float]:
        if self.n_bootstrap < 20:
            raise InputError(f"n_bootstrap must be at least 20, not {self.n_bootstrap}", where="n_bootstrap")
        draws: list[float] = []
        indices = bootstrap_indices(design.n, self.n_bootstrap, self.seed)
        for idx in progress(indices, self.n_bootstrap, "frontdoor bootstrap", self.quiet):
            value = _plug_in(design.t[idx], m[idx], design.y[idx])
            if value is not None:
                draws.append(value)
        skipped = self.n_bootstrap - len(draws)
        if skipped:
            warn(
                f"{skipped} of {self.n_bootstrap} bootstrap samples missed a mediator cell and were skipped",
                notes,
            )
        if len(draws) < 10:
            raise InputError("too few usable bootstrap samples for an interval", where="data")
        low, high = np.percentile(draws, [2.5, 97.5])
        notes.append(f"discrete plug-in frontdoor; interval: percentile bootstrap, {len(draws)} seeded resamples")
        return float(low), float(high), float(np.std(draws, ddof=1))


def _linear(design: Design, m: np.ndarray) -> tuple[float, float]:
    n, k = design.n, m.shape[1]
    ones = np.ones((n, 1))
    a_design = np.column_stack([ones, design.t, design.x])
    b_design = np.column_stack([ones, m, design.t, design.x])
    if np.linalg.matrix_rank(b_design) < b_design.shape[1]:
        raise InputError("the mediators are collinear with the treatment or each other", where="mediators")
    a_coef, a_inf = [], []
    for j in range(k):
        fit = least_squares(a_design, m[:, j])
        a_coef.append(fit.coef[1])
        a_inf.append(fit.influence[:, 1])
    b_fit = least_squares(b_design, design.y)
    b_coef = b_fit.coef[1 : 1 + k]
    influence = np.column_stack([*a_inf, b_fit.influence[:, 1 : 1 + k]])
    cov = influence.T @ influence / n**2 * (n / max(n - b_design.shape[1], 1))
    grad = np.concatenate([b_coef, np.asarray(a_coef)])
    value = float(np.dot(a_coef, b_coef))
    return value, math.sqrt(max(float(grad @ cov @ grad), 0.0))


def _plug_in(t: np.ndarray, m: np.ndarray, y: np.ndarray) -> float | None:
    """The discrete frontdoor formula, or ``None`` when a mediator cell lacks one of the treatments."""
    cells, cell = np.unique(m, axis=0, return_inverse=True)
    cell = cell.reshape(-1)
    p1 = float(t.mean())
    treated, control = t == 1, t == 0
    total = 0.0
    for c in range(cells.shape[0]):
        in_cell = cell == c
        both = (in_cell & treated, in_cell & control)
        if not both[0].any() or not both[1].any():
            return None
        p_m1 = float(in_cell[treated].mean())
        p_m0 = float(in_cell[control].mean())
        outcome = float(y[both[0]].mean()) * p1 + float(y[both[1]].mean()) * (1 - p1)
        total += (p_m1 - p_m0) * outcome
    return total
