"""Refutation tests: refit the estimator on altered data where we know what *should* happen.

* placebo treatment — the treatment is randomly permuted, so the true effect is 0;
* random common cause — an independent random covariate is added, so the estimate should not move;
* data subset — refits on seeded random subsets should stay close to the full-data estimate;
* dummy outcome — the outcome is replaced by one built from the covariates alone (their fitted values plus
  permuted residuals), so it keeps the confounding but the treatment has no effect on it: the estimate is 0.

Each returns a :class:`Refutation` with a pass/warn verdict, the numbers behind it and a sentence. Passing does
not prove the estimate right (no test can check the graph's assumptions); a warning points at a problem.
Before refitting, the columns are encoded once (:func:`causalbridge.effect.design.build_design`), so every
replicate codes the treatment and the covariates exactly as the original fit did.
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from causalbridge.effect.base import EffectEstimator, Estimate
from causalbridge.effect.design import Data, EffectWarning, build_design
from causalbridge.effect.numerics import least_squares, with_intercept
from causalbridge.effect.progress import progress
from causalbridge.errors import CausalBridgeError, InputError

Verdict = Literal["pass", "warn"]

#: |mean placebo / dummy estimate| over its standard error above this warns (a 99% two-sided test).
NULL_Z = 2.576
#: The random-common-cause estimate may move by at most this many original standard errors.
COMMON_CAUSE_SHIFT = 0.5
#: The mean data-subset estimate may move by at most this many original standard errors.
SUBSET_SHIFT = 1.0
_RANDOM_COLUMN = "__random_common_cause__"


@dataclass(frozen=True)
class Refutation:
    """One refutation or sensitivity check: ``verdict`` is ``"pass"`` or ``"warn"``."""

    name: str
    verdict: Verdict
    numbers: Mapping[str, float]
    explanation: str

    def __post_init__(self) -> None:
        if self.verdict not in ("pass", "warn"):
            raise ValueError(f"verdict must be 'pass' or 'warn', not {self.verdict!r}")
        object.__setattr__(self, "numbers", MappingProxyType(dict(self.numbers)))

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def to_dict(self) -> dict[str, Any]:
        numbers = {k: (float(v) if math.isfinite(float(v)) else None) for k, v in self.numbers.items()}
        return {
            "name": self.name,
            "verdict": self.verdict,
            "numbers": numbers,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class _Encoded:
    frame: pd.DataFrame
    treatment: str
    outcome: str
    adjust: tuple[str, ...]
    covariates: np.ndarray


def _encode(estimator: EffectEstimator, data: Data, treatment: str, outcome: str, adjust: Iterable[str]) -> _Encoded:
    design = build_design(data, treatment, outcome, adjust, estimator.extra_columns())
    columns: dict[str, np.ndarray] = {treatment: design.t, outcome: design.y}
    for j, name in enumerate(design.x_names):
        columns[name] = design.x[:, j]
    columns.update(design.extra)
    return _Encoded(pd.DataFrame(columns), treatment, outcome, design.x_names, design.x)


def _fit_quietly(estimator: EffectEstimator, frame: pd.DataFrame, enc: _Encoded, adjust: tuple[str, ...]) -> Estimate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EffectWarning)
        return estimator.clone().fit(frame, enc.treatment, enc.outcome, adjust).effect_


def _replicates(
    label: str,
    n: int,
    quiet: bool,
    make: Callable[[int], tuple[pd.DataFrame, tuple[str, ...]]],
    estimator: EffectEstimator,
    enc: _Encoded,
) -> tuple[list[Estimate], int]:
    """Fit ``n`` altered data sets; replicates the estimator rejects (e.g. no overlap) are counted, not fatal."""
    if n < 1:
        raise InputError(f"n_replicates must be >= 1, not {n}", where="n_replicates")
    fits: list[Estimate] = []
    failed = 0
    for i in progress(range(n), n, label, quiet):
        frame, adjust = make(i)
        try:
            fits.append(_fit_quietly(estimator, frame, enc, adjust))
        except CausalBridgeError:
            failed += 1
    return fits, failed


def _rng(seed: int, purpose: str) -> np.random.Generator:
    """A generator salted by ``purpose``: a user who simulated the data with ``default_rng(seed)`` must not get
    a "random" covariate that is a copy of one of their columns."""
    return np.random.default_rng([seed, zlib.crc32(purpose.encode())])


def _original(estimator: EffectEstimator, enc: _Encoded, original: Estimate | None) -> Estimate:
    return original if original is not None else _fit_quietly(estimator, enc.frame, enc, enc.adjust)


def _null_verdict(name: str, fits: list[Estimate], failed: int, original: Estimate, what: str) -> Refutation:
    if not fits:
        return Refutation(name, "warn", {"failed": failed}, f"every {what} refit failed, so the check could not run")
    values = np.array([f.value for f in fits])
    se = math.sqrt(float(np.mean([f.std_error**2 for f in fits])) / len(fits))
    mean = float(values.mean())
    z = abs(mean) / se if se > 0 else (0.0 if mean == 0 else math.inf)
    numbers = {
        "original": original.value,
        "mean": mean,
        "sd": float(values.std()),
        "z": z,
        "replicates": len(fits),
    }
    if failed:
        numbers["failed"] = failed
    verdict: Verdict = "pass" if z < NULL_Z else "warn"
    detail = f"the mean {what} estimate is {mean:.4g} (|z| = {z:.2f}, original {original.value:.4g})" + (
        f"; {failed} replicate(s) failed" if failed else ""
    )
    if verdict == "pass":
        return Refutation(name, verdict, numbers, f"as expected, indistinguishable from 0: {detail}")
    return Refutation(
        name,
        verdict,
        numbers,
        f"should be 0 but is not: {detail}; the estimator or the model "
        "picks up an association the treatment cannot cause",
    )


def placebo_treatment(
    estimator: EffectEstimator,
    data: Data,
    treatment: str,
    outcome: str,
    adjust: Iterable[str] = (),
    *,
    original: Estimate | None = None,
    n_replicates: int = 5,
    seed: int = 0,
    quiet: bool = True,
) -> Refutation:
    """Refit with the treatment randomly permuted (true effect 0); warn if the placebo effect is not ~0."""
    enc = _encode(estimator, data, treatment, outcome, adjust)
    base = _original(estimator, enc, original)
    rng = _rng(seed, "placebo treatment")

    def make(_: int) -> tuple[pd.DataFrame, tuple[str, ...]]:
        frame = enc.frame.copy()
        frame[treatment] = rng.permutation(frame[treatment].to_numpy())
        return frame, enc.adjust

    fits, failed = _replicates("placebo treatment", n_replicates, quiet, make, estimator, enc)
    return _null_verdict("placebo treatment", fits, failed, base, "placebo")


def dummy_outcome(
    estimator: EffectEstimator,
    data: Data,
    treatment: str,
    outcome: str,
    adjust: Iterable[str] = (),
    *,
    original: Estimate | None = None,
    n_replicates: int = 5,
    seed: int = 0,
    quiet: bool = True,
) -> Refutation:
    """Refit on an outcome made from the covariates alone (true effect 0); warn if the effect is not ~0."""
    enc = _encode(estimator, data, treatment, outcome, adjust)
    base = _original(estimator, enc, original)
    rng = _rng(seed, "dummy outcome")
    y = enc.frame[outcome].to_numpy()
    fit = least_squares(with_intercept(enc.covariates), y)
    fitted = y - fit.resid

    def make(_: int) -> tuple[pd.DataFrame, tuple[str, ...]]:
        frame = enc.frame.copy()
        frame[outcome] = fitted + rng.permutation(fit.resid)
        return frame, enc.adjust

    fits, failed = _replicates("dummy outcome", n_replicates, quiet, make, estimator, enc)
    return _null_verdict("dummy outcome", fits, failed, base, "dummy-outcome")


def random_common_cause(
    estimator: EffectEstimator,
    data: Data,
    treatment: str,
    outcome: str,
    adjust: Iterable[str] = (),
    *,
    original: Estimate | None = None,
    n_replicates: int = 3,
    seed: int = 0,
    quiet: bool = True,
) -> Refutation:
    """Refit with an extra independent random covariate; warn if the estimate moves by > 0.5 standard errors."""
    enc = _encode(estimator, data, treatment, outcome, adjust)
    base = _original(estimator, enc, original)
    rng = _rng(seed, "random common cause")

    def make(_: int) -> tuple[pd.DataFrame, tuple[str, ...]]:
        frame = enc.frame.copy()
        frame[_RANDOM_COLUMN] = rng.normal(size=len(frame))
        return frame, (*enc.adjust, _RANDOM_COLUMN)

    fits, failed = _replicates("random common cause", n_replicates, quiet, make, estimator, enc)
    name = "random common cause"
    if not fits:
        return Refutation(name, "warn", {"failed": failed}, "every refit failed, so the check could not run")
    shifts = np.array([abs(f.value - base.value) for f in fits])
    scale = base.std_error if base.std_error > 0 else math.inf
    worst = float(shifts.max() / scale)
    numbers = {"original": base.value, "mean": float(np.mean([f.value for f in fits])), "max_shift_se": worst}
    verdict: Verdict = "pass" if worst <= COMMON_CAUSE_SHIFT else "warn"
    text = f"adding a random covariate moved the estimate by at most {worst:.3f} standard errors"
    return Refutation(name, verdict, numbers, text + (" (stable)" if verdict == "pass" else " (unstable)"))


def data_subset(
    estimator: EffectEstimator,
    data: Data,
    treatment: str,
    outcome: str,
    adjust: Iterable[str] = (),
    *,
    original: Estimate | None = None,
    fraction: float = 0.8,
    n_replicates: int = 5,
    seed: int = 0,
    quiet: bool = True,
) -> Refutation:
    """Refit on seeded random subsets (``fraction`` of the rows); warn if their mean moves > 1 standard error."""
    if not 0.0 < fraction < 1.0:
        raise InputError(f"fraction must be in (0, 1), not {fraction!r}", where="fraction")
    enc = _encode(estimator, data, treatment, outcome, adjust)
    base = _original(estimator, enc, original)
    rng = _rng(seed, "data subset")
    n = len(enc.frame)
    size = max(3, int(round(fraction * n)))

    def make(_: int) -> tuple[pd.DataFrame, tuple[str, ...]]:
        rows = np.sort(rng.choice(n, size=size, replace=False))
        return enc.frame.iloc[rows].reset_index(drop=True), enc.adjust

    fits, failed = _replicates("data subset", n_replicates, quiet, make, estimator, enc)
    name = "data subset"
    if not fits:
        return Refutation(name, "warn", {"failed": failed}, "every subset refit failed, so the check could not run")
    values = np.array([f.value for f in fits])
    scale = base.std_error if base.std_error > 0 else math.inf
    shift = float(abs(values.mean() - base.value) / scale)
    numbers = {
        "original": base.value,
        "mean": float(values.mean()),
        "sd": float(values.std()),
        "shift_se": shift,
    }
    verdict: Verdict = "pass" if shift <= SUBSET_SHIFT else "warn"
    text = (
        f"on {len(fits)} random {fraction:.0%} subsets the mean estimate is {values.mean():.4g} "
        f"(sd {values.std():.3g}), {shift:.2f} standard errors from the full-data {base.value:.4g}"
    )
    return Refutation(name, verdict, numbers, text + (" (stable)" if verdict == "pass" else " (unstable)"))


def refute_all(
    estimator: EffectEstimator,
    data: Data,
    treatment: str,
    outcome: str,
    adjust: Iterable[str] = (),
    *,
    original: Estimate | None = None,
    seed: int = 0,
    quiet: bool = True,
) -> tuple[Refutation, ...]:
    """The four refutations with their default settings, each seeded from ``seed``."""
    adjust = tuple(adjust)
    args = (estimator, data, treatment, outcome, adjust)
    return (
        placebo_treatment(*args, original=original, seed=seed, quiet=quiet),
        random_common_cause(*args, original=original, seed=seed + 1, quiet=quiet),
        data_subset(*args, original=original, seed=seed + 2, quiet=quiet),
        dummy_outcome(*args, original=original, seed=seed + 3, quiet=quiet),
    )
