"""Interval coverage over seeds (a small version of benchmarks/effect.py) and detection of wrong adjustments.

With 40 seeds a calibrated 95% interval covers the truth at least 34 times except with probability ~3%; the
seeds are fixed, so these tests are deterministic — and they fail if an estimator is biased or its standard
error too small. Wrong adjustment sets must be flagged by ``check_adjustment`` and must visibly lose coverage.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest

from causalbridge.effect import (
    AIPW,
    IPW,
    EffectEstimator,
    FrontdoorEstimator,
    RegressionAdjustment,
    WaldIV,
    check_adjustment,
)
from causalbridge.effect.synthetic import SCENARIOS

SEEDS = 40
N = 500


def _coverage(scenario: str, make: Callable[[], EffectEstimator], adjust: str) -> tuple[int, float]:
    covered, bias = 0, 0.0
    for seed in range(SEEDS):
        s = SCENARIOS[scenario](N, seed)
        z = s.adjust if adjust == "correct" else (s.bad_adjust or ())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = make().fit(s.data, s.treatment, s.outcome, z).effect_
        covered += est.covers(s.ate)
        bias += (est.value - s.ate) / SEEDS
    return covered, bias


@pytest.mark.parametrize(
    ("scenario", "make"),
    [
        ("confounding", RegressionAdjustment),
        ("confounding", IPW),
        ("confounding", AIPW),
        ("mediation", RegressionAdjustment),
        ("m_bias", RegressionAdjustment),
        ("instrument", lambda: WaldIV("z")),
        ("frontdoor", lambda: FrontdoorEstimator(["m"])),
        ("discrete_confounding", lambda: RegressionAdjustment(interactions=True)),
        ("discrete_confounding", IPW),
    ],
    ids=["conf-ols", "conf-ipw", "conf-aipw", "mediation", "m-bias", "iv", "frontdoor", "disc-lin", "disc-ipw"],
)
def test_correct_adjustment_covers(scenario: str, make: Callable[[], EffectEstimator]) -> None:
    covered, _ = _coverage(scenario, make, "correct")
    assert covered >= 34, f"{covered}/{SEEDS}"


@pytest.mark.parametrize("scenario", ["mediation", "m_bias"])
def test_wrong_adjustment_is_flagged_and_biased(scenario: str) -> None:
    s = SCENARIOS[scenario](N, 0)
    assert s.bad_adjust is not None
    check = check_adjustment(s.graph, s.treatment, s.outcome, s.bad_adjust, observed=s.data.columns)
    assert not check.valid
    assert ("mediator" if scenario == "mediation" else "collider") in check.explain()
    covered, bias = _coverage(scenario, RegressionAdjustment, "bad")
    assert covered <= 8 and abs(bias) > 0.1, (covered, bias)
