"""Ladder generator vs independent oracles: pgmpy for rungs 1-2, a brute-force twin network for rung 3.

Nothing here uses causalbridge's inference engine: the pgmpy network is built from each item's own
``meta["cpts"]``, interventions mutilate it by hand, and counterfactuals enumerate the inverse-CDF noise cells of
every variable directly. The rung-3 enumeration reads the CPT entries *stated in the text* (``meta["given"]``)
where the text states them all, which also proves those questions are answerable from what they print.
"""

from __future__ import annotations

import ast
import functools
import graphlib
import itertools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from pgmpy.factors.discrete import TabularCPD
from pgmpy.inference import VariableElimination
from pgmpy.models import DiscreteBayesianNetwork

from causalbridge.bench import BenchDataset, BenchItem
from causalbridge.bench.generate.ladder import GraphTemplate, generate_ladder
from causalbridge.graph import CausalGraph

# A user graph with two confounders (backdoor set of size two) and a mediator the mediation formula cannot use.
USER = GraphTemplate.custom(
    CausalGraph.dag(
        [("W", "X"), ("W", "Y"), ("V", "X"), ("V", "Y"), ("X", "M"), ("M", "Y"), ("X", "Y")],
        nodes=["W", "V", "X", "M", "Y"],
    ),
    "X",
    "Y",
    mediator="M",
    name="two_confounders",
)


@functools.cache
def items() -> tuple[BenchItem, ...]:
    builtin = generate_ladder(220, seed=11, naming="symbolic")
    user = generate_ladder(40, seed=12, naming="user", templates=[USER])
    return BenchDataset.merge("oracle", [builtin, user]).items


# ---------------------------------------------------------------------- pgmpy
class Oracle:
    """pgmpy inference on the network an item describes."""

    def __init__(self, meta: Mapping[str, Any]) -> None:
        self.cpts = meta["cpts"]
        self.edges = [tuple(e) for e in meta["graph"]]
        self.model = self._network(self.edges, {})
        self.engine = VariableElimination(self.model)

    def _network(self, edges: list[Any], fixed: Mapping[str, int]) -> DiscreteBayesianNetwork:
        model = DiscreteBayesianNetwork([e for e in edges if e[1] not in fixed])
        model.add_nodes_from(self.cpts)
        for v, spec in self.cpts.items():
            if v in fixed:
                point = [[1.0 - fixed[v]], [float(fixed[v])]]
                model.add_cpds(TabularCPD(v, 2, point))
                continue
            parents = list(spec["parents"])
            p1 = np.array(spec["p1"], dtype=float)
            table = np.vstack([1.0 - p1, p1])
            model.add_cpds(TabularCPD(v, 2, table, evidence=parents or None, evidence_card=[2] * len(parents) or None))
        model.check_model()
        return model

    def prob(self, event: Mapping[str, int], given: Mapping[str, int] | None = None) -> float:
        factor = self.engine.query(list(event), evidence=dict(given or {}), show_progress=False, joint=True)
        return float(factor.get_value(**{v: int(s) for v, s in event.items()}))

    def do_prob(self, y: str, x: str, value: int) -> float:
        """P(y=1 | do(x=value)) on the mutilated network (edges into x removed, point-mass CPD)."""
        mutilated = self._network(self.edges, {x: value})
        factor = VariableElimination(mutilated).query([y], evidence={x: value}, show_progress=False)
        return float(factor.get_value(**{y: 1}))

    def adjusted(self, x: str, y: str, z: list[str]) -> float:
        """sum_z P(z) [P(y=1 | x=1, z) - P(y=1 | x=0, z)] from observational queries."""
        total = 0.0
        for states in itertools.product((0, 1), repeat=len(z)):
            zs = dict(zip(z, states, strict=True))
            weight = self.prob(zs) if z else 1.0
            total += weight * (self.prob({y: 1}, {x: 1, **zs}) - self.prob({y: 1}, {x: 0, **zs}))
        return total


_ORACLES: dict[str, Oracle] = {}


def oracle_for(item: BenchItem) -> Oracle:
    """One pgmpy network per item, shared by the tests (building it dominates their time)."""
    if item.id not in _ORACLES:
        _ORACLES[item.id] = Oracle(item.meta)
    return _ORACLES[item.id]


SYMBOL = re.compile(r"P\(([^|)]*)(?: \| ([^)]*))?\)")


def parse_assignment(text: str | None) -> dict[str, int]:
    if not text:
        return {}
    return {k.strip(): int(v) for k, v in (part.split("=") for part in text.split(", "))}


def parse_symbol(symbol: str) -> tuple[dict[str, int], dict[str, int]]:
    match = SYMBOL.fullmatch(symbol)
    assert match, symbol
    return parse_assignment(match.group(1)), parse_assignment(match.group(2))


# ---------------------------------------------------------------------- safe arithmetic
_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def arithmetic(text: str) -> float:
    """Evaluate + - * / over numbers only (no names, no calls)."""

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        raise AssertionError(f"unexpected syntax in {text!r}")

    return ev(ast.parse(text, mode="eval"))


def substitute(expression: str, oracle: Oracle) -> str:
    """Replace every probability symbol by its pgmpy value."""
    return SYMBOL.sub(lambda m: repr(oracle.prob(*parse_symbol(m.group(0)))), expression)


# ---------------------------------------------------------------------- brute-force twin network
class TwinNetwork:
    """Enumerates the joint inverse-CDF noise cells of every variable: V = 1 iff U_V >= P(V=0 | parents)."""

    def __init__(self, p1: Mapping[str, Mapping[tuple[int, ...], float]], parents: Mapping[str, list[str]]) -> None:
        self.p1, self.parents = p1, parents
        self.order = list(graphlib.TopologicalSorter({v: set(ps) for v, ps in parents.items()}).static_order())
        cells = {}
        for v in self.order:
            cuts = sorted({0.0, 1.0, *(1.0 - p for p in p1[v].values())})
            cells[v] = [(lo, hi - lo) for lo, hi in itertools.pairwise(cuts) if hi > lo]
        self.units = [
            (dict(zip(self.order, (c[0] for c in combo), strict=True)), float(np.prod([c[1] for c in combo])))
            for combo in itertools.product(*(cells[v] for v in self.order))
        ]

    def world(self, u: Mapping[str, float], do: Mapping[str, Any]) -> dict[str, int]:
        """One unit's values; ``do[v]`` is a state, or a callable giving the state from other worlds."""
        values: dict[str, int] = {}
        for v in self.order:
            if v in do:
                values[v] = do[v] if isinstance(do[v], int) else do[v](u)
                continue
            key = tuple(values[p] for p in self.parents[v])
            values[v] = int(u[v] >= 1.0 - self.p1[v][key])
        return values

    def expect(
        self, outcome: Callable[[Mapping[str, float]], bool], given: Callable[[Mapping[str, float]], bool]
    ) -> float:
        num = sum(w for u, w in self.units if given(u) and outcome(u))
        den = sum(w for u, w in self.units if given(u))
        return num / den


def twin_from_cpts(meta: Mapping[str, Any]) -> TwinNetwork:
    p1 = {
        v: dict(zip(itertools.product((0, 1), repeat=len(s["parents"])), s["p1"], strict=True))
        for v, s in meta["cpts"].items()
    }
    return TwinNetwork(p1, {v: list(s["parents"]) for v, s in meta["cpts"].items()})


def twin_from_text(meta: Mapping[str, Any]) -> TwinNetwork:
    """The network rebuilt from the CPT entries the question states (and nothing else)."""
    parents = {v: list(s["parents"]) for v, s in meta["cpts"].items()}
    p1: dict[str, dict[tuple[int, ...], float]] = {v: {} for v in parents}
    for symbol, value in meta["given"].items():
        event, given = parse_symbol(symbol)
        ((v, state),) = event.items()
        assert state == 1 and set(given) == set(parents[v]), symbol
        p1[v][tuple(given[p] for p in parents[v])] = value
    assert all(len(p1[v]) == 2 ** len(parents[v]) for v in parents), "the text must state every CPT entry"
    return TwinNetwork(p1, parents)


def rung3_truth(item: BenchItem) -> float:
    meta = item.meta
    x, y, m = meta["treatment"], meta["outcome"], meta["mediator"]
    net = twin_from_text(meta) if meta["query_type"] == "counterfactual" else twin_from_cpts(meta)

    def y_under(do: Mapping[str, Any]) -> Callable[[Mapping[str, float]], bool]:
        return lambda u: net.world(u, do)[y] == 1

    always = lambda u: True  # noqa: E731
    qt = meta["query_type"]
    if qt == "ett":
        treated = lambda u: net.world(u, {})[x] == 1  # noqa: E731
        return net.expect(y_under({x: 1}), treated) - net.expect(y_under({x: 0}), treated)
    if qt in ("nde", "nie"):
        mediator_at = lambda value: lambda u: net.world(u, {x: value})[m]  # noqa: E731
        crossed = {x: 1, m: mediator_at(0)} if qt == "nde" else {x: 0, m: mediator_at(1)}
        return net.expect(y_under(crossed), always) - net.expect(y_under({x: 0}), always)
    if qt == "counterfactual":
        ev = meta["detail"]["evidence"]

        def factual(u: Mapping[str, float]) -> bool:
            world = net.world(u, {})
            return world[x] == ev[x] and world[y] == ev[y]

        return net.expect(y_under({x: 1 - ev[x]}), factual)
    raise AssertionError(qt)


# ---------------------------------------------------------------------- the tests
def test_every_query_type_and_template_is_covered() -> None:
    kinds = {it.meta["query_type"] for it in items()}
    assert kinds == {
        "marginal", "correlation", "exp_away", "ate", "backadj", "collider_bias", "ett", "nde", "nie", "counterfactual",
    }  # fmt: skip
    templates = {it.meta["template"] for it in items()}
    assert len(templates) == 9


def test_stated_numbers_match_pgmpy() -> None:
    for item in items():
        oracle = oracle_for(item)
        for symbol, value in item.meta["given"].items():
            if " - P(" in symbol:  # collider bias states a difference of two conditionals
                first, second = symbol.split(" - ", 1)
                truth = oracle.prob(*parse_symbol(first)) - oracle.prob(*parse_symbol(second))
            else:
                truth = oracle.prob(*parse_symbol(symbol))
            assert abs(truth - value) <= 0.005 + 1e-9, (item.id, symbol, value, truth)


def test_rung1_values_match_pgmpy() -> None:
    checked = 0
    for item in items():
        meta, oracle = item.meta, oracle_for(item)
        x, y = meta["treatment"], meta["outcome"]
        qt = meta["query_type"]
        if qt == "marginal":
            truth = oracle.prob({y: 1})
        elif qt == "correlation":
            truth = oracle.prob({y: 1}, {x: 1}) - oracle.prob({y: 1}, {x: 0})
        elif qt == "exp_away":
            c, s = meta["detail"]["collider"], meta["detail"]["stratum"]
            truth = oracle.prob({y: 1}, {x: 1, c: s}) - oracle.prob({y: 1}, {c: s})
        else:
            continue
        assert item.exact_value == pytest.approx(truth, abs=1e-9), item.id
        checked += 1
    assert checked >= 50


def test_rung2_values_match_the_mutilated_pgmpy_model() -> None:
    invalid_differs, invalid_total = 0, 0
    for item in items():
        meta = item.meta
        if meta["rung"] != 2:
            continue
        oracle, x, y = oracle_for(item), meta["treatment"], meta["outcome"]
        ate = oracle.do_prob(y, x, 1) - oracle.do_prob(y, x, 0)
        if meta["query_type"] in ("ate", "collider_bias"):
            assert item.exact_value == pytest.approx(ate, abs=1e-9), item.id
        if meta["query_type"] == "backadj":
            detail = meta["detail"]
            assert oracle.adjusted(x, y, list(detail["valid_set"])) == pytest.approx(ate, abs=1e-9), item.id
            invalid_total += 1
            invalid_differs += abs(oracle.adjusted(x, y, list(detail["invalid_set"])) - ate) > 1e-6
            adjust_is_right = item.exact_value == 1.0
            assert adjust_is_right == bool(detail["valid_set"])
    assert invalid_total >= 10 and invalid_differs >= 0.8 * invalid_total


def test_rung3_values_match_a_brute_force_twin_network() -> None:
    checked = {"ett": 0, "nde": 0, "nie": 0, "counterfactual": 0}
    for item in items():
        if item.meta["rung"] != 3:
            continue
        assert item.exact_value == pytest.approx(rung3_truth(item), abs=1e-9), item.id
        checked[item.meta["query_type"]] += 1
    assert min(checked.values()) >= 5, checked


def test_identification_formula_reproduces_pgmpy_and_text_numbers_give_the_answer() -> None:
    """``expanded`` with pgmpy's probabilities is the exact value; ``plugged`` uses only printed numbers."""
    for item in items():
        meta = item.meta
        if meta["query_type"] in ("backadj", "collider_bias", "counterfactual"):
            continue
        oracle = oracle_for(item)
        assert arithmetic(substitute(meta["expanded"], oracle)) == pytest.approx(item.exact_value, abs=1e-9)
        printed = {f"{v:.2f}" for v in meta["given"].values()} | {"1"}
        numbers = re.findall(r"\d+(?:\.\d+)?", meta["plugged"])
        assert set(numbers) <= printed, (item.id, numbers, printed)
        from_text = arithmetic(meta["plugged"])
        assert (from_text > meta["threshold"]) == (item.exact_value > meta["threshold"]), item.id
