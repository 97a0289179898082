"""Generators of causal-reasoning questions whose answers are computed exactly, never annotated by hand."""

from causalbridge.bench.generate.corr2cause import (
    cpdag_from_premise,
    generate_corr2cause,
    make_item,
    necessarily_holds,
    premise_text,
    relation_holds,
)
from causalbridge.bench.generate.ladder import generate_ladder as generate_ladder

__all__ = [
    "cpdag_from_premise",
    "generate_corr2cause",
    "make_item",
    "necessarily_holds",
    "premise_text",
    "relation_holds",
]
