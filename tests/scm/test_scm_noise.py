"""Noise kinds have the moments their docstring promises."""

from __future__ import annotations

import numpy as np
import pytest

from causalbridge.errors import InputError
from causalbridge.scm import Noise

N = 200_000


def moments(x: np.ndarray) -> tuple[float, float, float, float]:
    m = float(x.mean())
    v = float(x.var())
    z = (x - m) / np.sqrt(v)
    return m, v, float((z**3).mean()), float((z**4).mean() - 3.0)


@pytest.mark.parametrize(
    ("noise", "skew", "excess_kurtosis"),
    [
        (Noise("gaussian", 2.0), 0.0, 0.0),
        (Noise("uniform", 3.0), 0.0, -1.2),
        (Noise("laplace", 0.5), 0.0, 3.0),
        (Noise("exponential", 1.5), 2.0, 6.0),
        (Noise("student_t", 1.0, df=10.0), 0.0, 1.0),
    ],
)
def test_noise_moments(noise: Noise, skew: float, excess_kurtosis: float) -> None:
    x = noise.sample(N, np.random.default_rng(0))
    mean, var, s, k = moments(x)
    assert abs(mean) < 5 * np.sqrt(noise.variance / N)
    assert var == pytest.approx(noise.variance, rel=0.03)
    assert s == pytest.approx(skew, abs=0.1)
    assert k == pytest.approx(excess_kurtosis, abs=0.1 + 0.15 * abs(excess_kurtosis))


def test_noise_properties_and_validation() -> None:
    assert Noise("student_t", 2.0, df=3.0).variance == pytest.approx(12.0)
    assert Noise("student_t", df=2.0).variance == float("inf")
    assert Noise("laplace", 0.0).is_gaussian and not Noise("laplace", 1.0).is_gaussian
    np.testing.assert_array_equal(Noise("uniform", 0.0).sample(3, np.random.default_rng(0)), 0.0)
    with pytest.raises(InputError, match="scale"):
        Noise("gaussian", -1.0)
    with pytest.raises(InputError, match="degrees of freedom"):
        Noise("student_t", 1.0, df=0.0)
    a = Noise("laplace").sample(5, np.random.default_rng(4))
    np.testing.assert_array_equal(a, Noise("laplace").sample(5, np.random.default_rng(4)))
