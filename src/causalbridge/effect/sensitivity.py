"""How strong would an unobserved confounder have to be to explain the estimate away?

Two standard answers:

* **E-value** (VanderWeele & Ding 2017): the minimum risk-ratio association a confounder would need with both
  treatment and outcome to move the estimate to the null. For a binary outcome it is computed from the risk
  ratio ``RR = (p0 + ATE) / p0`` with ``p0`` the control arm's outcome rate; for a continuous outcome it uses
  the authors' approximation through the standardised difference ``d = ATE / SD(Y)``: ``RR ~ exp(0.91 d)``, with
  interval ``exp(0.91 d -/+ 1.78 SE(d))``. The result says which was used.
* **Robustness value** (Cinelli & Hazlett 2020) from the OLS fit: RV_q is the partial R² an unobserved
  confounder would need with both treatment and outcome (after the covariates) to reduce the estimate by
  100q%; RV_{q,alpha} to make it statistically insignificant. Also the partial R² of the treatment with the
  outcome — the share a confounder explaining *all* residual outcome variance would need with the treatment.
  These use the classical (not heteroskedasticity-robust) t-statistic, as the method is defined.

The verdict compares RV_{q,alpha} with the observed covariates (a heuristic in the spirit of the authors'
benchmarking): it warns when some covariate's partial R² with both treatment and outcome reaches it — an
unobserved confounder as strong as that covariate could make the estimate insignificant.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from causalbridge.effect.base import Estimate
from causalbridge.effect.design import Data, build_design
from causalbridge.effect.numerics import least_squares, with_intercept
from causalbridge.effect.refute import Refutation, Verdict
from causalbridge.errors import InputError


def e_value_rr(rr: float) -> float:
    """E-value of a risk ratio: ``RR + sqrt(RR (RR - 1))`` for RR >= 1 (RR < 1 is inverted first)."""
    if not rr > 0 or not math.isfinite(rr):
        raise InputError(f"a risk ratio must be positive and finite, got {rr!r}", where="e_value")
    rr = 1.0 / rr if rr < 1 else rr
    return rr + math.sqrt(rr * (rr - 1.0))


def e_value_interval(low: float, high: float) -> float:
    """E-value of the confidence limit closest to the null (1 when the interval contains RR = 1)."""
    if low <= 1.0 <= high:
        return 1.0
    return e_value_rr(low if low > 1.0 else high)


def e_value_smd(d: float, se_d: float) -> tuple[float, float]:
    """(E-value, E-value of the interval) for a standardised mean difference via ``RR ~ exp(0.91 d)``."""
    rr = math.exp(0.91 * d)
    low, high = math.exp(0.91 * d - 1.78 * se_d), math.exp(0.91 * d + 1.78 * se_d)
    return e_value_rr(rr), e_value_interval(low, high)


def partial_r2(t_stat: float, dof: int) -> float:
    """Partial R² of a regressor with the outcome, from its t-statistic: ``t² / (t² + dof)``."""
    return t_stat**2 / (t_stat**2 + dof)


def robustness_value(t_stat: float, dof: int, q: float = 1.0, alpha: float | None = None) -> float:
    """Cinelli & Hazlett's RV_q, or RV_{q,alpha} when ``alpha`` is given, from the classical t and the dof."""
    if q <= 0:
        raise InputError(f"q must be > 0, got {q!r}", where="robustness_value")
    if dof < 2:
        raise InputError(f"too few residual degrees of freedom ({dof})", where="robustness_value")
    fq = q * abs(t_stat) / math.sqrt(dof)
    if alpha is None:
        return 0.5 * (math.sqrt(fq**4 + 4 * fq**2) - fq**2)
    from scipy import stats  # imported here: scipy.stats costs about a second at import

    f_crit = abs(float(stats.t.ppf(alpha / 2, dof - 1))) / math.sqrt(dof - 1)
    fqa = fq - f_crit
    if fqa < 0:
        return 0.0
    if fq > 1 / f_crit:  # the bound on R²_{D~Z} is not binding
        return (fq**2 - f_crit**2) / (1 + fq**2)
    return 0.5 * (math.sqrt(fqa**4 + 4 * fqa**2) - fqa**2)


def _classical_t(design: np.ndarray, y: np.ndarray, column: int) -> tuple[float, int]:
    fit = least_squares(design, y)
    dof = design.shape[0] - design.shape[1]
    sigma2 = float(fit.resid @ fit.resid) / dof
    se = math.sqrt(sigma2 * float(fit.xtx_inv[column, column]))
    return (float(fit.coef[column]) / se if se > 0 else math.inf), dof


def sensitivity_analysis(
    data: Data,
    treatment: str,
    outcome: str,
    adjust: Iterable[str] = (),
    estimate: Estimate | None = None,
    q: float = 1.0,
    alpha: float = 0.05,
) -> Refutation:
    """E-value (of ``estimate``, else of the OLS estimate) and the robustness values of the OLS fit."""
    d = build_design(data, treatment, outcome, adjust)
    matrix = with_intercept(np.column_stack([d.t, d.x]))
    if d.n <= matrix.shape[1] + 1:
        raise InputError(f"{d.n} rows for {matrix.shape[1]} coefficients: too few rows", where="data")
    t_stat, dof = _classical_t(matrix, d.y, 1)
    if estimate is None:
        fit = least_squares(matrix, d.y)
        value = float(fit.coef[1])
        se = abs(value / t_stat) if t_stat else math.inf
        estimate = Estimate(value, value - 1.96 * se, value + 1.96 * se, se, "OLS", d.n)
    numbers: dict[str, float] = {
        "partial_r2_treatment": partial_r2(t_stat, dof) if math.isfinite(t_stat) else 1.0,
        f"rv_q{q:g}": robustness_value(t_stat, dof, q),
        f"rv_q{q:g}_alpha{alpha:g}": robustness_value(t_stat, dof, q, alpha),
    }
    scale = _e_values(d.t, d.y, estimate, numbers)
    rv_alpha = numbers[f"rv_q{q:g}_alpha{alpha:g}"]
    strongest, strength = _strongest_covariate(d.t, d.y, d.x, d.x_names)
    if strongest is not None:
        numbers["strongest_covariate_r2"] = strength
    verdict: Verdict = "pass"
    text = (
        f"E-value {numbers['e_value']:.2f} (interval limit {numbers['e_value_ci']:.2f}; {scale}); a confounder "
        f"explaining {rv_alpha:.1%} of the residual variance of both {treatment} and {outcome} would make the "
        f"estimate insignificant (RV_{{q={q:g}, alpha={alpha:g}}}), {numbers[f'rv_q{q:g}']:.1%} would remove "
        f"{q:.0%} of it (RV_q)"
    )
    if rv_alpha == 0.0:
        verdict = "warn"
        text += "; the estimate is already not significant, so no confounding is needed to explain it away"
    elif strongest is not None and strength >= rv_alpha:
        verdict = "warn"
        text += (
            f"; the observed covariate {strongest!r} is that strong (partial R² {strength:.1%} with both), so an "
            "unobserved confounder like it could explain the effect away"
        )
    elif strongest is not None:
        text += f"; the strongest observed covariate, {strongest!r}, reaches only {strength:.1%}"
    return Refutation("unobserved confounding", verdict, numbers, text)


def _e_values(t: np.ndarray, y: np.ndarray, estimate: Estimate, numbers: dict[str, float]) -> str:
    binary_y = set(np.unique(y).tolist()) <= {0.0, 1.0}
    p0 = float(y[t == 0].mean()) if binary_y and (t == 0).any() else math.nan
    if binary_y and 0 < p0 < 1 and set(np.unique(t).tolist()) == {0.0, 1.0}:
        rr = max(p0 + estimate.value, 1e-9) / p0
        low = max(p0 + estimate.ci_low, 1e-9) / p0
        high = max(p0 + estimate.ci_high, 1e-9) / p0
        numbers.update(risk_ratio=rr, e_value=e_value_rr(rr), e_value_ci=e_value_interval(low, high))
        return "risk ratio (p0 + ATE) / p0 with p0 the control outcome rate"
    sd = float(np.std(y, ddof=1))
    if sd == 0:
        raise InputError("the outcome is constant", where="outcome")
    smd, se_d = estimate.value / sd, estimate.std_error / sd
    point, limit = e_value_smd(smd, se_d)
    numbers.update(standardised_difference=smd, e_value=point, e_value_ci=limit)
    return "standardised-difference approximation RR ~ exp(0.91 d), d = ATE / SD(outcome)"


def _strongest_covariate(
    t: np.ndarray, y: np.ndarray, x: np.ndarray, names: tuple[str, ...]
) -> tuple[str | None, float]:
    """The covariate whose min(partial R² with Y given T and the rest, with T given the rest) is largest."""
    best: tuple[str | None, float] = (None, 0.0)
    for j, name in enumerate(names):
        outcome_design = with_intercept(np.column_stack([t, x]))
        t_y, dof_y = _classical_t(outcome_design, y, 2 + j)
        treatment_design = with_intercept(x)
        t_d, dof_d = _classical_t(treatment_design, t, 1 + j)
        if not (math.isfinite(t_y) and math.isfinite(t_d)):
            continue
        strength = min(partial_r2(t_y, dof_y), partial_r2(t_d, dof_d))
        if strength > best[1]:
            best = (name, strength)
    return best
