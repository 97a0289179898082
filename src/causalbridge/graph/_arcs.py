"""Shared by the converters: how two arcs between one pair of nodes combine into one edge."""

from __future__ import annotations

from collections.abc import Sequence

from causalbridge.errors import GraphError
from causalbridge.graph.core import Edge


def _merge(u: str, v: str, arcs: Sequence[Edge], where: str | None) -> Edge:
    """One edge from everything a format said about the pair {u, v}; opposite plain arrows mean ``u -- v``."""
    found = {e.canonical() for e in arcs}
    if len(found) == 1:
        return found.pop()
    undirected, both_ways = Edge.undirected(u, v), {Edge.directed(u, v), Edge.directed(v, u)}
    if found <= both_ways | {undirected} and both_ways <= found:
        return undirected
    shown = ", ".join(sorted(str(e) for e in found))
    raise GraphError(f"conflicting edges between {u!r} and {v!r}: {shown}", where)


def _pair(pair: frozenset[str]) -> tuple[str, str]:
    u, v = sorted(pair)
    return u, v


# ---------------------------------------------------------------------------------------------- networkx
