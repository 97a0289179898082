"""Hard causal knowledge (required and forbidden edges, tiers), its checks, and its enforcement on a result.

Knowledge enters a search as causal-learn background knowledge, but causal-learn does not enforce it strictly
in every case (causal-learn issue #224: Meek's rules or collider orientation can reverse a required edge), and
GES takes none at all. So every method verifies each hard constraint on its output with :meth:`Knowledge.verify`
and repairs what it can with :func:`enforce`, reporting both: a constraint is never silently dropped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from causalbridge.errors import CycleError, GraphError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph, Edge, Mark, apply_meek

Pair = tuple[str, str]
ViolationKind = Literal["missing", "reversed", "unoriented", "forbidden", "tier"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One hard constraint that a graph breaks: ``kind`` says how, ``(u, v)`` is the constrained arrow."""

    kind: ViolationKind
    u: str
    v: str

    def __str__(self) -> str:
        what = {
            "missing": "required edge {u} -> {v} is missing",
            "reversed": "required edge {u} -> {v} is reversed",
            "unoriented": "required edge {u} -> {v} is not oriented",
            "forbidden": "forbidden edge {u} -> {v} is present or allowed",
            "tier": "edge {u} -> {v} points from a later tier into an earlier one",
        }[self.kind]
        return what.format(u=self.u, v=self.v)


@dataclass(frozen=True)
class Knowledge:
    """Required arrows, forbidden arrows and tiers (tier 0 first; no arrow may point into an earlier tier).

    ``source`` is who knows this ("user" or "llm"); it becomes the provenance of the edges it forces.
    Construction checks that the constraints are consistent: no arrow both required and forbidden, and no
    directed cycle among the required arrows (a :class:`CycleError` naming it).
    """

    required: tuple[Pair, ...] = ()
    forbidden: tuple[Pair, ...] = ()
    tiers: tuple[tuple[str, ...], ...] = ()
    source: str = "user"

    def __post_init__(self) -> None:
        object.__setattr__(self, "required", _pairs(self.required, "required"))
        object.__setattr__(self, "forbidden", _pairs(self.forbidden, "forbidden"))
        object.__setattr__(self, "tiers", tuple(tuple(str(n) for n in tier) for tier in self.tiers))
        seen: dict[str, int] = {}
        for level, tier in enumerate(self.tiers):
            for name in tier:
                if name in seen:
                    raise InputError(f"variable {name!r} is in tiers {seen[name]} and {level}", where="tiers")
                seen[name] = level
        both = sorted(set(self.required) & set(self.forbidden))
        if both:
            raise InputError(f"edge {both[0][0]} -> {both[0][1]} is both required and forbidden", where="knowledge")
        against_tiers = [(u, v) for u, v in self.required if self.tier_forbids(u, v)]
        if against_tiers:
            u, v = against_tiers[0]
            raise InputError(f"required edge {u} -> {v} points into an earlier tier", where="knowledge")
        both_ways = [(u, v) for u, v in self.required if (v, u) in self.required]
        if both_ways:
            raise CycleError(list(both_ways[0]), where="required edges")
        if self.required:
            graph = CausalGraph.from_edges(directed=self.required)
            cycle = graph.find_cycle()
            if cycle is not None:
                raise CycleError(cycle, where="required edges")

    # ------------------------------------------------------------------ queries
    @property
    def is_empty(self) -> bool:
        return not (self.required or self.forbidden or self.tiers)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(
            [n for pair in (*self.required, *self.forbidden) for n in pair] + [n for t in self.tiers for n in t]
        )

    def tier_of(self, name: str) -> int | None:
        for level, tier in enumerate(self.tiers):
            if name in tier:
                return level
        return None

    def tier_forbids(self, u: str, v: str) -> bool:
        """True when ``u`` sits in a later tier than ``v`` (so ``u -> v`` is not allowed)."""
        tu, tv = self.tier_of(u), self.tier_of(v)
        return tu is not None and tv is not None and tu > tv

    def is_forbidden(self, u: str, v: str) -> bool:
        return (u, v) in self.forbidden or self.tier_forbids(u, v)

    def check_names(self, names: Sequence[str], where: str = "knowledge") -> None:
        """Raise :class:`UnknownVariableError` for the first constrained name that is not a variable."""
        known = set(names)
        for name in sorted(self.names):
            if name not in known:
                raise UnknownVariableError(name, list(names), where=where)

    def merged(self, other: Knowledge) -> Knowledge:
        """Both sets of constraints (this one's tiers win when both have tiers)."""
        return Knowledge(
            tuple(dict.fromkeys((*self.required, *other.required))),
            tuple(dict.fromkeys((*self.forbidden, *other.forbidden))),
            self.tiers or other.tiers,
            self.source,
        )

    # ------------------------------------------------------------------ checks
    def verify(self, graph: CausalGraph) -> list[Violation]:
        """Every constraint ``graph`` breaks. An undirected edge that allows a forbidden arrow counts."""
        out: list[Violation] = []
        for u, v in self.required:
            edge = graph.edge(u, v)
            if edge is None:
                out.append(Violation("missing", u, v))
            elif graph.has_edge(v, u):
                out.append(Violation("reversed", u, v))
            elif not graph.has_edge(u, v):
                out.append(Violation("unoriented", u, v))
        for e in graph.edges:
            for a, b in ((e.u, e.v), (e.v, e.u)):
                if self.is_forbidden(a, b) and allows_arrow(e, a, b):
                    kind: ViolationKind = "forbidden" if (a, b) in self.forbidden else "tier"
                    out.append(Violation(kind, a, b))
        return out

    def to_causallearn(self, names: Sequence[str]) -> Any:
        """causal-learn ``BackgroundKnowledge`` over nodes named like the data columns (PC and FCI take it)."""
        from causallearn.graph.GraphNode import GraphNode
        from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

        self.check_names(names)
        bk = BackgroundKnowledge()
        nodes = {n: GraphNode(n) for n in names}
        for u, v in self.required:
            bk.add_required_by_node(nodes[u], nodes[v])
        for u, v in self.forbidden:
            bk.add_forbidden_by_node(nodes[u], nodes[v])
        for level, tier in enumerate(self.tiers):
            for name in tier:
                bk.add_node_to_tier(nodes[name], level)
        return bk


def allows_arrow(edge: Edge, a: str, b: str) -> bool:
    """Whether ``edge`` is, or may stand for, ``a -> b``: directed that way, undirected, or a PAG edge whose
    circle marks leave it open. A bidirected edge says neither causes the other, so it allows no arrow."""
    if edge.is_undirected:
        return True
    return edge.mark_at(a) is not Mark.ARROW and edge.mark_at(b) is not Mark.TAIL


def _pairs(raw: Iterable[Sequence[str]], what: str) -> tuple[Pair, ...]:
    out: list[Pair] = []
    for item in raw:
        if isinstance(item, str) or len(item) != 2:
            raise InputError(f"each {what} edge is a (cause, effect) pair, got {item!r}", where="knowledge")
        u, v = str(item[0]), str(item[1])
        if u == v:
            raise GraphError(f"{what} edge {u} -> {u} is a self-loop", where="knowledge")
        out.append((u, v))
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class Enforcement:
    """What :func:`enforce` did: the repaired graph, the arrows it forced, and what it could not repair."""

    graph: CausalGraph
    forced: tuple[Pair, ...]
    removed: tuple[Pair, ...]
    propagated: tuple[Pair, ...]
    found: tuple[Violation, ...]
    unresolved: tuple[Violation, ...]

    def notes(self) -> list[str]:
        lines = [f"constraint violated by the search and repaired: {v}" for v in self.found if v not in self.unresolved]
        lines += [f"constraint still violated after repair: {v}" for v in self.unresolved]
        lines += [f"removed {u} -> {v} to satisfy the constraints" for u, v in self.removed]
        return lines


def enforce(graph: CausalGraph, knowledge: Knowledge) -> Enforcement:
    """Make ``graph`` satisfy ``knowledge``: add or orient required arrows, turn forbidden ones around (or drop
    an edge forbidden both ways), then close a PDAG under Meek's rules so the forced arrows propagate.

    The repair never adds a cycle: a reversal that would close one is skipped and reported as unresolved.
    """
    found = knowledge.verify(graph)
    if not found:
        return Enforcement(graph, (), (), (), (), ())
    g = graph
    forced: list[Pair] = []
    removed: list[Pair] = []
    for u, v in knowledge.required:
        if not g.has_edge(u, v):
            g = g.with_edges(remove=[(u, v)], add=[Edge.directed(u, v)])
            forced.append((u, v))
    g, broken = _break_cycles(g, set(knowledge.required))
    removed.extend(broken)
    for violation in knowledge.verify(g):
        a, b = violation.u, violation.v
        if violation.kind not in ("forbidden", "tier"):
            continue
        if knowledge.is_forbidden(b, a):
            g = g.remove_edge(a, b)
            removed.append((a, b))
            continue
        candidate = g.with_edges(remove=[(a, b)], add=[Edge.directed(b, a)])
        if candidate.find_cycle() is None:
            g = candidate
            forced.append((b, a))
    propagated: list[Pair] = []
    if g.is_pdag:
        closed = apply_meek(g)
        propagated = sorted(set(closed.directed_edges) - set(g.directed_edges))
        g = closed
    unresolved = tuple(knowledge.verify(g))
    return Enforcement(g, tuple(forced), tuple(removed), tuple(propagated), tuple(found), unresolved)


def _break_cycles(graph: CausalGraph, keep: set[Pair]) -> tuple[CausalGraph, list[Pair]]:
    """Remove, from each directed cycle, its first arrow that no constraint requires (required arrows are
    acyclic by construction, so every cycle has one)."""
    removed: list[Pair] = []
    cycle = graph.find_cycle()
    while cycle is not None:
        arrows = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
        u, v = next(arrow for arrow in arrows if arrow not in keep)
        graph = graph.remove_edge(u, v)
        removed.append((u, v))
        cycle = graph.find_cycle()
    return graph, removed


_KINDS = {"->": "required", "required": "required", "!->": "forbidden", "forbidden": "forbidden"}


def read_knowledge(path: str | Path, names: Sequence[str] | None = None) -> Knowledge:
    """Known edges from a CSV file with the header ``source,target`` or ``source,target,kind``.

    ``kind`` is ``->``/``required`` (the default) or ``!->``/``forbidden``. Every problem is an
    :class:`InputError` naming ``file:line``; unknown variables (when ``names`` is given) name the line too, and
    required edges that form a cycle raise :class:`CycleError` naming the cycle and the file.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError("known-edges file not found", where=str(file))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the known-edges file: {exc}", where=str(file)) from None
    rows = [(i, [c.strip() for c in row]) for i, row in enumerate(csv.reader(io.StringIO(text)), 1)]
    rows = [(i, row) for i, row in rows if any(row) and not row[0].startswith("#")]
    if not rows:
        raise InputError("the known-edges file is empty", where=str(file))
    header_line, header = rows[0][0], [h.lower() for h in rows[0][1]]
    if header not in (["source", "target"], ["source", "target", "kind"]):
        raise InputError(
            f"expected the header 'source,target' or 'source,target,kind', got {','.join(rows[0][1])!r}",
            where=f"{file}:{header_line}",
        )
    required: list[Pair] = []
    forbidden: list[Pair] = []
    for line, row in rows[1:]:
        where = f"{file}:{line}"
        if len(row) < 2 or len(row) > len(header) or not row[0] or not row[1]:
            raise InputError(f"expected {','.join(header)}, got {','.join(row)!r}", where=where)
        kind = _KINDS.get(row[2].lower() if len(row) == 3 and row[2] else "->")
        if kind is None:
            raise InputError(f"unknown kind {row[2]!r} (use ->, required, !-> or forbidden)", where=where)
        for name in row[:2]:
            if names is not None and name not in names:
                raise UnknownVariableError(name, list(names), where=where)
        if row[0] == row[1]:
            raise GraphError(f"edge {row[0]} -> {row[0]} is a self-loop", where=where)
        (required if kind == "required" else forbidden).append((row[0], row[1]))
    try:
        return Knowledge(tuple(required), tuple(forbidden))
    except CycleError as exc:
        raise CycleError(exc.cycle, where=f"{file}: required edges") from None
    except InputError as exc:
        raise InputError(exc.detail, where=str(file)) from None


def parse_tiers(text: str, names: Sequence[str] | None = None) -> tuple[tuple[str, ...], ...]:
    """``"smoke,asia;tub,lung;dysp"`` -> three tiers (earliest first); unknown names raise."""
    tiers = []
    for level, chunk in enumerate(text.split(";")):
        tier = tuple(n.strip() for n in chunk.split(",") if n.strip())
        if not tier:
            raise InputError(f"tier {level} is empty", where="--tiers")
        for name in tier:
            if names is not None and name not in names:
                raise UnknownVariableError(name, list(names), where="--tiers")
        tiers.append(tier)
    return tuple(tiers)
