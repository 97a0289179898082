"""The NSW / Lalonde data from ``causaldata`` (skipped when it is not installed)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from causalbridge.effect import AIPW, IPW, RegressionAdjustment

causaldata = pytest.importorskip("causaldata")

COVARIATES = ["age", "age2", "educ", "educ2", "black", "hisp", "marr", "nodegree", "re74", "re75", "u74", "u75"]


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop(columns="data_id").astype(float)
    out["age2"], out["educ2"] = out["age"] ** 2, out["educ"] ** 2
    out["u74"], out["u75"] = (out["re74"] == 0).astype(float), (out["re75"] == 0).astype(float)
    return out


@pytest.fixture(scope="module")
def samples() -> tuple[pd.DataFrame, pd.DataFrame]:
    from causaldata import cps_mixtape, nsw_mixtape

    nsw = nsw_mixtape.load_pandas().data
    cps = cps_mixtape.load_pandas().data
    return _prepare(nsw), _prepare(pd.concat([nsw[nsw.treat == 1], cps], ignore_index=True))


def test_experimental_benchmark_is_1794(samples: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    experiment, _ = samples
    diff = experiment.loc[experiment.treat == 1, "re78"].mean() - experiment.loc[experiment.treat == 0, "re78"].mean()
    assert diff == pytest.approx(1794.34, abs=0.01)
    assert RegressionAdjustment().fit(experiment, "treat", "re78").effect_.value == pytest.approx(diff, abs=1e-6)


def test_observational_estimates_recover_the_experiment(samples: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, observational = samples
    naive = RegressionAdjustment().fit(observational, "treat", "re78").effect_
    assert naive.value < -8000  # CPS workers earn far more than NSW participants
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for est in (RegressionAdjustment(interactions=True, estimand="att"), AIPW(estimand="att")):
            fit = est.fit(observational, "treat", "re78", COVARIATES).effect_
            assert fit.ci_low < 1794 < fit.ci_high, (type(est).__name__, fit)
        ipw = IPW(estimand="att").fit(observational, "treat", "re78", COVARIATES).effect_
    assert ipw.ci_low < 1794 < ipw.ci_high
    # Few CPS controls resemble the treated: their effective sample size is reported and is a small share.
    [note] = [n for n in ipw.notes if "effective sample size" in n]
    control_ess = int(note.split(", ")[1].split(" of ")[0])
    assert control_ess < 0.05 * (observational.treat == 0).sum()
