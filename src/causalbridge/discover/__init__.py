"""Causal discovery: data-only (PC, FCI, GES, DirectLiNGAM), LLM-only (pairwise, breadth-first, whole-graph) and
hybrid methods (an LLM orients what the data cannot, weighted by its estimated reliability; knowledge as hard
constraints). Every method is an object with ``discover(dataset, knowledge=None) -> DiscoveryResult``.

>>> from causalbridge.data import load_network
>>> from causalbridge.llm import SimulatedExpert
>>> asia = load_network("asia")
>>> expert = SimulatedExpert(asia.graph, accuracy=0.9, seed=0, network="asia")
>>> result = Hybrid(data=PC(alpha=0.01), orient=LLMOrienter(expert)).discover(asia.sample(2000, seed=0))
>>> result.queries <= len(PC(alpha=0.01).discover(asia.sample(2000, seed=0)).graph.undirected_edges) + 8
True
"""

from causalbridge.discover.cycles import repair_cycles
from causalbridge.discover.data_only import FCI, GES, PC, DirectLiNGAM, encode
from causalbridge.discover.hybrid import Hybrid, LLMOrienter, Orientation
from causalbridge.discover.knowledge import Enforcement, Knowledge, Violation, enforce, parse_tiers, read_knowledge
from causalbridge.discover.llm_only import BreadthFirstLLM, PairwiseLLM, WholeGraphLLM, parse_names
from causalbridge.discover.prompting import PromptContext, render
from causalbridge.discover.reliability import EdgeVotes, ReliabilityFit, fit_reliability
from causalbridge.discover.result import Discoverer, DiscoveryResult, EdgeInfo, Precomputed, Provenance

__all__ = [
    "FCI",
    "GES",
    "PC",
    "BreadthFirstLLM",
    "DirectLiNGAM",
    "Discoverer",
    "DiscoveryResult",
    "EdgeInfo",
    "Enforcement",
    "Hybrid",
    "Knowledge",
    "LLMOrienter",
    "Orientation",
    "PairwiseLLM",
    "Precomputed",
    "PromptContext",
    "Provenance",
    "ReliabilityFit",
    "EdgeVotes",
    "Violation",
    "WholeGraphLLM",
    "encode",
    "enforce",
    "fit_reliability",
    "parse_names",
    "parse_tiers",
    "read_knowledge",
    "render",
    "repair_cycles",
]
