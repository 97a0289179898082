"""Applying orientation decisions to a PDAG safely: most confident first, Meek-propagated, never a new
v-structure or a cycle, never against a hard constraint.

A v-structure a -> c <- b is a claim the data tested (a and c dependent given b, and so on); an orientation
that creates a new one would contradict the independences the data algorithm found, so the model may only
choose among the DAGs the data allows, or turn around an arrow when its evidence beats the data's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from causalbridge.discover.knowledge import Knowledge
from causalbridge.discover.result import EdgeInfo, Provenance
from causalbridge.errors import GraphError
from causalbridge.graph import CausalGraph, Edge, apply_meek, dag_extension, v_structures

Arrow = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Decision:
    """The evidence about one edge. ``(u, v)`` is the data's arrow when ``data_says``, else the sorted pair;
    ``p_forward`` is the posterior probability of ``u -> v``."""

    u: str
    v: str
    p_forward: float
    data_says: bool
    votes: tuple[int, ...]
    prompts: tuple[str, ...]

    def proposal(self, threshold: float) -> tuple[Arrow, float] | None:
        """The arrow to draw and its probability, or None when the evidence does not reach ``threshold``."""
        if not self.data_says and self.p_forward >= threshold:
            return (self.u, self.v), self.p_forward
        if 1.0 - self.p_forward >= threshold:
            return (self.v, self.u), 1.0 - self.p_forward
        return None


@dataclass
class Applied:
    """The outcome: the new graph, the provenance of every edge the model decided, and what was skipped."""

    graph: CausalGraph
    decided: dict[frozenset[str], EdgeInfo] = field(default_factory=dict)
    oriented: list[Arrow] = field(default_factory=list)
    flipped: list[Arrow] = field(default_factory=list)
    confirmed: list[Arrow] = field(default_factory=list)
    propagated: list[Arrow] = field(default_factory=list)
    rejected: list[tuple[Arrow, str]] = field(default_factory=list)
    undecided: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "oriented_by_llm": len(self.oriented),
            "flipped_by_llm": len(self.flipped),
            "confirmed_by_llm": len(self.confirmed),
            "propagated_by_meek": len(self.propagated),
            "rejected_orientations": len(self.rejected),
            "left_to_the_data": self.undecided,
        }

    def notes(self) -> list[str]:
        lines = [
            f"the model oriented {len(self.oriented)} undirected edge(s), turned {len(self.flipped)} data arrow(s) "
            f"around and confirmed {len(self.confirmed)}; Meek's rules oriented {len(self.propagated)} more; "
            f"{self.undecided} questioned edge(s) kept the data's answer (evidence too weak)"
        ]
        lines += [f"orientation {u} -> {v} skipped: {why}" for (u, v), why in self.rejected]
        return lines


def normalise(graph: CausalGraph) -> tuple[CausalGraph, list[str]]:
    """A PDAG to orient: PC's conflict edges (``<->``) become undirected, then Meek's rules close it."""
    notes: list[str] = []
    if graph.bidirected_edges:
        pairs = graph.bidirected_edges
        graph = graph.with_edges(remove=[Edge.bidirected(u, v) for u, v in pairs])
        graph = graph.with_edges(add=[Edge.undirected(u, v) for u, v in pairs if not graph.is_adjacent(u, v)])
        notes.append(f"{len(pairs)} conflicting (bidirected) data edge(s) treated as undirected")
    if graph.find_cycle() is None:
        graph = apply_meek(graph)
    return graph, notes


def _extendable(graph: CausalGraph) -> bool:
    try:
        dag_extension(graph)
    except GraphError:
        return False
    return True


def apply_decisions(start: CausalGraph, decisions: list[Decision], knowledge: Knowledge, threshold: float) -> Applied:
    """Apply every decision whose evidence reaches ``threshold``, most confident first (ties by name)."""
    out = Applied(start)
    must_extend = _extendable(start)
    proposals = []
    for d in decisions:
        proposal = d.proposal(threshold)
        pair = frozenset((d.u, d.v))
        if proposal is None:
            p = max(d.p_forward, 1.0 - d.p_forward)
            if d.data_says and d.p_forward >= threshold:
                out.confirmed.append((d.u, d.v))
                out.decided[pair] = EdgeInfo(Provenance.BOTH, d.p_forward, d.prompts, "data arrow confirmed")
            else:
                out.undecided += 1
                out.decided[pair] = EdgeInfo(Provenance.DATA, None, d.prompts, f"model's evidence too weak ({p:.2f})")
            continue
        proposals.append((proposal[1], proposal[0], d))
    proposals.sort(key=lambda item: (-item[0], item[1]))
    g = start
    for prob, (a, b), d in proposals:
        pair = frozenset((a, b))
        info = EdgeInfo(Provenance.LLM, prob, d.prompts, "turned around by the model" if d.data_says else "")
        if g.has_edge(a, b):  # an earlier orientation already implied it
            out.decided[pair] = EdgeInfo(Provenance.LLM, prob, d.prompts, "also implied by Meek's rules")
            continue
        reason, closed = _try(g, a, b, knowledge, must_extend, flip=d.data_says)
        if closed is None:
            out.rejected.append(((a, b), reason))
            out.decided[pair] = EdgeInfo(Provenance.DATA, None, d.prompts, f"model's {a} -> {b} skipped: {reason}")
            continue
        g = closed
        (out.flipped if d.data_says else out.oriented).append((a, b))
        out.decided[pair] = info
    decided_by_llm = {*out.oriented, *out.flipped}
    out.propagated = sorted(
        (u, v)
        for u, v in g.directed_edges
        if not start.has_edge(u, v) and (u, v) not in decided_by_llm and (v, u) not in decided_by_llm
    )
    for u, v in out.propagated:
        asked = out.decided.get(frozenset((u, v)))
        prompts = asked.prompts if asked is not None else ()
        out.decided[frozenset((u, v))] = EdgeInfo(
            Provenance.MEEK, None, prompts, "Meek's rules, from the model's orientations"
        )
        if asked is not None and asked.provenance is Provenance.DATA:
            out.undecided -= 1
    out.graph = g
    return out


def _try(
    g: CausalGraph, a: str, b: str, knowledge: Knowledge, must_extend: bool, flip: bool
) -> tuple[str, CausalGraph | None]:
    """The graph with ``a -> b`` drawn and propagated, or the reason it may not be drawn.

    ``flip`` marks a turn-around of the data's arrow ``b -> a``; otherwise the edge must still be undirected
    (a more confident decision may already have oriented it the other way).
    """
    if knowledge.is_forbidden(a, b):
        return "a hard constraint forbids it", None
    if not flip and g.has_edge(b, a):
        return "a more confident orientation already implies the opposite direction", None
    candidate = g.with_edges(remove=[(a, b)], add=[Edge.directed(a, b)])
    if candidate.find_cycle() is not None:
        return "it would close a directed cycle", None
    closed = apply_meek(candidate)
    if closed.find_cycle() is not None:
        return "its consequences under Meek's rules close a directed cycle", None
    new = set(v_structures(closed)) - set(v_structures(g))
    if new:
        x, c, y = sorted(new)[0]
        return f"it would create the v-structure {x} -> {c} <- {y}, which the data did not find", None
    if must_extend and not _extendable(closed):
        return "no DAG in the data's equivalence class agrees with it", None
    broken = [r for r in knowledge.required if closed.has_edge(r[1], r[0])]
    if broken:
        return f"it would turn the required edge {broken[0][0]} -> {broken[0][1]} around", None
    return "", closed
