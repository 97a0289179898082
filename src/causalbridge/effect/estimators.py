"""All effect estimators, and the one registry that turns CLI/config names into estimator objects.

Library code passes estimator objects; strings exist only at the CLI and config boundary and are resolved here,
so a typo fails immediately with the list of known names.
"""

from __future__ import annotations

from collections.abc import Callable

from causalbridge.effect.aipw import AIPW
from causalbridge.effect.base import EffectEstimator, Estimate
from causalbridge.effect.dml import DML, econml_available
from causalbridge.effect.frontdoor import FrontdoorEstimator
from causalbridge.effect.iv import WaldIV
from causalbridge.effect.regression import RegressionAdjustment
from causalbridge.effect.weighting import IPW
from causalbridge.errors import InputError

#: Name -> factory taking the seed. Backdoor estimators only: IV and frontdoor need columns from identification.
ESTIMATORS: dict[str, Callable[[int], EffectEstimator]] = {
    "ols": lambda seed: RegressionAdjustment(),
    "lin": lambda seed: RegressionAdjustment(interactions=True),
    "ipw": lambda seed: IPW(seed=seed),
    "aipw": lambda seed: AIPW(seed=seed),
    "dml": lambda seed: DML(seed=seed),
}


def make_estimator(name: str, seed: int = 0) -> EffectEstimator:
    """The estimator registered under ``name`` (case-insensitive), seeded."""
    key = name.strip().lower()
    if key not in ESTIMATORS:
        raise InputError(f"unknown estimator {name!r} (known: {', '.join(ESTIMATORS)})", where="estimators")
    return ESTIMATORS[key](seed)


def parse_estimators(text: str) -> tuple[str, ...]:
    """``"ols, ipw,aipw"`` -> ``("ols", "ipw", "aipw")``, each checked against the registry."""
    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    if not names:
        raise InputError("no estimator named", where="estimators")
    for name in names:
        make_estimator(name)
    return names


__all__ = [
    "AIPW",
    "DML",
    "ESTIMATORS",
    "IPW",
    "EffectEstimator",
    "Estimate",
    "FrontdoorEstimator",
    "RegressionAdjustment",
    "WaldIV",
    "econml_available",
    "make_estimator",
    "parse_estimators",
]
