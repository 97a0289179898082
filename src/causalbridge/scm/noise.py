"""Exogenous noise distributions for additive-noise SCMs, all centred so that intercepts are means.

Non-Gaussian noise matters in causal discovery (LiNGAM identifies the direction only when the noise is not
Gaussian) and for counterfactuals (the Gaussian conditional mean is exact only for Gaussian noise), so each
kind is explicit rather than a free-form callable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from causalbridge.errors import InputError

NoiseKind = Literal["gaussian", "uniform", "laplace", "exponential", "student_t"]
KINDS: tuple[str, ...] = ("gaussian", "uniform", "laplace", "exponential", "student_t")


@dataclass(frozen=True)
class Noise:
    """A centred noise distribution; ``scale`` is the kind's natural scale parameter.

    * gaussian: N(0, scale^2)
    * uniform: U(-scale, scale)
    * laplace: Laplace(0, b=scale)
    * exponential: Exp(mean=scale) - scale (centred, right-skewed)
    * student_t: scale * t(df)

    ``scale = 0`` is a point mass at 0 (how ``do`` silences an intervened variable's noise).
    """

    kind: NoiseKind = "gaussian"
    scale: float = 1.0
    df: float = 5.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"unknown noise kind {self.kind!r}; choose one of {list(KINDS)}")
        if not math.isfinite(self.scale) or self.scale < 0:
            raise InputError(f"noise scale must be finite and >= 0, got {self.scale!r}")
        if not math.isfinite(self.df) or self.df <= 0:
            raise InputError(f"student_t degrees of freedom must be > 0, got {self.df!r}")

    @property
    def is_gaussian(self) -> bool:
        """True for Gaussian noise and for a point mass (a degenerate Gaussian)."""
        return self.kind == "gaussian" or self.scale == 0.0

    @property
    def mean(self) -> float:
        return 0.0 if self.kind != "student_t" or self.df > 1 else math.nan

    @property
    def variance(self) -> float:
        s2 = self.scale**2
        if self.kind == "gaussian" or self.kind == "exponential":
            return s2
        if self.kind == "uniform":
            return s2 / 3.0
        if self.kind == "laplace":
            return 2.0 * s2
        if self.scale == 0.0:
            return 0.0
        return s2 * self.df / (self.df - 2.0) if self.df > 2 else math.inf

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws from ``rng``."""
        if self.scale == 0.0:
            return np.zeros(n)
        if self.kind == "gaussian":
            return rng.normal(0.0, self.scale, n)
        if self.kind == "uniform":
            return rng.uniform(-self.scale, self.scale, n)
        if self.kind == "laplace":
            return rng.laplace(0.0, self.scale, n)
        if self.kind == "exponential":
            return rng.exponential(self.scale, n) - self.scale
        return self.scale * rng.standard_t(self.df, n)
