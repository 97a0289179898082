"""What every discovery method returns: a graph, where each edge came from, and what it cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from causalbridge.graph import CausalGraph
from causalbridge.llm.types import Usage


class Provenance(Enum):
    DATA = "data"
    LLM = "llm"
    USER = "user"
    MEEK = "meek"
    BOTH = "data+llm"


@dataclass(frozen=True, slots=True)
class EdgeInfo:
    """Why an edge is in the result: who decided it, with what probability, and the prompts that did."""

    provenance: Provenance
    probability: float | None = None
    prompts: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class DiscoveryResult:
    graph: CausalGraph
    method: str
    runtime_seconds: float
    edge_info: dict[frozenset[str], EdgeInfo] = field(default_factory=dict)
    usage: Usage | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def info(self, u: str, v: str) -> EdgeInfo | None:
        return self.edge_info.get(frozenset((u, v)))

    def to_dict(self) -> dict[str, Any]:
        edges = []
        for e in self.graph.edges:
            info = self.info(e.u, e.v)
            edges.append(
                {
                    "source": e.u,
                    "target": e.v,
                    "kind": "directed" if e.is_directed else "undirected" if e.is_undirected else str(e),
                    "provenance": info.provenance.value if info else None,
                    "probability": info.probability if info else None,
                }
            )
        return {
            "method": self.method,
            "nodes": list(self.graph.nodes),
            "edges": edges,
            "runtime_seconds": round(self.runtime_seconds, 4),
            "usage": self.usage.to_dict() if self.usage else None,
            "params": self.params,
        }
