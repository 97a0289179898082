"""Effect estimation: identify on a graph, estimate with several estimators, refute, assess sensitivity.

>>> import numpy as np, pandas as pd
>>> from causalbridge.graph import CausalGraph
>>> rng = np.random.default_rng(0)
>>> c = rng.normal(size=500)
>>> t = (rng.random(500) < 1 / (1 + np.exp(-c))).astype(float)
>>> data = pd.DataFrame({"c": c, "t": t, "y": 2 * t + c + rng.normal(size=500)})
>>> graph = CausalGraph.dag([("c", "t"), ("c", "y"), ("t", "y")])
>>> result = estimate_effect(data, graph, "t", "y", estimators=["ols"], refute=False)
>>> result.adjustment_set, round(result.estimate("ols").value)
(('c',), 2)
"""

from causalbridge.effect.aipw import AIPW
from causalbridge.effect.base import EffectEstimator, Estimate
from causalbridge.effect.design import EffectWarning
from causalbridge.effect.dml import DML
from causalbridge.effect.estimators import ESTIMATORS, make_estimator, parse_estimators
from causalbridge.effect.frontdoor import FrontdoorEstimator
from causalbridge.effect.identify import (
    AdjustmentCheck,
    BadControl,
    EstimandKind,
    Identification,
    Instrument,
    bad_controls,
    check_adjustment,
    identify,
)
from causalbridge.effect.iv import WaldIV
from causalbridge.effect.paths import latent_projection, open_path
from causalbridge.effect.pipeline import estimate_effect
from causalbridge.effect.refute import (
    Refutation,
    data_subset,
    dummy_outcome,
    placebo_treatment,
    random_common_cause,
    refute_all,
)
from causalbridge.effect.regression import RegressionAdjustment
from causalbridge.effect.result import EffectResult
from causalbridge.effect.sensitivity import (
    e_value_rr,
    e_value_smd,
    partial_r2,
    robustness_value,
    sensitivity_analysis,
)
from causalbridge.effect.weighting import IPW

__all__ = [
    "AIPW",
    "DML",
    "ESTIMATORS",
    "IPW",
    "AdjustmentCheck",
    "BadControl",
    "EffectEstimator",
    "EffectResult",
    "EffectWarning",
    "EstimandKind",
    "Estimate",
    "FrontdoorEstimator",
    "Identification",
    "Instrument",
    "RegressionAdjustment",
    "Refutation",
    "WaldIV",
    "bad_controls",
    "check_adjustment",
    "data_subset",
    "dummy_outcome",
    "e_value_rr",
    "e_value_smd",
    "estimate_effect",
    "identify",
    "latent_projection",
    "make_estimator",
    "open_path",
    "parse_estimators",
    "partial_r2",
    "placebo_treatment",
    "random_common_cause",
    "refute_all",
    "robustness_value",
    "sensitivity_analysis",
]
