"""Causal graphs: the immutable :class:`CausalGraph` and exact graph algorithms (all ours, no LLM)."""

from causalbridge.graph.adjustment import (
    causal_nodes,
    forbidden_set,
    is_adjustment_set,
    is_backdoor_set,
    is_instrument,
    minimal_adjustment_set,
    optimal_adjustment_set,
    satisfies_frontdoor,
)
from causalbridge.graph.core import CausalGraph, Edge, Mark
from causalbridge.graph.dsep import d_connected, d_separated
from causalbridge.graph.equivalence import (
    apply_meek,
    cpdag,
    dag_extension,
    enumerate_dags,
    markov_equivalent,
    v_structures,
)

__all__ = [
    "CausalGraph",
    "Edge",
    "Mark",
    "apply_meek",
    "causal_nodes",
    "cpdag",
    "d_connected",
    "d_separated",
    "dag_extension",
    "enumerate_dags",
    "forbidden_set",
    "is_adjustment_set",
    "is_backdoor_set",
    "is_instrument",
    "markov_equivalent",
    "minimal_adjustment_set",
    "optimal_adjustment_set",
    "satisfies_frontdoor",
    "v_structures",
]
