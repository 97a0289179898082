"""Discrete structural causal models with exact answers on all three rungs of the ladder.

A :class:`DiscreteSCM` is a true SCM: every variable has a :class:`~causalbridge.scm.mechanism.Mechanism`
(finite exogenous distribution + deterministic response table) and a CPT, one derived from the other.
Observational and interventional queries use the CPTs; counterfactuals use the mechanisms through a multi-world
network (:mod:`causalbridge.scm.counterfactual`); all run through the same exact variable elimination
(:mod:`causalbridge.scm.factors`).

:meth:`DiscreteSCM.from_mechanisms` and :meth:`DiscreteSCM.from_functions` write any discrete SCM; its CPTs are
derived. Built from CPTs (:meth:`DiscreteSCM.from_cpts`, :meth:`DiscreteSCM.from_bif`) each mechanism is the
inverse-CDF (comonotone) coupling of its CPT, built only when a counterfactual needs it — so counterfactual
answers hold *for that coupling*: CPTs alone do not identify rung-3 quantities.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from causalbridge.errors import InputError, UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.scm import counterfactual as cf
from causalbridge.scm.distribution import Distribution
from causalbridge.scm.factors import Node, ZeroProbabilityEvidence, joint
from causalbridge.scm.mechanism import Mechanism, comonotone, constant, inverse_cdf, tabulate
from causalbridge.scm.seeding import Seed, sample_size, variable_streams
from causalbridge.scm.validate import check_cpt, check_mechanism, check_states, parent_order_of

if TYPE_CHECKING:
    import pandas as pd


class DiscreteSCM:
    """A discrete SCM over a DAG; immutable (``do`` returns a new model).

    >>> g = CausalGraph.dag([("rain", "wet")])
    >>> scm = DiscreteSCM.from_cpts(
    ...     g,
    ...     {"rain": ["no", "yes"], "wet": ["no", "yes"]},
    ...     {"rain": np.array([0.7, 0.3]), "wet": np.array([[0.9, 0.2], [0.1, 0.8]])},
    ... )
    >>> round(scm.query("wet").prob(wet="yes"), 2)
    0.31
    """

    __slots__ = ("_graph", "_states", "_parents", "_cpts", "_explicit", "_derived", "_order")

    _graph: CausalGraph
    _states: Mapping[str, tuple[str, ...]]
    _parents: Mapping[str, tuple[str, ...]]
    _cpts: Mapping[str, np.ndarray]
    _explicit: Mapping[str, Mechanism]
    _derived: dict[str, Mechanism]
    _order: tuple[str, ...]

    def __init__(
        self,
        graph: CausalGraph,
        states: Mapping[str, Sequence[str]],
        cpts: Mapping[str, np.ndarray | Sequence[Any]] | None = None,
        parent_order: Mapping[str, Sequence[str]] | None = None,
        mechanisms: Mapping[str, Mechanism] | None = None,
    ) -> None:
        """Validate and store: each variable has an explicit mechanism (its CPT is derived) or a CPT (its
        mechanism is the comonotone coupling, built on first use). :meth:`from_cpts` and
        :meth:`from_mechanisms` are the readable entry points."""
        graph.require_dag(where="DiscreteSCM")
        clean_states = check_states(graph, states)
        cpts, mechanisms = cpts or {}, mechanisms or {}
        for label, given in (("cpts", cpts), ("parent_order", parent_order or {}), ("mechanisms", mechanisms)):
            for v in given:
                if v not in graph:
                    raise UnknownVariableError(v, graph.nodes, where=label)
        parents: dict[str, tuple[str, ...]] = {}
        tables: dict[str, np.ndarray] = {}
        for v in graph.nodes:
            if v in mechanisms:
                check_mechanism(graph, clean_states, v, mechanisms[v])
                parents[v] = mechanisms[v].parents
                tables[v] = mechanisms[v].cpt(len(clean_states[v]))
            elif v in cpts:
                parents[v] = parent_order_of(graph, v, (parent_order or {}).get(v))
                tables[v] = check_cpt(v, parents[v], clean_states, cpts[v])
            else:
                raise InputError("no CPT (or mechanism) given", f"variable {v!r}")
        self._assemble(graph, clean_states, parents, tables, dict(mechanisms))

    def _assemble(
        self,
        graph: CausalGraph,
        states: Mapping[str, tuple[str, ...]],
        parents: Mapping[str, tuple[str, ...]],
        cpts: Mapping[str, np.ndarray],
        explicit: Mapping[str, Mechanism],
    ) -> None:
        for table in cpts.values():
            table.flags.writeable = False
        for name, value in (
            ("_graph", graph),
            ("_states", MappingProxyType(dict(states))),
            ("_parents", MappingProxyType(dict(parents))),
            ("_cpts", MappingProxyType(dict(cpts))),
            ("_explicit", MappingProxyType(dict(explicit))),
            ("_derived", {}),  # a cache of comonotone mechanisms: filling it never changes an answer
            ("_order", tuple(graph.topological_order())),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("DiscreteSCM is immutable; do() returns a new model")

    def __reduce__(self) -> tuple[Any, ...]:  # slots + a blocked __setattr__ need an explicit recipe to pickle
        cpts = {v: t for v, t in self._cpts.items() if v not in self._explicit}
        return (DiscreteSCM, (self._graph, dict(self._states), cpts, dict(self._parents), dict(self._explicit)))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_cpts(
        cls,
        graph: CausalGraph,
        states: Mapping[str, Sequence[str]],
        cpts: Mapping[str, np.ndarray | Sequence[Any]],
        parent_order: Mapping[str, Sequence[str]] | None = None,
    ) -> DiscreteSCM:
        """A model from CPTs: ``cpts[v]`` has axes ``(v, *parent_order[v])`` and sums to one over axis 0.

        ``parent_order[v]`` defaults to v's parents in the graph's node order. Columns off by at most 1e-6 are
        renormalised (BIF files round); anything worse is an :class:`InputError` naming the parent setting.
        The mechanisms are the inverse-CDF coupling (see :mod:`causalbridge.scm.mechanism`).
        """
        return cls(graph, states, cpts, parent_order)

    @classmethod
    def from_mechanisms(
        cls, graph: CausalGraph, states: Mapping[str, Sequence[str]], mechanisms: Mapping[str, Mechanism]
    ) -> DiscreteSCM:
        """A model from explicit mechanisms (any discrete SCM); its CPTs are derived from them."""
        return cls(graph, states, mechanisms=mechanisms)

    @classmethod
    def from_functions(
        cls,
        graph: CausalGraph,
        states: Mapping[str, Sequence[str]],
        noise: Mapping[str, Mapping[str, float]],
        functions: Mapping[str, Callable[[str, Mapping[str, str]], str]],
    ) -> DiscreteSCM:
        """A model from readable mechanisms: ``v = functions[v](u, {parent: state})`` with ``u ~ noise[v]``.

        ``noise[v]`` maps exogenous labels to probabilities; every function returns one of v's state names and
        is evaluated once per (exogenous label, parent setting) to tabulate the response.
        """
        graph.require_dag(where="DiscreteSCM")
        clean_states = check_states(graph, states)
        mechanisms: dict[str, Mechanism] = {}
        for v in graph.nodes:
            if v not in noise or v not in functions:
                raise InputError("needs both a noise distribution and a function", f"variable {v!r}")
            parents = parent_order_of(graph, v, None)
            mechanisms[v] = tabulate(v, parents, clean_states, noise[v], functions[v])
        return cls(graph, clean_states, mechanisms=mechanisms)

    @classmethod
    def from_bif(cls, path: str | Path) -> DiscreteSCM:
        """Read a ``.bif`` or ``.bif.gz`` file (parsed by pgmpy; errors name the file and line)."""
        from causalbridge.scm.bif import read_bif

        return read_bif(path)

    @classmethod
    def from_pgmpy(cls, model: Any) -> DiscreteSCM:
        """Convert a ``pgmpy.models.DiscreteBayesianNetwork`` with tabular CPDs and state names."""
        from causalbridge.scm.bif import from_pgmpy

        return from_pgmpy(model)

    def to_bif(self, path: str | Path, name: str = "causalbridge") -> Path:
        """Write the CPTs as BIF (gzip when the name ends in ``.gz``); floats are written exactly."""
        from causalbridge.scm.bif import write_bif

        return write_bif(self, path, name)

    def to_pgmpy(self) -> Any:
        """The model as a ``pgmpy.models.DiscreteBayesianNetwork`` (CPTs only: pgmpy has no mechanisms)."""
        from causalbridge.scm.bif import to_pgmpy

        return to_pgmpy(self)

    # ------------------------------------------------------------------ accessors
    @property
    def graph(self) -> CausalGraph:
        return self._graph

    @property
    def variables(self) -> tuple[str, ...]:
        return self._graph.nodes

    @property
    def states(self) -> Mapping[str, tuple[str, ...]]:
        return self._states

    def parents(self, var: str) -> tuple[str, ...]:
        """v's parents in the axis order of :meth:`cpt` and of its mechanism's response table."""
        self._check_var(var)
        return self._parents[var]

    def cpt(self, var: str) -> np.ndarray:
        """P(var | parents) with axes ``(var, *self.parents(var))`` (read-only)."""
        self._check_var(var)
        return self._cpts[var]

    def mechanism(self, var: str) -> Mechanism:
        """var's structural mechanism: the explicit one, or the comonotone coupling of its CPT (built once)."""
        self._check_var(var)
        if var in self._explicit:
            return self._explicit[var]
        if var not in self._derived:
            self._derived[var] = comonotone(self._cpts[var], self._parents[var])
        return self._derived[var]

    def has_explicit_mechanism(self, var: str) -> bool:
        """False when var's mechanism is only the coupling chosen for its CPT (rung-3 answers assume it)."""
        self._check_var(var)
        return var in self._explicit

    def state_index(self, var: str, state: object) -> int:
        """Index of ``state`` among ``var``'s states; the error lists them."""
        self._check_var(var)
        names = self._states[var]
        key = str(state)
        if key not in names:
            raise InputError(f"{state!r} is not a state of {var!r}; its states are {list(names)}", f"variable {var!r}")
        return names.index(key)

    def network(self) -> dict[str, Node]:
        """The CPTs as the inference engine's network (node -> parents and table)."""
        return {v: Node(self._parents[v], self._cpts[v]) for v in self._graph.nodes}

    def _check_var(self, var: str) -> None:
        if var not in self._states:
            raise UnknownVariableError(var, self._graph.nodes)

    def targets(self, targets: str | Sequence[str]) -> list[str]:
        """Validate a query's target list (one name or several, distinct, known)."""
        names = [targets] if isinstance(targets, str) else [str(t) for t in targets]
        if not names:
            raise InputError("a query needs at least one target variable")
        for t in names:
            self._check_var(t)
        if len(set(names)) != len(names):
            raise InputError(f"a target is listed twice in {names}")
        return names

    def encode(self, assignment: Mapping[str, object] | None, what: str = "evidence") -> dict[str, int]:
        """State names to indices, with errors naming the variable (``what`` says which argument was bad)."""
        out: dict[str, int] = {}
        for var, state in (assignment or {}).items():
            if var not in self._states:
                raise UnknownVariableError(var, self._graph.nodes, where=what)
            out[var] = self.state_index(var, state)
        return out

    def __repr__(self) -> str:
        return f"DiscreteSCM({len(self.variables)} variables, {len(self._graph.directed_edges)} edges)"

    # ------------------------------------------------------------------ sampling and interventions
    def sample(self, n: int, seed: Seed = None) -> pd.DataFrame:
        """``n`` i.i.d. rows of state names (categorical columns, states in order), in graph node order.

        Each variable draws its exogenous U and applies its mechanism, in topological order: inverse-CDF
        sampling from the CPT when the mechanism is the comonotone coupling (the same function, without building
        its cells), the explicit response table otherwise. Each variable has its own random
        stream (:mod:`causalbridge.scm.seeding`), so ``do(...).sample(n, seed)`` is paired row by row with
        ``sample(n, seed)``: both rows are the same unit.
        """
        import pandas as pd

        n = sample_size(n)
        streams = variable_streams(seed, self._graph.nodes)
        codes: dict[str, np.ndarray] = {}
        for v in self._order:
            u = streams[v].random(n)
            parent_codes = [codes[p] for p in self._parents[v]]
            if v in self._explicit:
                m = self._explicit[v]
                codes[v] = m.apply(np.searchsorted(np.cumsum(m.noise)[:-1], u, side="right"), parent_codes)
            else:
                codes[v] = inverse_cdf(self._cpts[v], parent_codes, u)
        return pd.DataFrame(
            {v: pd.Categorical.from_codes(codes[v], categories=pd.Index(self._states[v])) for v in self._graph.nodes}
        )

    def do(self, intervention: Mapping[str, object]) -> DiscreteSCM:
        """The model after ``do(var = state, ...)``: the graph loses every edge into those variables."""
        fixed = self.encode(intervention, "intervention")
        if not fixed:
            return self
        explicit, parents, cpts = dict(self._explicit), dict(self._parents), dict(self._cpts)
        for v, s in fixed.items():
            explicit[v] = constant(s)
            parents[v] = ()
            cpts[v] = explicit[v].cpt(len(self._states[v]))
        post = DiscreteSCM.__new__(DiscreteSCM)
        post._assemble(self._graph.do(fixed), self._states, parents, cpts, explicit)
        for v, m in self._derived.items():
            if v not in fixed:
                post._derived[v] = m
        return post

    # ------------------------------------------------------------------ exact queries
    def query(self, targets: str | Sequence[str], evidence: Mapping[str, object] | None = None) -> Distribution:
        """Exact P(targets | evidence) by variable elimination."""
        names = self.targets(targets)
        table = self.solve(self.network(), names, self.encode(evidence), evidence)
        return Distribution(tuple(names), {t: self._states[t] for t in names}, table)

    def solve(
        self,
        network: Mapping[Any, Node],
        targets: Sequence[Any],
        evidence: Mapping[Any, int],
        shown: Mapping[str, object] | None,
    ) -> np.ndarray:
        """Run the engine, turning impossible evidence into an :class:`InputError` that quotes ``shown``."""
        try:
            return joint(network, targets, evidence)
        except ZeroProbabilityEvidence:
            raise InputError(
                f"the evidence {dict(shown or {})} has probability 0 under this model, so conditioning on it is "
                "undefined",
                "evidence",
            ) from None

    def probability(self, assignment: Mapping[str, object]) -> float:
        """P(assignment) of a partial joint assignment (the marginal likelihood of evidence)."""
        from causalbridge.scm.factors import probability_of

        return probability_of(self.network(), self.encode(assignment, "assignment"))

    def interventional(
        self,
        targets: str | Sequence[str],
        do: Mapping[str, object],
        evidence: Mapping[str, object] | None = None,
    ) -> Distribution:
        """P(targets | do(...), evidence), the evidence observed *after* the intervention."""
        return self.do(do).query(targets, evidence)

    def ate(self, treatment: str, outcome: str, treated: object, control: object, outcome_state: object) -> float:
        """P(outcome = y | do(treatment = treated)) - P(outcome = y | do(treatment = control))."""
        self.state_index(outcome, outcome_state)
        hi = self.interventional(outcome, {treatment: treated}).prob({outcome: outcome_state})
        lo = self.interventional(outcome, {treatment: control}).prob({outcome: outcome_state})
        return hi - lo

    # ------------------------------------------------------------------ counterfactuals (rung 3)
    def counterfactual(
        self,
        targets: str | Sequence[str],
        intervention: Mapping[str, object],
        evidence: Mapping[str, object] | None = None,
    ) -> Distribution:
        """P(targets_x | evidence): abduction on the factual world, action ``x``, prediction — done exactly."""
        return cf.counterfactual(self, targets, intervention, evidence)

    def ett(self, treatment: str, outcome: str, treated: object, control: object, outcome_state: object) -> float:
        """Effect of treatment on the treated: P(Y_t1 = y | T = t1) - P(Y_t0 = y | T = t1)."""
        return cf.ett(self, treatment, outcome, treated, control, outcome_state)

    def nde(
        self,
        treatment: str,
        mediator: str | Sequence[str],
        outcome: str,
        treated: object,
        control: object,
        outcome_state: object,
        evidence: Mapping[str, object] | None = None,
    ) -> float:
        """Natural direct effect (Pearl 2001): P(Y_{t1, M_t0} = y) - P(Y_t0 = y)."""
        return cf.nde(self, treatment, mediator, outcome, treated, control, outcome_state, evidence)

    def nie(
        self,
        treatment: str,
        mediator: str | Sequence[str],
        outcome: str,
        treated: object,
        control: object,
        outcome_state: object,
        evidence: Mapping[str, object] | None = None,
    ) -> float:
        """Natural indirect effect (Pearl 2001): P(Y_{t0, M_t1} = y) - P(Y_t0 = y)."""
        return cf.nie(self, treatment, mediator, outcome, treated, control, outcome_state, evidence)
