"""Hypothesis properties on random small DAGs with random CPTs, each against brute-force enumeration.

* ``do(X)`` removes every edge into X and nothing else;
* interventional queries equal the truncated factorisation summed over the whole joint;
* observational queries equal the enumerated joint;
* counterfactuals (and NDE) equal a direct enumeration over every exogenous cell combination, evaluating the
  structural equations world by world — independent of the twin-network construction.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.graph import CausalGraph
from causalbridge.scm import DiscreteSCM

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


@dataclass(frozen=True)
class Case:
    scm: DiscreteSCM
    cpts: dict[str, np.ndarray]
    rng_seed: int


@st.composite
def random_models(draw: st.DrawFn, max_nodes: int = 5) -> Case:
    n = draw(st.integers(2, max_nodes))
    names = [f"v{i}" for i in range(n)]
    edges = [(names[i], names[j]) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())]
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    # declare nodes in a shuffled order so that declaration order != topological order
    declared = [names[i] for i in rng.permutation(n)]
    g = CausalGraph.dag(edges, nodes=declared)
    states = {v: [f"s{k}" for k in range(int(rng.integers(2, 4)))] for v in names}
    cpts: dict[str, np.ndarray] = {}
    for v in declared:
        parents = [p for p in declared if p in g.parents(v)]
        shape = (len(states[v]), *[len(states[p]) for p in parents])
        raw = rng.dirichlet(np.full(shape[0], 0.7), size=int(np.prod(shape[1:], dtype=int))).T
        raw[raw < 0.03] = 0.0  # some exact zeros exercise impossible cells
        cpts[v] = (raw / raw.sum(axis=0)).reshape(shape)
    return Case(DiscreteSCM.from_cpts(g, states, cpts), cpts, seed)


def brute_joint(scm: DiscreteSCM, cpts: dict[str, np.ndarray], fixed: dict[str, int] | None = None) -> np.ndarray:
    """The full joint over scm.variables by the (truncated) product formula, one entry at a time."""
    fixed = fixed or {}
    names = list(scm.variables)
    joint = np.zeros([len(scm.states[v]) for v in names])
    for combo in itertools.product(*[range(len(scm.states[v])) for v in names]):
        value = dict(zip(names, combo, strict=True))
        p = 1.0
        for v in names:
            if v in fixed:
                p *= float(value[v] == fixed[v])
            else:
                parents = [q for q in names if q in scm.graph.parents(v)]
                p *= cpts[v][(value[v], *[value[q] for q in parents])]
        joint[combo] = p
    return joint


def condition(joint: np.ndarray, names: list[str], targets: list[str], evidence: dict[str, int]) -> np.ndarray | None:
    index = tuple(evidence.get(v, slice(None)) for v in names)
    sub = joint[index]
    rest = [v for v in names if v not in evidence]
    total = sub.sum()
    if total <= 0:
        return None
    marg = sub.sum(axis=tuple(i for i, v in enumerate(rest) if v not in targets))
    kept = [v for v in rest if v in targets]
    return np.transpose(marg, [kept.index(t) for t in targets]) / total


def pick(case: Case, data: st.DataObject) -> tuple[list[str], str, int, dict[str, int]]:
    names = list(case.scm.variables)
    x = data.draw(st.sampled_from(names))
    xs = data.draw(st.integers(0, len(case.scm.states[x]) - 1))
    others = [v for v in names if v != x]
    targets = data.draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
    ev_vars = data.draw(
        st.lists(st.sampled_from([v for v in others if v not in targets] or others), max_size=2, unique=True)
    )
    evidence = {v: data.draw(st.integers(0, len(case.scm.states[v]) - 1)) for v in ev_vars if v not in targets}
    return targets, x, xs, evidence


def named(scm: DiscreteSCM, assignment: dict[str, int]) -> dict[str, str]:
    return {v: scm.states[v][i] for v, i in assignment.items()}


@SETTINGS
@given(random_models(), st.data())
def test_do_removes_exactly_the_incoming_edges(case: Case, data: st.DataObject) -> None:
    scm = case.scm
    x = data.draw(st.sampled_from(list(scm.variables)))
    post = scm.do({x: scm.states[x][-1]})
    assert post.graph.parents(x) == frozenset()
    assert set(post.graph.directed_edges) == {e for e in scm.graph.directed_edges if e[1] != x}
    assert post.parents(x) == ()


@SETTINGS
@given(random_models(), st.data())
def test_interventional_query_equals_truncated_factorisation(case: Case, data: st.DataObject) -> None:
    scm = case.scm
    targets, x, xs, evidence = pick(case, data)
    names = list(scm.variables)
    expected = condition(brute_joint(scm, case.cpts, {x: xs}), names, targets, evidence)
    if expected is None:
        return  # impossible evidence is tested below
    got = scm.interventional(targets, {x: scm.states[x][xs]}, named(scm, evidence)).table
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@SETTINGS
@given(random_models(), st.data())
def test_observational_query_equals_enumeration(case: Case, data: st.DataObject) -> None:
    scm = case.scm
    targets, x, xs, evidence = pick(case, data)
    evidence = {**evidence, x: xs} if x not in targets else evidence
    names = list(scm.variables)
    expected = condition(brute_joint(scm, case.cpts), names, targets, evidence)
    if expected is None:
        with np.testing.assert_raises(Exception):
            scm.query(targets, named(scm, evidence))
        return
    np.testing.assert_allclose(scm.query(targets, named(scm, evidence)).table, expected, rtol=0, atol=1e-12)


@SETTINGS
@given(random_models())
def test_mechanisms_reproduce_the_cpts(case: Case) -> None:
    for v, cpt in case.cpts.items():
        m = case.scm.mechanism(v)
        np.testing.assert_allclose(m.cpt(len(case.scm.states[v])), cpt, rtol=0, atol=1e-12)
        assert abs(m.noise.sum() - 1.0) < 1e-12


def evaluate(scm: DiscreteSCM, cells: dict[str, int], do: dict[str, int]) -> dict[str, int]:
    """One unit's values: the structural equations in topological order under ``do``."""
    out: dict[str, int] = {}
    for v in scm.graph.topological_order():
        m = scm.mechanism(v)
        out[v] = do[v] if v in do else int(m.response[(cells[v], *[out[p] for p in m.parents])])
    return out


def units(scm: DiscreteSCM) -> list[tuple[float, dict[str, int]]]:
    names = list(scm.variables)
    ranges = [range(scm.mechanism(v).n_cells) for v in names]
    out = []
    for combo in itertools.product(*ranges):
        p = float(np.prod([scm.mechanism(v).noise[c] for v, c in zip(names, combo, strict=True)]))
        out.append((p, dict(zip(names, combo, strict=True))))
    return out


@settings(max_examples=40, deadline=None, derandomize=True)
@given(random_models(max_nodes=4), st.data())
def test_counterfactual_equals_enumeration_over_exogenous_cells(case: Case, data: st.DataObject) -> None:
    scm = case.scm
    targets, x, xs, _ = pick(case, data)
    # factual evidence may name the targets and the intervened variable too: P(Y_x | X = x', Y = y)
    names = list(scm.variables)
    ev_vars = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    evidence = {v: data.draw(st.integers(0, len(scm.states[v]) - 1)) for v in ev_vars}
    num = np.zeros([len(scm.states[t]) for t in targets])
    total = 0.0
    for p, cells in units(scm):
        factual = evaluate(scm, cells, {})
        if all(factual[v] == s for v, s in evidence.items()):
            total += p
            world = evaluate(scm, cells, {x: xs})
            num[tuple(world[t] for t in targets)] += p
    if total <= 0:
        return
    got = scm.counterfactual(targets, {x: scm.states[x][xs]}, named(scm, evidence)).table
    np.testing.assert_allclose(got, num / total, rtol=0, atol=1e-12)
    # and with no evidence it is the interventional distribution
    assert scm.counterfactual(targets, {x: scm.states[x][xs]}).allclose(
        scm.interventional(targets, {x: scm.states[x][xs]})
    )


def random_cpts(g: CausalGraph, states: dict[str, list[str]], rng: np.random.Generator) -> dict[str, np.ndarray]:
    cpts = {}
    for v in g.nodes:
        parents = [p for p in g.nodes if p in g.parents(v)]
        shape = (len(states[v]), *[len(states[p]) for p in parents])
        raw = rng.dirichlet(np.full(shape[0], 0.7), size=int(np.prod(shape[1:], dtype=int))).T
        cpts[v] = raw.reshape(shape)
    return cpts


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 2**31 - 1), st.booleans(), st.booleans())
def test_natural_effects_equal_enumeration(seed: int, t_to_m: bool, t_to_y: bool) -> None:
    # t -> w -> m -> y with w -> y: w is a treatment-induced confounder of M and Y (a "recanting witness"), so
    # Y_{t1, M_t0} couples w's two worlds through the shared U_w and the natural effects depend on the coupling.
    edges = [("t", "w"), ("w", "m"), ("w", "y"), ("m", "y")]
    edges += [("t", "m")] if t_to_m else []
    edges += [("t", "y")] if t_to_y else []
    g = CausalGraph.dag(edges, nodes=["t", "w", "m", "y"])
    rng = np.random.default_rng(seed)
    # binary except a mediator with 2 or 3 states keeps the exogenous enumeration small
    states = {v: [f"s{k}" for k in range(int(rng.integers(2, 4)) if v == "m" else 2)] for v in g.nodes}
    scm = DiscreteSCM.from_cpts(g, states, random_cpts(g, states, rng))
    t1, t0, ys = len(states["t"]) - 1, 0, 0
    crossed = base = crossed_rev = treated = 0.0
    for p, cells in units(scm):
        m0 = evaluate(scm, cells, {"t": t0})["m"]
        m1 = evaluate(scm, cells, {"t": t1})["m"]
        crossed += p * (evaluate(scm, cells, {"t": t1, "m": m0})["y"] == ys)
        crossed_rev += p * (evaluate(scm, cells, {"t": t0, "m": m1})["y"] == ys)
        base += p * (evaluate(scm, cells, {"t": t0})["y"] == ys)
        treated += p * (evaluate(scm, cells, {"t": t1})["y"] == ys)
    names = (states["t"][t1], states["t"][t0], states["y"][ys])
    assert abs(scm.nde("t", "m", "y", *names) - (crossed - base)) < 1e-12
    assert abs(scm.nie("t", "m", "y", *names) - (crossed_rev - base)) < 1e-12
    assert abs(scm.ate("t", "y", *names) - (treated - base)) < 1e-12


@SETTINGS
@given(random_models())
def test_inverse_cdf_sampling_is_the_comonotone_mechanism(case: Case) -> None:
    from causalbridge.scm.mechanism import inverse_cdf

    scm = case.scm
    rng = np.random.default_rng(case.rng_seed)
    for v in scm.variables:
        parents = scm.parents(v)
        codes = [rng.integers(0, len(scm.states[p]), 500) for p in parents]
        u = rng.random(500)
        m = scm.mechanism(v)
        via_cells = m.apply(np.searchsorted(np.cumsum(m.noise)[:-1], u, side="right"), codes)
        np.testing.assert_array_equal(inverse_cdf(scm.cpt(v), codes, u), via_cells)
