"""Exact queries on the eight bnlearn networks, cross-checked against pgmpy's VariableElimination to 1e-9.

Interventional oracle: we build the mutilated pgmpy model ourselves (incoming edges removed, the CPD replaced by
a point mass) and also check pgmpy's own ``do()`` followed by conditioning on the intervened (now root) variable;
both must agree with ours.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from causalbridge.scm import DiscreteSCM

NETWORKS = ("asia", "cancer", "earthquake", "survey", "sachs", "child", "insurance", "alarm")

TOL = 1e-9


def pgmpy_table(model: Any, scm: DiscreteSCM, targets: Sequence[str], evidence: Mapping[str, str]) -> np.ndarray:
    """pgmpy's P(targets | evidence), axes and states rearranged into our order."""
    from pgmpy.inference import VariableElimination

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = VariableElimination(model).query(list(targets), evidence=dict(evidence), show_progress=False)
    table = np.transpose(result.values, [result.variables.index(t) for t in targets])
    for axis, t in enumerate(targets):
        table = np.take(table, [result.state_names[t].index(s) for s in scm.states[t]], axis=axis)
    return table


def mutilate(model: Any, var: str, state: str) -> Any:
    from pgmpy.factors.discrete import TabularCPD

    out = model.copy()
    for p in list(out.get_parents(var)):
        out.remove_edge(p, var)
    old = out.get_cpds(var)
    names = list(old.state_names[var])
    out.remove_cpds(old)
    out.add_cpds(TabularCPD(var, len(names), [[1.0 if s == state else 0.0] for s in names], state_names={var: names}))
    return out


def mode_state(scm: DiscreteSCM, var: str) -> str:
    return scm.query(var).mode()[var]


def chosen_queries(scm: DiscreteSCM) -> list[tuple[list[str], dict[str, str]]]:
    """Deterministic marginal and conditional queries spread over the topological order."""
    order = scm.graph.topological_order()
    n = len(order)
    queries: list[tuple[list[str], dict[str, str]]] = [
        ([order[0]], {}),
        ([order[n // 2]], {}),
        ([order[-1]], {}),
        ([order[n // 3], order[-2]], {}),
    ]
    evidence = {order[-1]: mode_state(scm, order[-1])}
    evidence[order[-3]] = scm.query(order[-3], evidence).mode()[order[-3]]
    free = [v for v in order if v not in evidence]
    queries += [
        ([free[0]], evidence),
        ([free[len(free) // 2]], evidence),
        ([free[1], free[-1]], {order[-1]: evidence[order[-1]]}),
    ]
    return queries


@pytest.mark.parametrize("name", NETWORKS)
def test_observational_queries_match_pgmpy(
    name: str, ours: Callable[[str], DiscreteSCM], oracle: Callable[[str], Any]
) -> None:
    scm, model = ours(name), oracle(name)
    assert set(scm.variables) == {str(v) for v in model.nodes()}
    for targets, evidence in chosen_queries(scm):
        got = scm.query(targets, evidence).table
        np.testing.assert_allclose(
            got, pgmpy_table(model, scm, targets, evidence), rtol=0, atol=TOL, err_msg=f"{targets} | {evidence}"
        )


def treatment_and_outcome(scm: DiscreteSCM) -> tuple[str, str]:
    order = scm.graph.topological_order()
    first_half = order[: max(1, len(order) // 2)]
    treatment = max(first_half, key=lambda v: (len(scm.graph.descendants(v)), -order.index(v)))
    descendants = scm.graph.descendants(treatment)
    outcome = max(descendants, key=order.index)
    return treatment, outcome


@pytest.mark.parametrize("name", NETWORKS)
def test_interventional_queries_match_mutilated_pgmpy(
    name: str, ours: Callable[[str], DiscreteSCM], oracle: Callable[[str], Any]
) -> None:
    scm, model = ours(name), oracle(name)
    treatment, outcome = treatment_and_outcome(scm)
    for state in (scm.states[treatment][0], scm.states[treatment][-1]):
        got = scm.interventional(outcome, {treatment: state}).table
        mutilated = mutilate(model, treatment, state)
        np.testing.assert_allclose(got, pgmpy_table(mutilated, scm, [outcome], {}), rtol=0, atol=TOL)
        # pgmpy's own do() leaves the intervened variable a root; conditioning on it is then do(X = x).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pg_do = model.do([treatment])
        np.testing.assert_allclose(got, pgmpy_table(pg_do, scm, [outcome], {treatment: state}), rtol=0, atol=TOL)
        # and with evidence observed after the intervention, on a variable that is not the treatment
        order = scm.graph.topological_order()
        other = next(v for v in reversed(order) if v not in (treatment, outcome))
        evidence = {other: scm.interventional(other, {treatment: state}).mode()[other]}
        target = order[0] if order[0] != treatment else order[1]
        got_e = scm.interventional([target, outcome], {treatment: state}, evidence).table
        np.testing.assert_allclose(got_e, pgmpy_table(mutilated, scm, [target, outcome], evidence), rtol=0, atol=TOL)


def test_alarm_single_query_is_fast(ours: Callable[[str], DiscreteSCM]) -> None:
    scm = ours("alarm")
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        scm.query(["BP"], {"HRBP": "HIGH", "CO": "LOW"})
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.1


@pytest.mark.parametrize("name", ["child", "insurance"])
def test_other_networks_single_query_is_fast(name: str, ours: Callable[[str], DiscreteSCM]) -> None:
    scm = ours(name)
    order = scm.graph.topological_order()
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        scm.query([order[len(order) // 2]], {order[-1]: scm.states[order[-1]][0]})
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.1
