"""The layered layout: causes above effects, no overlaps, long edges bent around nodes, few crossings."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causalbridge.report.layout import DUMMY_GAP, NODE_GAP, Layout, layered_layout

WIDTH = 50.0


def _layer_y(layout: Layout, name: str) -> float:
    return layout.positions[name][1]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str, bool]]]:
    n = draw(st.integers(1, 9))
    nodes = [f"v{i}" for i in range(n)]
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=14, unique_by=lambda p: frozenset(p))) if pairs else []
    edges = [(nodes[a], nodes[b], draw(st.booleans())) for a, b in chosen]
    return nodes, edges


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_every_edge_goes_down_except_those_closing_a_cycle(graph: tuple[list[str], list]) -> None:
    nodes, edges = graph
    layout = layered_layout(nodes, edges, {n: WIDTH for n in nodes})
    assert set(layout.positions) == set(nodes)
    downward = 0
    for (u, v, _), route in zip(edges, layout.routes, strict=True):
        yu, yv = _layer_y(layout, u), _layer_y(layout, v)
        assert yu != yv, "no edge may run inside one layer"
        # one bend point per layer crossed, each on its own layer between the two ends
        assert len(route) == round(abs(yv - yu) / 92.0) - 1
        ys = [yu, *(p[1] for p in route), yv]
        assert ys == sorted(ys) or ys == sorted(ys, reverse=True)
        downward += yu < yv
    directed = [(u, v) for u, v, d in edges if d]
    if not _has_cycle(nodes, directed):
        assert all(_layer_y(layout, u) < _layer_y(layout, v) for u, v in directed)


@settings(max_examples=60, deadline=None)
@given(graphs(), st.lists(st.integers(20, 160), min_size=9, max_size=9))
def test_nodes_in_a_layer_never_overlap(graph: tuple[list[str], list], sizes: list[int]) -> None:
    nodes, edges = graph
    widths = {n: float(w) for n, w in zip(nodes, sizes, strict=False)}
    layout = layered_layout(nodes, edges, widths)
    for layer in layout.layers:
        xs = sorted((layout.positions[n][0], widths[n]) for n in layer)
        for (x1, w1), (x2, w2) in zip(xs, xs[1:], strict=False):
            assert x2 - x1 >= (w1 + w2) / 2 + min(NODE_GAP, DUMMY_GAP) - 1e-6
    lefts = [layout.positions[n][0] - widths[n] / 2 for n in nodes]
    rights = [layout.positions[n][0] + widths[n] / 2 for n in nodes]
    assert min(lefts) >= 0 and max(rights) <= layout.width + 1e-6


def _has_cycle(nodes: list[str], edges: list[tuple[str, str]]) -> bool:
    children: dict[str, list[str]] = {n: [] for n in nodes}
    for u, v in edges:
        children[u].append(v)
    state: dict[str, int] = {}

    def visit(v: str) -> bool:
        state[v] = 1
        for c in children[v]:
            if state.get(c) == 1 or (c not in state and visit(c)):
                return True
        state[v] = 2
        return False

    return any(n not in state and visit(n) for n in nodes)


def test_a_cycle_still_gets_layers_and_keeps_its_edges() -> None:
    nodes = ["a", "b", "c"]
    edges = [("a", "b", True), ("b", "c", True), ("c", "a", True)]
    layout = layered_layout(nodes, edges, {n: WIDTH for n in nodes})
    assert len({layout.positions[n][1] for n in nodes}) == 3
    assert len(layout.routes) == 3


def test_the_barycentre_order_removes_crossings_a_declaration_order_would_make() -> None:
    # declared so that a naive left-to-right order crosses every pair: a1->b3, a2->b2, a3->b1
    nodes = ["a1", "a2", "a3", "b1", "b2", "b3"]
    edges = [("a1", "b3", True), ("a2", "b2", True), ("a3", "b1", True)]
    layout = layered_layout(nodes, edges, {n: WIDTH for n in nodes})
    assert layout.crossings == 0
    x = {n: layout.positions[n][0] for n in nodes}
    assert (x["a1"] < x["a2"] < x["a3"]) == (x["b3"] < x["b2"] < x["b1"])


def test_crossings_reported_match_the_drawing() -> None:
    rng = random.Random(3)
    nodes = [f"n{i}" for i in range(12)]
    edges = [(nodes[a], nodes[b], True) for a in range(12) for b in range(a + 1, 12) if rng.random() < 0.25]
    layout = layered_layout(nodes, edges, {n: WIDTH for n in nodes})
    segments = []
    for (u, v, _), route in zip(edges, layout.routes, strict=True):
        points = [layout.positions[u], *route, layout.positions[v]]
        segments += [(a, b) if a[1] < b[1] else (b, a) for a, b in zip(points, points[1:], strict=False)]
    counted = 0
    for i, (p1, p2) in enumerate(segments):
        for q1, q2 in segments[i + 1 :]:
            if p1[1] == q1[1] and p2[1] == q2[1] and (p1[0] - q1[0]) * (p2[0] - q2[0]) < 0:
                counted += 1
    assert counted == layout.crossings
    assert layout.crossings <= 12  # far below the few dozen of a random order


def test_the_layout_is_deterministic() -> None:
    nodes = ["x", "y", "z", "w"]
    edges = [("x", "y", True), ("x", "z", False), ("z", "w", True), ("y", "w", True)]
    first = layered_layout(nodes, edges, {n: 40.0 for n in nodes})
    assert first == layered_layout(nodes, edges, {n: 40.0 for n in nodes})


@pytest.mark.parametrize("nodes", [[], ["alone"]])
def test_empty_and_single_node_graphs(nodes: list[str]) -> None:
    layout = layered_layout(nodes, [], {n: WIDTH for n in nodes})
    assert layout.crossings == 0 and layout.width >= 0 and len(layout.positions) == len(nodes)
