"""Linear SCMs with additive noise: ``X = B X + c + U``, with exact effects and counterfactual means.

Linearity gives closed forms that make these models the reference for estimators: the total effect of j on i is
``((I - B)^-1)[i, j]`` (the sum over directed paths of coefficient products), and with Gaussian noise the
counterfactual given *partial* evidence has an exact mean by conditioning the joint Gaussian of (U, X).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from causalbridge.errors import GraphError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.scm.additive import (
    AdditiveSCMBase,
    Evidence,
    as_number,
    evidence_arrays,
    needed_noise,
    predict,
    target_list,
)
from causalbridge.scm.noise import Noise

_CONSISTENCY_TOLERANCE = 1e-8


class LinearSCM(AdditiveSCMBase):
    """``V = intercepts[V] + sum_p coefficients[(p, V)] * p + U_V`` over a DAG.

    >>> g = CausalGraph.dag([("x", "m"), ("m", "y"), ("x", "y")])
    >>> scm = LinearSCM(g, {("x", "m"): 2.0, ("m", "y"): 3.0, ("x", "y"): 1.0})
    >>> scm.ate("x", "y")  # 1 + 2 * 3
    7.0
    """

    _weights: np.ndarray
    _intercepts: np.ndarray
    _index: Mapping[str, int]

    def __init__(
        self,
        graph: CausalGraph,
        coefficients: Mapping[tuple[str, str], float],
        intercepts: Mapping[str, float] | None = None,
        noise: Mapping[str, Noise] | Noise | None = None,
    ) -> None:
        self._init_base(graph, noise)
        index = {v: i for i, v in enumerate(graph.nodes)}
        weights = np.zeros((len(index), len(index)))
        for key, w in coefficients.items():
            try:
                parent, child = key
            except (TypeError, ValueError):
                raise InputError(f"coefficient keys are (parent, child) pairs, got {key!r}") from None
            for v in (parent, child):
                if v not in graph:
                    raise UnknownVariableError(v, graph.nodes, where="coefficients")
            if not graph.has_edge(parent, child):
                raise GraphError(f"a coefficient is given for {parent} -> {child}, but the graph has no such edge")
            weights[index[child], index[parent]] = as_number(w, f"{parent} -> {child}")
        missing = [e for e in graph.directed_edges if e not in coefficients]
        if missing:
            raise InputError(f"no coefficient for the edges {missing}", "coefficients")
        c = np.zeros(len(index))
        for v, x in (intercepts or {}).items():
            if v not in graph:
                raise UnknownVariableError(v, graph.nodes, where="intercepts")
            c[index[v]] = as_number(x, v)
        weights.flags.writeable = False
        c.flags.writeable = False
        object.__setattr__(self, "_weights", weights)
        object.__setattr__(self, "_intercepts", c)
        object.__setattr__(self, "_index", MappingProxyType(index))

    @classmethod
    def random(
        cls,
        graph: CausalGraph,
        seed: int | np.random.Generator | None = None,
        weight_range: tuple[float, float] = (0.5, 2.0),
        noise: Mapping[str, Noise] | Noise | None = None,
        signed: bool = True,
    ) -> LinearSCM:
        """Coefficients with magnitude uniform in ``weight_range`` (kept away from 0 so every edge is
        faithful-ish) and, when ``signed``, a random sign; edges drawn in sorted order for reproducibility."""
        lo, hi = weight_range
        if not 0 <= lo <= hi:
            raise InputError(f"weight_range must satisfy 0 <= low <= high, got {weight_range}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        coefficients: dict[tuple[str, str], float] = {}
        for edge in graph.directed_edges:
            w = float(rng.uniform(lo, hi))
            coefficients[edge] = -w if signed and rng.random() < 0.5 else w
        return cls(graph, coefficients, noise=noise)

    def __reduce__(self) -> tuple[Any, ...]:  # MappingProxyType attributes do not pickle by themselves
        return (LinearSCM, (self._graph, dict(self.coefficients), dict(self.intercepts), dict(self._noise)))

    # ------------------------------------------------------------------ parameters
    @property
    def coefficients(self) -> Mapping[tuple[str, str], float]:
        return MappingProxyType(
            {(p, c): float(self._weights[self._index[c], self._index[p]]) for p, c in self._graph.directed_edges}
        )

    @property
    def intercepts(self) -> Mapping[str, float]:
        return MappingProxyType({v: float(self._intercepts[i]) for v, i in self._index.items()})

    def weight_matrix(self) -> np.ndarray:
        """``B`` with ``B[i, j]`` the coefficient of variable j in variable i's equation (graph node order)."""
        return self._weights.copy()

    def structural(self, var: str, parents: Mapping[str, np.ndarray]) -> np.ndarray:
        i = self._index[var]
        out: np.ndarray = np.asarray(self._intercepts[i], dtype=float)
        for p, x in parents.items():
            out = out + self._weights[i, self._index[p]] * np.asarray(x, dtype=float)
        return out

    def _intervened(self, values: Mapping[str, float]) -> LinearSCM:
        coefficients = {e: w for e, w in self.coefficients.items() if e[1] not in values}
        intercepts = {**self.intercepts, **values}
        noise = {v: Noise(n.kind, 0.0, n.df) if v in values else n for v, n in self._noise.items()}
        return LinearSCM(self._graph.do(values), coefficients, intercepts, noise)

    # ------------------------------------------------------------------ closed forms
    def total_effects(self) -> np.ndarray:
        """``T = (I - B)^-1``: ``T[i, j]`` is the total causal effect of variable j on variable i."""
        return np.linalg.inv(np.eye(len(self._index)) - self._weights)

    def ate(self, treatment: str, outcome: str, treated: float = 1.0, control: float = 0.0) -> float:
        """E[outcome | do(treatment = treated)] - E[outcome | do(treatment = control)], exactly."""
        for v in (treatment, outcome):
            if v not in self._index:
                raise UnknownVariableError(v, self._graph.nodes)
        effect = float(self.total_effects()[self._index[outcome], self._index[treatment]])
        return (float(treated) - float(control)) * effect

    def moments(self) -> tuple[np.ndarray, np.ndarray]:
        """The implied mean vector and covariance matrix of the variables (graph node order)."""
        a = self.total_effects()
        variances = np.array([self._noise[v].variance for v in self._graph.nodes])
        return a @ self._intercepts, a @ np.diag(variances) @ a.T

    # ------------------------------------------------------------------ counterfactuals
    def counterfactual(
        self, evidence: Evidence, do: Mapping[str, float], targets: str | Sequence[str] | None = None
    ) -> Any:
        """Exact counterfactual values when the needed noise is recoverable (see the base class); otherwise,
        with Gaussian noise, the exact counterfactual *mean* E[targets_do | evidence]; otherwise InputError."""
        values, single = evidence_arrays(self._graph, evidence)
        names = target_list(self._graph, targets)
        post = self.do(do)
        needed = needed_noise(post, names, set(do))
        if all(v in values and all(p in values for p in self._graph.parents(v)) for v in needed):
            return super().counterfactual(evidence, do, targets)
        relevant = self._graph.ancestors([*values, *names], include_self=True)
        not_gaussian = sorted(v for v in relevant if not self._noise[v].is_gaussian)
        if not_gaussian:
            raise InputError(
                f"the counterfactual cannot be computed exactly: the evidence does not determine the noise of "
                f"{[v for v in needed if v not in values]} and the noise of {not_gaussian} is not Gaussian "
                "(observe those variables and their parents, or use Gaussian noise)",
                "evidence",
            )
        expected = self._gaussian_noise_mean(values)
        return predict(post, names, {v: expected[v] for v in needed}, len(next(iter(values.values()))), single)

    def _gaussian_noise_mean(self, values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """E[U | X_E = e] for jointly Gaussian U: ``D A_E^T (A_E D A_E^T)^+ (e - A_E c)``."""
        a = self.total_effects()
        rows = [self._index[v] for v in values]
        a_e = a[rows]
        d = np.diag([self._noise[v].variance for v in self._graph.nodes])
        s = a_e @ d @ a_e.T
        residual = np.vstack([values[v] for v in values]) - (a_e @ self._intercepts)[:, None]
        w, *_ = np.linalg.lstsq(s, residual, rcond=None)
        if np.max(np.abs(s @ w - residual), initial=0.0) > _CONSISTENCY_TOLERANCE * (1.0 + np.max(np.abs(residual))):
            raise InputError(
                "the evidence is impossible under this model (it violates a deterministic relation between the "
                "observed variables)",
                "evidence",
            )
        u = d @ a_e.T @ w
        return {v: u[i] for v, i in self._index.items()}

    def __repr__(self) -> str:
        return f"LinearSCM({len(self.variables)} variables, {len(self._graph.directed_edges)} edges)"
