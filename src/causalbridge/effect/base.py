"""The estimate record and the scikit-learn-style contract every effect estimator follows.

Contract: the constructor only stores its arguments (so :meth:`EffectEstimator.get_params` and
:meth:`EffectEstimator.clone` work); ``fit(data, treatment, outcome, adjust)`` checks the columns, computes and
returns ``self``; learned state ends in ``_`` (``effect_``, ``n_``). Refuters rely on ``clone`` to refit the
same estimator on altered data.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from causalbridge.effect.design import Data, Design, build_design
from causalbridge.errors import InputError


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with its 95% interval; ``notes`` say how the interval was made and what went wrong."""

    value: float
    ci_low: float
    ci_high: float
    std_error: float
    method: str
    n: int
    notes: tuple[str, ...] = ()

    def covers(self, truth: float) -> bool:
        return self.ci_low <= truth <= self.ci_high

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": _json_float(self.value),
            "ci_low": _json_float(self.ci_low),
            "ci_high": _json_float(self.ci_high),
            "std_error": _json_float(self.std_error),
            "method": self.method,
            "n": self.n,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        return f"{self.value:.4g} [{self.ci_low:.4g}, {self.ci_high:.4g}]"


def _json_float(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


class EffectEstimator:
    """Base class: subclasses set ``method`` and implement :meth:`_estimate` on a checked :class:`Design`."""

    method: ClassVar[str] = "estimator"
    #: True for estimators that only make sense for a 0/1 treatment (weighting, AIPW).
    binary_treatment: ClassVar[bool] = False

    effect_: Estimate
    n_: int

    # ------------------------------------------------------------------ parameters
    @classmethod
    def _param_names(cls) -> list[str]:
        if cls.__init__ is object.__init__:
            return []
        signature = inspect.signature(cls.__init__)
        plain = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        return [name for name, p in signature.parameters.items() if name != "self" and p.kind in plain]

    def get_params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        known = self._param_names()
        for name, value in params.items():
            if name not in known:
                raise InputError(f"unknown parameter {name!r} (known: {', '.join(known)})", where=type(self).__name__)
            setattr(self, name, value)
        return self

    def clone(self, **changes: Any) -> Self:
        """A new, unfitted estimator with the same parameters (``changes`` override some)."""
        params = {**self.get_params(), **changes}
        return type(self)(**params)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ fitting
    def extra_columns(self) -> Mapping[str, Sequence[str]]:
        """Columns beyond treatment, outcome and covariates that this estimator reads, by role."""
        return {}

    def fit(self, data: Data, treatment: str, outcome: str, adjust: Iterable[str] = ()) -> Self:
        """Estimate the effect of ``treatment`` on ``outcome`` adjusting for ``adjust``; returns ``self``."""
        design = build_design(data, treatment, outcome, adjust, self.extra_columns())
        if self.binary_treatment and not design.t_binary:
            shown = ", ".join(f"{v:g}" for v in np.unique(design.t)[:5])
            raise InputError(
                f"{type(self).__name__} needs a binary (0/1) treatment, but the column has "
                f"{np.unique(design.t).size} distinct values ({shown}, ...); use RegressionAdjustment for a "
                "continuous treatment or dichotomise it",
                where=f"column {treatment!r}",
            )
        estimate = self._estimate(design)
        if design.notes:
            estimate = Estimate(
                estimate.value,
                estimate.ci_low,
                estimate.ci_high,
                estimate.std_error,
                estimate.method,
                estimate.n,
                design.notes + estimate.notes,
            )
        self.effect_ = estimate
        self.n_ = design.n
        return self

    def _estimate(self, design: Design) -> Estimate:
        raise NotImplementedError


def bootstrap_indices(n: int, draws: int, seed: int) -> Iterator[np.ndarray]:
    """``draws`` resamples of ``range(n)`` with replacement from one seeded generator."""
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        yield rng.integers(0, n, n)
