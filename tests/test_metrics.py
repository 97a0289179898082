"""Metrics: hand-worked graphs, causal-learn's SHD and statsmodels' Wilson interval as independent references."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.errors import GraphError, InputError
from causalbridge.graph import CausalGraph, Edge, Mark
from causalbridge.metrics import (
    PRF,
    accuracy_with_interval,
    directed_scores,
    expected_calibration_error,
    shd,
    skeleton_scores,
    wilson_interval,
)
from strategies import dags


def G(directed: list[tuple[str, str]], undirected: list[tuple[str, str]] | None = None) -> CausalGraph:
    return CausalGraph.from_edges(directed=directed, undirected=undirected or [], nodes=["a", "b", "c", "d"])


TRUTH = G([("a", "b"), ("b", "c"), ("a", "d")])
# reversed a-b, b-c left undirected, spurious c->d, missing a->d: one unit of SHD each
ESTIMATE = G([("b", "a"), ("c", "d")], [("b", "c")])


def test_shd_hand_worked() -> None:
    assert shd(ESTIMATE, TRUTH) == 4
    assert shd(TRUTH, TRUTH) == 0
    assert shd(G([("b", "a"), ("b", "c"), ("a", "d")]), TRUTH) == 1  # a reversal costs 1, not 2
    assert shd(G([]), TRUTH) == 3 and shd(TRUTH, G([])) == 3


def test_shd_against_cpdag() -> None:
    chain = G([("a", "b"), ("b", "c")])  # its CPDAG is a -- b -- c: no arrow is identifiable
    assert shd(G([], [("a", "b"), ("b", "c")]), chain) == 2
    assert shd(G([], [("a", "b"), ("b", "c")]), chain, against="cpdag") == 0
    assert shd(chain, chain, against="cpdag") == 2
    collider = G([("a", "c"), ("b", "c"), ("c", "d")])  # every arrow compelled (c -> d by Meek R1)
    assert shd(collider, collider, against="cpdag") == 0
    assert shd(G([], [("a", "c"), ("b", "c"), ("c", "d")]), collider, against="cpdag") == 3
    with pytest.raises(InputError, match="against") as info:
        shd(chain, chain, against="pag")  # type: ignore[arg-type]
    assert info.value.where == "against"


def test_scores_hand_worked() -> None:
    skel = skeleton_scores(ESTIMATE, TRUTH)
    assert (skel.tp, skel.fp, skel.fn) == (2, 1, 1)
    assert skel.precision == pytest.approx(2 / 3) and skel.recall == pytest.approx(2 / 3)
    assert skel.f1 == pytest.approx(2 / 3)
    directed = directed_scores(ESTIMATE, TRUTH)
    assert directed == PRF(0.0, 0.0, 0.0, tp=0, fp=2, fn=3)
    half = directed_scores(G([("a", "b")], [("b", "c")]), TRUTH)  # one right arrow, one abstention
    assert (half.tp, half.fp, half.fn) == (1, 0, 2)
    assert half.precision == 1.0 and half.recall == pytest.approx(1 / 3) and half.f1 == pytest.approx(0.5)


def test_directed_scores_against_cpdag_ignore_unidentifiable_arrows() -> None:
    chain = G([("a", "b"), ("b", "c")])
    assert directed_scores(chain, chain, against="cpdag") == PRF(0.0, 0.0, 0.0, tp=0, fp=2, fn=0)
    undirected = G([], [("a", "b"), ("b", "c")])
    assert directed_scores(undirected, chain, against="cpdag") == PRF(0.0, 0.0, 0.0, tp=0, fp=0, fn=0)


def test_empty_graphs_score_zero_not_nan() -> None:
    empty = G([])
    for score in (skeleton_scores(empty, empty), directed_scores(empty, empty), skeleton_scores(empty, TRUTH)):
        assert (score.precision, score.recall, score.f1) == (0.0, 0.0, 0.0)
    assert skeleton_scores(empty, TRUTH).fn == 3
    assert shd(empty, empty) == 0


def test_graphs_must_share_variables() -> None:
    other = CausalGraph.dag([("a", "b")], nodes=["a", "b", "c", "x"])
    for metric in (shd, skeleton_scores, directed_scores):
        with pytest.raises(GraphError, match=r"only in the estimate: \['x'\]; only in the truth: \['d'\]"):
            metric(other, TRUTH)


@st.composite
def graph_pairs(draw: st.DrawFn) -> tuple[CausalGraph, CausalGraph]:
    """Two graphs on the same variables (declared in different orders), with any edge marks."""
    n = draw(st.integers(1, 6))
    nodes = [f"v{i}" for i in range(n)]
    options = [None, *itertools.product(Mark, repeat=2)]

    def one() -> CausalGraph:
        edges = []
        for u, v in itertools.combinations(nodes, 2):
            marks = draw(st.sampled_from(options))
            if marks is not None:
                edges.append(Edge(u, v, *marks))
        return CausalGraph(draw(st.permutations(nodes)), edges)

    return one(), one()


@settings(max_examples=80, deadline=None)
@given(graph_pairs())
def test_shd_equals_causallearn_shd(pair: tuple[CausalGraph, CausalGraph]) -> None:
    """causal-learn's SHD also counts one per node pair whose endpoints differ, so the two agree exactly."""
    from causallearn.graph.SHD import SHD

    estimated, truth = pair
    assert shd(estimated, truth) == SHD(truth.to_causallearn(), estimated.to_causallearn()).get_shd()
    assert shd(estimated, truth) == shd(truth, estimated)
    skel = skeleton_scores(estimated, truth)
    shared_but_different = sum(
        1 for p in estimated.skeleton() & truth.skeleton() if estimated.edge(*sorted(p)) != truth.edge(*sorted(p))
    )
    assert shd(estimated, truth) == skel.fp + skel.fn + shared_but_different


@settings(max_examples=60, deadline=None)
@given(dags(max_nodes=6))
def test_shd_against_cpdag_laws(dag: CausalGraph) -> None:
    cp = dag.cpdag()
    assert shd(cp, dag, against="cpdag") == 0
    assert shd(dag, dag, against="cpdag") == len(cp.undirected_edges)  # each unidentifiable arrow costs 1
    assert shd(cp, dag) == len(cp.undirected_edges)
    assert directed_scores(dag, dag, against="cpdag").fp == len(cp.undirected_edges)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), st.floats(0.5, 0.999))
def test_wilson_matches_statsmodels_everywhere(kn: tuple[int, int], confidence: float) -> None:
    from statsmodels.stats.proportion import proportion_confint

    ref = proportion_confint(kn[0], kn[1], alpha=1 - confidence, method="wilson")
    assert wilson_interval(kn[0], kn[1], confidence) == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (7, 13), (500, 1000), (1, 2000)])
def test_wilson_matches_statsmodels(k: int, n: int, confidence: float) -> None:
    from statsmodels.stats.proportion import proportion_confint

    low, high = wilson_interval(k, n, confidence)
    ref_low, ref_high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    assert low == pytest.approx(ref_low, abs=1e-12) and high == pytest.approx(ref_high, abs=1e-12)
    assert 0.0 <= low <= k / n <= high <= 1.0


def test_wilson_by_hand() -> None:
    # k=8, n=10, z=1.959964: centre (0.8 + z^2/20) / (1 + z^2/10), half-width z*sqrt(.016 + z^2/400) / (1 + z^2/10)
    z = 1.959963984540054
    denom = 1 + z * z / 10
    centre, half = (0.8 + z * z / 20) / denom, z * math.sqrt(0.016 + z * z / 400) / denom
    assert wilson_interval(8, 10) == pytest.approx((centre - half, centre + half))
    assert wilson_interval(np.int64(8), np.int64(10)) == wilson_interval(8, 10)


@pytest.mark.parametrize(
    ("args", "where"),
    [
        ((1, 0), "n"),
        ((5, 4), "successes"),
        ((-1, 4), "successes"),
        ((1.5, 4), "successes"),
        ((True, 4), "successes"),
        ((1, 4, 1.0), "confidence"),
        ((1, 4, 0.0), "confidence"),
    ],
)
def test_wilson_rejects_bad_input(args: tuple[float, ...], where: str) -> None:
    with pytest.raises(InputError) as info:
        wilson_interval(*args)  # type: ignore[arg-type]
    assert info.value.where == where


def test_accuracy_with_interval() -> None:
    acc = accuracy_with_interval([True, True, False, True])
    assert acc.accuracy == 0.75 and (acc.correct, acc.n, acc.confidence) == (3, 4, 0.95)
    assert (acc.low, acc.high) == wilson_interval(3, 4)
    assert accuracy_with_interval(np.array([True, False]), confidence=0.9).high == wilson_interval(1, 2, 0.9)[1]
    with pytest.raises(InputError, match="at least one"):
        accuracy_with_interval([])
    with pytest.raises(InputError, match="item 1"):
        accuracy_with_interval([True, 1])  # type: ignore[list-item]


def test_expected_calibration_error_by_hand() -> None:
    # bin [0.1, 0.2): outcome mean 0.5 vs 0.1 -> 0.4 x 1/2; bin [0.9, 1]: 1 vs 0.9 -> 0.1 x 1/2
    assert expected_calibration_error([0.1, 0.1, 0.9, 0.9], [0, 1, 1, 1]) == pytest.approx(0.25)
    assert expected_calibration_error([0.5, 0.5], [True, False]) == 0.0
    assert expected_calibration_error([1.0, 0.0], [1, 0]) == 0.0  # p = 1 falls in the last bin
    assert expected_calibration_error([0.2, 0.8], [1, 1], bins=1) == pytest.approx(0.5)
    # the value depends on B: 0.1 and 0.3 share a bin when B=2 (|0.5 - 0.2|) but not when B=10
    assert expected_calibration_error([0.1, 0.3], [0, 1], bins=2) == pytest.approx(0.3)
    assert expected_calibration_error([0.1, 0.3], [0, 1], bins=10) == pytest.approx(0.05 + 0.35)


@pytest.mark.parametrize(
    ("probs", "outcomes", "bins", "where"),
    [
        ([], [], 10, "probs"),
        ([0.5], [1, 0], 10, "probs"),
        ([1.5], [1], 10, "probs"),
        ([float("nan")], [1], 10, "probs"),
        ([0.5], [2], 10, "outcomes"),
        ([0.5], [1], 0, "bins"),
        (["high"], [1], 10, "probs"),
    ],
)
def test_expected_calibration_error_rejects_bad_input(
    probs: list[float], outcomes: list[int], bins: int, where: str
) -> None:
    with pytest.raises(InputError) as info:
        expected_calibration_error(probs, outcomes, bins)
    assert info.value.where == where
