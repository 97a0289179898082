"""Estimators: recovery of known effects, the sklearn-style contract, intervals, and refusals of bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from causalbridge.data import CausalDataset
from causalbridge.effect import (
    AIPW,
    DML,
    IPW,
    EffectEstimator,
    EffectWarning,
    Estimate,
    FrontdoorEstimator,
    RegressionAdjustment,
    WaldIV,
    make_estimator,
    parse_estimators,
)
from causalbridge.effect.dml import econml_available
from causalbridge.effect.synthetic import confounding, discrete_confounding, discrete_frontdoor, frontdoor, instrument
from causalbridge.errors import DependencyMissingError, InputError, UnknownVariableError

CONF = confounding(2000, 0)


def close(est: Estimate, truth: float, k: float = 3.5) -> bool:
    """Within k standard errors: a single seeded fit, so a strict 95% coverage check would fail 1 time in 20."""
    return abs(est.value - truth) < k * est.std_error


def _heterogeneous(n: int = 4000, seed: int = 1) -> tuple[pd.DataFrame, float, float]:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    t = (rng.random(n) < expit(0.8 * x1 - 0.5 * x2)).astype(float)
    y = (2 + x1) * t + x1 + 0.5 * x2 + rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "t": t, "y": y}), 2.0, 2.0 + float(x1[t == 1].mean())


@pytest.mark.parametrize(
    "estimator",
    [RegressionAdjustment(), RegressionAdjustment(interactions=True), IPW(), IPW(ci="bootstrap"), AIPW()],
    ids=["ols", "lin", "ipw", "ipw-bootstrap", "aipw"],
)
def test_backdoor_estimators_cover_the_true_effect(estimator: EffectEstimator) -> None:
    est = estimator.fit(CONF.data, "t", "y", ["x1", "x2"]).effect_
    assert close(est, CONF.ate), est
    assert est.ci_low < est.value < est.ci_high and est.std_error > 0
    assert est.n == 2000 and any(note.startswith("interval:") for note in est.notes)
    naive = RegressionAdjustment().fit(CONF.data, "t", "y").effect_
    assert not naive.covers(CONF.ate)  # the adjustment matters in this scenario


def test_att_estimators_target_the_treated() -> None:
    data, ate, att = _heterogeneous()
    for est in (RegressionAdjustment(interactions=True, estimand="att"), IPW(estimand="att"), AIPW(estimand="att")):
        fit = est.fit(data, "t", "y", ["x1", "x2"]).effect_
        assert close(fit, att) and not fit.covers(ate), (type(est).__name__, fit)
    assert "ATT" in IPW(estimand="att").fit(data, "t", "y", ["x1"]).effect_.method
    with pytest.raises(InputError, match="interactions=True"):
        RegressionAdjustment(estimand="att").fit(data, "t", "y", ["x1"])
    with pytest.raises(InputError, match="estimand"):
        IPW(estimand="atc").fit(data, "t", "y", ["x1"])


def test_sandwich_and_bootstrap_intervals_agree() -> None:
    sandwich = IPW().fit(CONF.data, "t", "y", ["x1", "x2"]).effect_
    boot = IPW(ci="bootstrap", n_bootstrap=300, seed=3).fit(CONF.data, "t", "y", ["x1", "x2"]).effect_
    assert sandwich.value == boot.value
    assert boot.std_error == pytest.approx(sandwich.std_error, rel=0.25)
    again = IPW(ci="bootstrap", n_bootstrap=300, seed=3).fit(CONF.data, "t", "y", ["x1", "x2"]).effect_
    assert again == boot  # seeded


def test_aipw_accepts_scikit_learn_models_and_is_seeded() -> None:
    from sklearn.linear_model import LinearRegression, LogisticRegression

    est = AIPW(outcome_model=LinearRegression(), propensity_model=LogisticRegression(), seed=1)
    fit = est.fit(CONF.data, "t", "y", ["x1", "x2"]).effect_
    assert close(fit, CONF.ate)
    assert (
        AIPW(seed=4).fit(CONF.data, "t", "y", ["x1", "x2"]).effect_
        == AIPW(seed=4).fit(CONF.data, "t", "y", ["x1", "x2"]).effect_
    )
    assert (
        AIPW(seed=4).fit(CONF.data, "t", "y", ["x1"]).effect_ != AIPW(seed=5).fit(CONF.data, "t", "y", ["x1"]).effect_
    )


def test_sklearn_contract() -> None:
    est = IPW(trim=0.02, seed=2)
    assert est.get_params() == {
        "trim": 0.02,
        "ci": "sandwich",
        "n_bootstrap": 200,
        "estimand": "ate",
        "seed": 2,
        "quiet": True,
    }
    assert not hasattr(est, "effect_")
    assert est.fit(CONF.data, "t", "y", ["x1"]) is est
    assert hasattr(est, "effect_") and est.n_ == 2000 and est.propensity_.shape == (2000,)
    assert est.get_params()["trim"] == 0.02  # fit does not change parameters
    twin = est.clone(trim=0.1)
    assert not hasattr(twin, "effect_") and twin.trim == 0.1 and twin.seed == 2
    assert repr(RegressionAdjustment()) == "RegressionAdjustment(cov_type='HC3', interactions=False, estimand='ate')"
    with pytest.raises(InputError, match="unknown parameter"):
        est.set_params(alpha=1)


def test_regression_statistics_for_sensitivity() -> None:
    est = RegressionAdjustment().fit(CONF.data, "t", "y", ["x1", "x2"])
    assert est.dof_ == 2000 - 4
    assert est.partial_r2_ == pytest.approx(est.t_stat_**2 / (est.t_stat_**2 + est.dof_))
    with pytest.raises(InputError, match="cov_type"):
        RegressionAdjustment(cov_type="HC9").fit(CONF.data, "t", "y")


def test_discrete_data_with_labels_and_a_causal_dataset() -> None:
    s = discrete_confounding(3000, 0)
    ds = CausalDataset.infer(s.data)
    for data in (s.data, ds):
        for est in (RegressionAdjustment(interactions=True), IPW(), AIPW()):
            assert close(est.fit(data, "t", "y", ["z"]).effect_, s.ate), type(est).__name__
    # The three-state covariate becomes two indicator columns.
    manual = s.data.assign(
        zb=(s.data["z"] == "b").astype(float),
        zc=(s.data["z"] == "c").astype(float),
        t=s.data["t"].astype(str).astype(float),
        y=s.data["y"].astype(str).astype(float),
    )
    ours = RegressionAdjustment().fit(s.data, "t", "y", ["z"]).effect_.value
    assert ours == pytest.approx(RegressionAdjustment().fit(manual, "t", "y", ["zb", "zc"]).effect_.value, abs=1e-12)


def test_binary_text_labels_are_coded_and_noted() -> None:
    data = CONF.data.assign(t=np.where(CONF.data["t"] == 1, "yes", "no"))
    est = RegressionAdjustment().fit(data, "t", "y", ["x1", "x2"]).effect_
    assert est.value == pytest.approx(RegressionAdjustment().fit(CONF.data, "t", "y", ["x1", "x2"]).effect_.value)
    assert any("'yes' coded as 1" in note for note in est.notes)


def test_wald_iv_matches_the_closed_form() -> None:
    s = instrument(3000, 0)
    fit = WaldIV("z").fit(s.data, "t", "y").effect_
    assert close(fit, s.ate)
    rng = np.random.default_rng(0)
    z = (rng.random(1000) < 0.5).astype(float)
    t = (rng.random(1000) < 0.2 + 0.5 * z).astype(float)
    y = 1.5 * t + rng.normal(size=1000)
    data = pd.DataFrame({"z": z, "t": t, "y": y})
    wald = (y[z == 1].mean() - y[z == 0].mean()) / (t[z == 1].mean() - t[z == 0].mean())
    est = WaldIV("z")
    assert est.fit(data, "t", "y").effect_.value == pytest.approx(wald, abs=1e-10)
    assert est.first_stage_f_ > 100


def test_weak_instrument_warns_with_the_f_statistic() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(size=300)
    t = 0.02 * z + rng.normal(size=300)
    data = pd.DataFrame({"z": z, "t": t, "y": t + rng.normal(size=300)})
    with pytest.warns(EffectWarning, match=r"weak instrument 'z': first-stage F = \d"):
        fit = WaldIV("z").fit(data, "t", "y").effect_
    assert any("weak instrument" in note for note in fit.notes)


def test_iv_input_errors() -> None:
    s = instrument(200, 0)
    with pytest.raises(InputError, match="needs an instrument"):
        WaldIV().fit(s.data, "t", "y")
    with pytest.raises(UnknownVariableError, match="instrument"):
        WaldIV("zz").fit(s.data, "t", "y")
    with pytest.raises(InputError, match="constant"):
        WaldIV("c").fit(s.data.assign(c=1.0), "t", "y")


def test_frontdoor_linear_and_discrete() -> None:
    lin = frontdoor(3000, 0)
    est = FrontdoorEstimator(["m"])
    assert close(est.fit(lin.data, "t", "y").effect_, lin.ate) and est.kind_ == "linear"
    disc = discrete_frontdoor(3000, 0)
    est2 = FrontdoorEstimator(["m"], n_bootstrap=100)
    assert close(est2.fit(disc.data, "t", "y").effect_, disc.ate) and est2.kind_ == "discrete"
    with pytest.raises(InputError, match="list of mediators"):
        FrontdoorEstimator().fit(lin.data, "t", "y")
    with pytest.raises(InputError, match="binary treatment"):
        FrontdoorEstimator(["m"], kind="discrete").fit(lin.data, "t", "y")


def test_binary_only_estimators_reject_a_continuous_treatment() -> None:
    s = frontdoor(200, 0)
    for est in (IPW(), AIPW()):
        with pytest.raises(InputError, match="column 't'.*binary") as info:
            est.fit(s.data, "t", "y", ["m"])
        assert info.value.where == "column 't'"


def test_no_overlap_is_refused_with_numbers() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    t = (x > 0).astype(float)  # the covariate decides treatment exactly
    data = pd.DataFrame({"x": x, "t": t, "y": t + x + rng.normal(size=400)})
    for est in (IPW(), AIPW()):
        with pytest.raises(InputError, match=r"no overlap: .*P\(treated \| X\) >= "):
            est.fit(data, "t", "y", ["x"])


def test_extreme_propensities_are_trimmed_with_a_count() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=2000)
    t = (rng.random(2000) < expit(3 * x)).astype(float)
    data = pd.DataFrame({"x": x, "t": t, "y": t + x + rng.normal(size=2000)})
    with pytest.warns(EffectWarning, match=r"\d+ of 2000 propensities .* were outside \[0.05, 0.95\]"):
        fit = IPW(trim=0.05).fit(data, "t", "y", ["x"]).effect_
    assert any("trimmed" in note for note in fit.notes)


def test_design_errors_name_the_column() -> None:
    data = CONF.data
    with pytest.raises(UnknownVariableError, match="treatment"):
        RegressionAdjustment().fit(data, "tt", "y")
    with pytest.raises(UnknownVariableError, match="adjustment set"):
        RegressionAdjustment().fit(data, "t", "y", ["x9"])
    with pytest.raises(InputError, match="empty") as info:
        RegressionAdjustment().fit(data.assign(e=np.nan), "t", "y", ["e"])
    assert info.value.where == "column 'e'"
    with pytest.raises(InputError, match="categorical with 3 states"):
        RegressionAdjustment().fit(data.assign(k=np.array(["a", "b", "c"] * 667)[:2000]), "k", "y")
    with pytest.raises(InputError, match="single value"):
        RegressionAdjustment().fit(data.assign(t=1.0), "t", "y")
    with pytest.raises(InputError, match="linear function of the covariates"):
        RegressionAdjustment().fit(data.assign(t2=data["t"] * 2), "t", "y", ["t2"])
    with pytest.raises(InputError, match="both the treatment and the outcome"):
        RegressionAdjustment().fit(data, "t", "t")


def test_missing_rows_are_dropped_with_a_warning() -> None:
    data = CONF.data.copy()
    data.loc[:9, "x1"] = np.nan
    with pytest.warns(EffectWarning, match="dropped 10 of 2000 rows"):
        fit = RegressionAdjustment().fit(data, "t", "y", ["x1", "x2"]).effect_
    assert fit.n == 1990


def test_dml_needs_econml() -> None:
    if econml_available():
        fit = DML().fit(CONF.data, "t", "y", ["x1", "x2"]).effect_
        assert close(fit, CONF.ate)
    else:
        with pytest.raises(DependencyMissingError, match="pip install econml"):
            DML().fit(CONF.data, "t", "y", ["x1", "x2"])


def test_registry() -> None:
    assert isinstance(make_estimator("OLS"), RegressionAdjustment)
    assert make_estimator("lin").get_params()["interactions"] is True
    assert make_estimator("aipw", seed=7).get_params()["seed"] == 7
    assert parse_estimators(" ols, ipw ,ols") == ("ols", "ipw")
    with pytest.raises(InputError, match="unknown estimator 'olss'"):
        parse_estimators("olss")
    assert math.isfinite(make_estimator("ipw").fit(CONF.data, "t", "y", ["x1"]).effect_.std_error)
