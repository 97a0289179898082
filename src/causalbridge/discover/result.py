"""What every discovery method returns: a graph, where each edge came from, and what it cost.

A result is an audit trail as much as a graph: each edge says who decided it (the data, a language model, the
user, or Meek's rules propagating someone else's decision), with what probability, and which prompts decided it,
so a reader can check any arrow of an LLM-assisted graph back to the question that put it there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from causalbridge.graph import CausalGraph
from causalbridge.llm.types import Usage

if TYPE_CHECKING:
    from causalbridge.data import CausalDataset
    from causalbridge.discover.knowledge import Knowledge


class Provenance(Enum):
    """Who decided an edge (its presence and, for a directed edge, its direction)."""

    DATA = "data"
    LLM = "llm"
    USER = "user"
    MEEK = "meek"
    BOTH = "data+llm"
    """The data found the edge and a language model's answer agreed with (or decided) its direction."""


@dataclass(frozen=True, slots=True)
class EdgeInfo:
    """Why an edge is in the result: who decided it, with what probability, and the prompts that did.

    ``probability`` is the probability of the edge as drawn (its direction for a directed edge), when the method
    has one; ``prompts`` are the exact texts sent to the model about this pair, in the order asked.
    """

    provenance: Provenance
    probability: float | None = None
    prompts: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class DiscoveryResult:
    """A discovered graph with the provenance of each edge, the LLM usage and the runtime.

    ``notes`` hold what a user must know about the run (cycles repaired, constraints violated and repaired,
    abstentions, the LLM's estimated reliability); ``diagnostics`` hold the same as numbers for reports.
    """

    graph: CausalGraph
    method: str
    runtime_seconds: float
    edge_info: dict[frozenset[str], EdgeInfo] = field(default_factory=dict)
    usage: Usage | None = None
    params: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    def info(self, u: str, v: str) -> EdgeInfo | None:
        return self.edge_info.get(frozenset((u, v)))

    @property
    def queries(self) -> int:
        """LLM questions asked (0 for data-only methods)."""
        return self.usage.queries if self.usage is not None else 0

    def edges_by(self, provenance: Provenance) -> list[tuple[str, str]]:
        """The edges (as ``(u, v)`` in the graph's canonical order) whose provenance is ``provenance``."""
        out = []
        for e in self.graph.edges:
            info = self.info(e.u, e.v)
            if info is not None and info.provenance is provenance:
                out.append((e.u, e.v))
        return sorted(out)

    def to_dict(self) -> dict[str, Any]:
        edges = []
        for e in self.graph.edges:
            info = self.info(e.u, e.v)
            edges.append(
                {
                    "source": e.u,
                    "target": e.v,
                    "kind": _kind(e.is_directed, e.is_undirected, e.is_bidirected, str(e)),
                    "provenance": info.provenance.value if info else None,
                    "probability": info.probability if info else None,
                    "prompts": list(info.prompts) if info else [],
                    "note": info.note if info else "",
                }
            )
        return {
            "method": self.method,
            "nodes": list(self.graph.nodes),
            "edges": edges,
            "runtime_seconds": round(self.runtime_seconds, 4),
            "usage": self.usage.to_dict() if self.usage else None,
            "params": self.params,
            "notes": list(self.notes),
            "diagnostics": dict(self.diagnostics),
        }


def _kind(directed: bool, undirected: bool, bidirected: bool, text: str) -> str:
    if directed:
        return "directed"
    if undirected:
        return "undirected"
    return "bidirected" if bidirected else text


@runtime_checkable
class Discoverer(Protocol):
    """Anything with ``discover(dataset, knowledge=None) -> DiscoveryResult``: every method in this package.

    ``knowledge`` holds hard constraints (required and forbidden edges, tiers) that the result must respect;
    methods that cannot use them during the search enforce them afterwards and say so in ``notes``.
    """

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult: ...


@dataclass(frozen=True)
class Precomputed:
    """A data step that hands back a result computed earlier, so several orienters share one data-only run.

    ``Hybrid(data=Precomputed(PC().discover(data)), orient=LLMOrienter(model))`` orients exactly that graph;
    comparing models (or a model and a simulated expert) on the same base graph isolates what the model adds.
    """

    result: DiscoveryResult

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        return self.result
