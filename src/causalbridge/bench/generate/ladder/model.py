"""One drawn model: a template, its CPTs as a :class:`DiscreteSCM`, and the observational numbers it implies.

Several questions are asked of each model, so everything they share is computed once here: the full joint
distribution (one exact query to the engine, at most ``2**MAX_NODES`` entries) from which every observational
probability a question states is a sum, memoised per quantity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from causalbridge.bench.generate.ladder.templates import GraphTemplate
from causalbridge.scm import DiscreteSCM

STATES: tuple[str, str] = ("0", "1")


@dataclass(frozen=True, eq=False)
class LadderModel:
    """A template with CPTs ``p1[v]`` = P(v=1 | parents) (axes in the template's parent order)."""

    template: GraphTemplate
    p1: Mapping[str, np.ndarray]
    scm: DiscreteSCM = field(init=False)
    joint: np.ndarray = field(init=False, repr=False)
    _memo: dict[tuple[Any, ...], float] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        t = self.template
        cpts = {v: np.stack([1.0 - self.p1[v], self.p1[v]]) for v in t.graph.nodes}
        scm = DiscreteSCM.from_cpts(
            t.graph, {v: STATES for v in t.graph.nodes}, cpts, {v: t.parents(v) for v in t.graph.nodes}
        )
        object.__setattr__(self, "scm", scm)
        object.__setattr__(self, "joint", scm.query(list(t.graph.nodes)).table)

    def prob(self, event: Mapping[str, int], given: Mapping[str, int] | None = None) -> float:
        """Exact P(event | given), summed from the joint table."""
        key = (tuple(sorted(event.items())), tuple(sorted((given or {}).items())))
        if key not in self._memo:
            both = {**(given or {}), **event}
            numerator = self._mass(both)
            self._memo[key] = numerator / self._mass(given or {}) if given else numerator
        return self._memo[key]

    def _mass(self, assignment: Mapping[str, int]) -> float:
        nodes = self.template.graph.nodes
        index = tuple(assignment[v] if v in assignment else slice(None) for v in nodes)
        return float(np.sum(self.joint[index]))

    # ------------------------------------------------------------------ causal quantities (the engine's answers)
    def ate(self) -> float:
        t = self.template
        return self.scm.ate(t.treatment, t.outcome, "1", "0", "1")

    def ett(self) -> float:
        t = self.template
        return self.scm.ett(t.treatment, t.outcome, "1", "0", "1")

    def nde(self, mediator: str) -> float:
        t = self.template
        return self.scm.nde(t.treatment, mediator, t.outcome, "1", "0", "1")

    def nie(self, mediator: str) -> float:
        t = self.template
        return self.scm.nie(t.treatment, mediator, t.outcome, "1", "0", "1")

    def counterfactual(self, x: int, y: int) -> float:
        """P(Y_{X=1-x} = 1 | X=x, Y=y) under the inverse-CDF (monotone) coupling of every variable's noise."""
        t = self.template
        dist = self.scm.counterfactual(
            t.outcome, {t.treatment: STATES[1 - x]}, {t.treatment: STATES[x], t.outcome: STATES[y]}
        )
        return dist.prob({t.outcome: "1"})

    def cpt_meta(self) -> dict[str, dict[str, Any]]:
        """``{v: {"parents": [...], "p1": [...]}}``: P(v=1 | parents) with the last parent varying fastest."""
        t = self.template
        return {
            v: {"parents": list(t.parents(v)), "p1": [float(p) for p in self.p1[v].reshape(-1)]} for v in t.graph.nodes
        }
