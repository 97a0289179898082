"""Refutations (they pass on correct models and warn on a broken estimator) and sensitivity statistics."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from causalbridge.effect import (
    AIPW,
    EffectEstimator,
    Estimate,
    Refutation,
    RegressionAdjustment,
    data_subset,
    dummy_outcome,
    e_value_rr,
    e_value_smd,
    partial_r2,
    placebo_treatment,
    random_common_cause,
    refute_all,
    robustness_value,
    sensitivity_analysis,
)
from causalbridge.effect.design import Design
from causalbridge.effect.progress import progress
from causalbridge.effect.sensitivity import e_value_interval
from causalbridge.effect.synthetic import confounding
from causalbridge.errors import InputError

CONF = confounding(1000, 3)
ADJUST = ["x1", "x2"]


class ClaimsAnEffect(EffectEstimator):
    """A broken estimator: reports a fixed, confident effect whatever the data say."""

    method = "always 2"

    def __init__(self, value: float = 2.0) -> None:
        self.value = value

    def _estimate(self, design: Design) -> Estimate:
        return Estimate(self.value, self.value - 0.1, self.value + 0.1, 0.05, self.method, design.n)


class FollowsTheSample(EffectEstimator):
    """A broken estimator whose answer depends on which rows it sees: the outcome of the first row."""

    method = "first row"

    def _estimate(self, design: Design) -> Estimate:
        v = float(design.y[0])
        return Estimate(v, v - 0.1, v + 0.1, 0.05, self.method, design.n)


@pytest.mark.parametrize("estimator", [RegressionAdjustment(), AIPW()], ids=["ols", "aipw"])
def test_refutations_pass_on_a_correct_model(estimator: EffectEstimator) -> None:
    results = refute_all(estimator, CONF.data, "t", "y", ADJUST, seed=0)
    assert [r.name for r in results] == ["placebo treatment", "random common cause", "data subset", "dummy outcome"]
    assert all(r.verdict == "pass" for r in results), [r.explanation for r in results]
    placebo = results[0]
    assert abs(placebo.numbers["mean"]) < 0.2 and placebo.numbers["original"] > 1.5
    assert results[1].numbers["max_shift_se"] < 0.5


def test_a_broken_estimator_is_caught() -> None:
    placebo = placebo_treatment(ClaimsAnEffect(), CONF.data, "t", "y", ADJUST)
    dummy = dummy_outcome(ClaimsAnEffect(), CONF.data, "t", "y", ADJUST)
    assert placebo.verdict == dummy.verdict == "warn"
    assert "should be 0" in placebo.explanation
    subset = data_subset(FollowsTheSample(), CONF.data, "t", "y", ADJUST, seed=1)
    assert subset.verdict == "warn" and "unstable" in subset.explanation


def test_refutations_are_seeded() -> None:
    a = random_common_cause(RegressionAdjustment(), CONF.data, "t", "y", ADJUST, seed=5)
    b = random_common_cause(RegressionAdjustment(), CONF.data, "t", "y", ADJUST, seed=5)
    assert a == b
    c = placebo_treatment(RegressionAdjustment(), CONF.data, "t", "y", ADJUST, seed=6)
    assert c.numbers["mean"] != placebo_treatment(RegressionAdjustment(), CONF.data, "t", "y", ADJUST).numbers["mean"]


def test_refutation_record() -> None:
    r = Refutation("x", "pass", {"a": 1.0, "b": math.inf}, "fine")
    assert r.passed and json.loads(json.dumps(r.to_dict()))["numbers"] == {"a": 1.0, "b": None}
    with pytest.raises(TypeError):
        r.numbers["a"] = 2.0  # type: ignore[index]
    with pytest.raises(ValueError, match="verdict"):
        Refutation("x", "fail", {}, "")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="fraction"):
        data_subset(RegressionAdjustment(), CONF.data, "t", "y", ADJUST, fraction=1.5)


def test_replicates_that_fail_are_counted() -> None:
    # Eight rows fit with 2-fold cross-fitting, but every half-sized subset has too few units in one arm.
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"t": [1.0, 1, 1, 1, 0, 0, 0, 0], "y": rng.normal(size=8)})
    result = data_subset(AIPW(n_folds=2), data, "t", "y", [], fraction=0.5, n_replicates=3)
    assert result.verdict == "warn" and result.numbers["failed"] == 3


def test_progress_yields_every_item_quiet_or_not() -> None:
    assert list(progress(iter(range(7)), 7, "test", quiet=True)) == list(range(7))
    assert list(progress(iter(range(7)), 7, "test", quiet=False)) == list(range(7))


def test_e_values_match_published_examples() -> None:
    # VanderWeele & Ding (2017): RR = 3.9 gives an E-value of 7.26; RR < 1 is inverted first.
    assert e_value_rr(3.9) == pytest.approx(7.26, abs=0.005)
    assert e_value_rr(0.5) == pytest.approx(2 + math.sqrt(2))
    assert e_value_rr(1.0) == 1.0
    assert e_value_interval(0.8, 1.3) == 1.0
    assert e_value_interval(1.5, 2.0) == pytest.approx(e_value_rr(1.5))
    point, limit = e_value_smd(0.5, 0.1)
    assert point == pytest.approx(e_value_rr(math.exp(0.455)))
    assert limit == pytest.approx(e_value_rr(math.exp(0.455 - 0.178)))
    with pytest.raises(InputError):
        e_value_rr(-1.0)


def test_robustness_value_matches_cinelli_hazlett_darfur_example() -> None:
    # Cinelli & Hazlett (2020), Darfur: t = 4.18445 with 783 dof -> R2 = 2.19%, RV = 13.9%, RV_{alpha=.05} = 7.6%.
    assert partial_r2(4.18445, 783) == pytest.approx(0.02187, abs=5e-5)
    assert robustness_value(4.18445, 783) == pytest.approx(0.1388, abs=5e-4)
    assert robustness_value(4.18445, 783, alpha=0.05) == pytest.approx(0.0763, abs=5e-4)
    assert robustness_value(1.0, 783, alpha=0.05) == 0.0
    assert robustness_value(4.18445, 783, q=0.5) < robustness_value(4.18445, 783)


def test_sensitivity_analysis_on_a_strong_and_a_null_effect() -> None:
    fit = RegressionAdjustment().fit(CONF.data, "t", "y", ADJUST)
    strong = sensitivity_analysis(CONF.data, "t", "y", ADJUST, estimate=fit.effect_)
    assert strong.verdict == "pass"
    assert strong.numbers["partial_r2_treatment"] == pytest.approx(fit.partial_r2_)
    assert strong.numbers["rv_q1_alpha0.05"] < strong.numbers["rv_q1"]
    assert "standardised-difference" in strong.explanation and strong.numbers["e_value"] > 2
    null = CONF.data.assign(y=CONF.data["x1"] + np.random.default_rng(0).normal(size=len(CONF.data)))
    weak = sensitivity_analysis(null, "t", "y", ADJUST)
    assert weak.verdict == "warn" and weak.numbers["rv_q1_alpha0.05"] == 0.0


def test_sensitivity_uses_the_risk_ratio_for_a_binary_outcome() -> None:
    rng = np.random.default_rng(0)
    t = (rng.random(3000) < 0.5).astype(float)
    y = (rng.random(3000) < 0.2 + 0.2 * t).astype(float)
    result = sensitivity_analysis(pd.DataFrame({"t": t, "y": y}), "t", "y")
    assert result.numbers["risk_ratio"] == pytest.approx(2.0, rel=0.15)
    assert result.numbers["e_value"] == pytest.approx(e_value_rr(result.numbers["risk_ratio"]))
    assert "risk ratio" in result.explanation
