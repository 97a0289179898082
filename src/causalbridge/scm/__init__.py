"""Structural causal models with exact answers.

* :class:`DiscreteSCM`: named states over a DAG, built from CPTs, BIF files or explicit mechanisms; exact
  observational, interventional and counterfactual queries (plus ETT, NDE, NIE) by variable elimination.
* :class:`LinearSCM` and :class:`AdditiveNoiseSCM`: continuous additive-noise models with seeded sampling,
  ``do`` and exact counterfactuals by abduction.

Every model has ``graph``, ``variables``, ``sample(n, seed)`` and ``do(...)`` (the :class:`SCM` protocol).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from causalbridge.scm.additive import AdditiveNoiseSCM
from causalbridge.scm.discrete import DiscreteSCM
from causalbridge.scm.distribution import Distribution
from causalbridge.scm.linear import LinearSCM
from causalbridge.scm.mechanism import Mechanism
from causalbridge.scm.noise import Noise

if TYPE_CHECKING:
    import pandas as pd

    from causalbridge.graph import CausalGraph
    from causalbridge.scm.seeding import Seed


@runtime_checkable
class SCM(Protocol):
    """What every structural causal model here offers (``do`` values are states or numbers by model kind)."""

    @property
    def graph(self) -> CausalGraph: ...

    @property
    def variables(self) -> tuple[str, ...]: ...

    def sample(self, n: int, seed: Seed = None) -> pd.DataFrame: ...

    def do(self, intervention: Any) -> Any: ...


__all__ = ["SCM", "AdditiveNoiseSCM", "DiscreteSCM", "Distribution", "LinearSCM", "Mechanism", "Noise"]
