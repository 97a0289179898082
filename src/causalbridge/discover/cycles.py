"""Repairing cycles in a model's answer: remove the least-confident arrow of each cycle until none is left.

A language model asked about pairs one at a time can answer a -> b, b -> c and c -> a; no DAG holds all three,
so one must go. Dropping the arrow the model was least sure of loses the least of what it said. Ties are broken
by name so that the repair is deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping

from causalbridge.graph import CausalGraph

Arrow = tuple[str, str]


def repair_cycles(graph: CausalGraph, confidence: Mapping[Arrow, float | None]) -> tuple[CausalGraph, list[Arrow]]:
    """The graph with the least-confident arrow of each directed cycle removed, and the removed arrows in order.

    ``confidence`` maps ``(u, v)`` to the probability of ``u -> v``; a missing or None value counts as 0.
    """
    removed: list[Arrow] = []
    cycle = graph.find_cycle()
    while cycle is not None:
        arrows = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
        weakest = min(arrows, key=lambda arrow: (confidence.get(arrow) or 0.0, arrow))
        graph = graph.remove_edge(*weakest)
        removed.append(weakest)
        cycle = graph.find_cycle()
    return graph, removed
