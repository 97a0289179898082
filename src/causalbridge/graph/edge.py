"""Edges and their end marks: the vocabulary every graph in causalbridge is written in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from causalbridge.errors import UnknownVariableError


class Mark(Enum):
    """The mark at one end of an edge."""

    TAIL = "-"
    ARROW = ">"
    CIRCLE = "o"


_MARK_ORDER = {Mark.TAIL: 0, Mark.CIRCLE: 1, Mark.ARROW: 2}


@dataclass(frozen=True, slots=True)
class Edge:
    """An edge between ``u`` and ``v`` with ``mark_u`` at u's end and ``mark_v`` at v's end.

    Build edges with :meth:`directed`, :meth:`undirected` or :meth:`bidirected`; graphs store them in a
    canonical orientation (``a -> b`` never as ``b <- a``) so that equal graphs have equal edge sets.
    """

    u: str
    v: str
    mark_u: Mark = Mark.TAIL
    mark_v: Mark = Mark.ARROW

    @classmethod
    def directed(cls, u: str, v: str) -> Edge:
        return cls(u, v, Mark.TAIL, Mark.ARROW)

    @classmethod
    def undirected(cls, u: str, v: str) -> Edge:
        return cls(u, v, Mark.TAIL, Mark.TAIL).canonical()

    @classmethod
    def bidirected(cls, u: str, v: str) -> Edge:
        return cls(u, v, Mark.ARROW, Mark.ARROW).canonical()

    @property
    def is_directed(self) -> bool:
        return {self.mark_u, self.mark_v} == {Mark.TAIL, Mark.ARROW}

    @property
    def is_undirected(self) -> bool:
        return self.mark_u is Mark.TAIL and self.mark_v is Mark.TAIL

    @property
    def is_bidirected(self) -> bool:
        return self.mark_u is Mark.ARROW and self.mark_v is Mark.ARROW

    @property
    def nodes(self) -> frozenset[str]:
        return frozenset((self.u, self.v))

    def mark_at(self, node: str) -> Mark:
        if node == self.u:
            return self.mark_u
        if node == self.v:
            return self.mark_v
        raise UnknownVariableError(node, [self.u, self.v], where=f"edge {self}")

    def other(self, node: str) -> str:
        return self.v if node == self.u else self.u

    def reversed(self) -> Edge:
        return Edge(self.v, self.u, self.mark_v, self.mark_u)

    def canonical(self) -> Edge:
        """The same edge, written so that the stronger mark is at ``v`` (ties broken by name)."""
        ou, ov = _MARK_ORDER[self.mark_u], _MARK_ORDER[self.mark_v]
        if ou > ov or (ou == ov and self.u > self.v):
            return self.reversed()
        return self

    def __str__(self) -> str:
        left = {Mark.TAIL: "-", Mark.ARROW: "<", Mark.CIRCLE: "o"}[self.mark_u]
        right = {Mark.TAIL: "-", Mark.ARROW: ">", Mark.CIRCLE: "o"}[self.mark_v]
        return f"{self.u} {left}-{right} {self.v}"


EdgeLike = Edge | tuple[str, str]


def _key(e: Edge) -> tuple[frozenset[str], bool]:
    """Edges are keyed by their pair and whether they are bidirected, so a directed and a bidirected edge coexist."""
    return (e.nodes, e.is_bidirected)
