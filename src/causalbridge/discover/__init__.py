"""Causal discovery: data-only algorithms now; LLM-only and hybrid methods build on the same result type."""

from causalbridge.discover.data_only import GES, PC
from causalbridge.discover.result import DiscoveryResult, EdgeInfo, Provenance

__all__ = ["GES", "PC", "DiscoveryResult", "EdgeInfo", "Provenance"]
