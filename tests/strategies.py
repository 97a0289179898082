"""Hypothesis strategies shared by the test suite (importable as ``strategies``: tests/ is on pythonpath)."""

from __future__ import annotations

from hypothesis import strategies as st

from causalbridge.graph import CausalGraph


@st.composite
def dags(draw: st.DrawFn, min_nodes: int = 1, max_nodes: int = 7) -> CausalGraph:
    """A random DAG: a random order of nodes, then each forward pair is an edge with probability 1/2."""
    n = draw(st.integers(min_nodes, max_nodes))
    names = [f"v{i}" for i in range(n)]
    order = draw(st.permutations(names))
    edges = [(order[i], order[j]) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())]
    return CausalGraph.dag(edges, nodes=names)
