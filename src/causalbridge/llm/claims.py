"""Machine-readable meaning a prompt can carry: which causal claim it asks about and what each option means.

Real language models never see this metadata; they read the rendered text. The simulated expert reads *only*
this metadata (it never parses text), and scorers can use :func:`claim_truth` to grade any backend's answer
against a known graph. Keeping the meaning beside the text, instead of inferring it from the wording, is what
makes a simulated expert's error rate exact and lets one claim be phrased many ways.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from causalbridge.errors import InputError

if TYPE_CHECKING:
    from causalbridge.graph import CausalGraph


class Relation(Enum):
    """What a claim asks. The number and order of ``CausalClaim.variables`` depend on the relation."""

    EDGE_DIRECTION = "edge_direction"
    """(a, b): is there a direct edge between a and b, and which way does it point? Answers A_TO_B/B_TO_A/NO_EDGE."""
    DIRECT_CAUSE = "direct_cause"
    """(a, b): is there a direct edge a -> b? YES/NO."""
    CAUSES = "causes"
    """(a, b): does a cause b, directly or through other variables (a is an ancestor of b)? YES/NO."""
    ADJACENT = "adjacent"
    """(a, b): are a and b directly connected in either direction? YES/NO."""
    CONFOUNDER = "confounder"
    """(c, t, y): is c a common cause of t and y (c reaches t, and reaches y by a path that avoids t)? YES/NO."""
    MEDIATOR = "mediator"
    """(m, t, y): does m lie on a directed path from t to y? YES/NO."""
    INDEPENDENT = "independent"
    """(a, b) with ``given``: are a and b d-separated given the conditioning set? YES/NO."""


class Answer(Enum):
    """What one option of a multiple-choice question means."""

    YES = "yes"
    NO = "no"
    A_TO_B = "a->b"
    B_TO_A = "b->a"
    NO_EDGE = "none"


_ARITY = {
    Relation.EDGE_DIRECTION: 2,
    Relation.DIRECT_CAUSE: 2,
    Relation.CAUSES: 2,
    Relation.ADJACENT: 2,
    Relation.CONFOUNDER: 3,
    Relation.MEDIATOR: 3,
    Relation.INDEPENDENT: 2,
}
_DIRECTIONAL = frozenset({Answer.A_TO_B, Answer.B_TO_A, Answer.NO_EDGE})


@dataclass(frozen=True, slots=True)
class CausalClaim:
    """A causal question about named variables, and the meaning of each answer option.

    ``meanings`` pairs every option text (exactly as passed to ``choose``) with the :class:`Answer` it stands
    for; an option meaning ``None`` ("not sure", "other") is never picked by the simulated expert.
    """

    relation: Relation
    variables: tuple[str, ...]
    meanings: tuple[tuple[str, Answer | None], ...]
    given: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        arity = _ARITY[self.relation]
        if len(self.variables) != arity:
            raise InputError(
                f"{self.relation.value} takes {arity} variables, got {len(self.variables)}: {self.variables}",
                where="CausalClaim.variables",
            )
        if len(set(self.variables)) != arity:
            raise InputError(f"variables must be distinct, got {self.variables}", where="CausalClaim.variables")
        if self.given and self.relation is not Relation.INDEPENDENT:
            raise InputError("only 'independent' claims take a conditioning set", where="CausalClaim.given")
        texts = [text for text, _ in self.meanings]
        if len(set(texts)) != len(texts):
            raise InputError(f"option texts must be distinct, got {texts}", where="CausalClaim.meanings")
        allowed = _DIRECTIONAL if self.relation is Relation.EDGE_DIRECTION else frozenset({Answer.YES, Answer.NO})
        wrong = [answer for _, answer in self.meanings if answer is not None and answer not in allowed]
        if wrong:
            raise InputError(
                f"{self.relation.value} answers are {sorted(a.value for a in allowed)}, got {wrong[0].value!r}",
                where="CausalClaim.meanings",
            )

    @classmethod
    def yes_no(
        cls,
        relation: Relation,
        *variables: str,
        yes: str = "yes",
        no: str = "no",
        given: Sequence[str] = (),
    ) -> CausalClaim:
        """A yes/no claim such as ``CausalClaim.yes_no(Relation.CAUSES, "smoking", "cancer")``."""
        return cls(relation, tuple(variables), ((yes, Answer.YES), (no, Answer.NO)), tuple(given))

    @classmethod
    def edge_direction(cls, a: str, b: str, options: Mapping[str, Answer | None]) -> CausalClaim:
        """Which way the edge between a and b points, e.g. ``{"A": Answer.A_TO_B, "B": Answer.B_TO_A}``."""
        return cls(Relation.EDGE_DIRECTION, (a, b), tuple(options.items()))

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(text for text, _ in self.meanings)

    def meaning_of(self, option: str) -> Answer | None:
        """The answer an option text stands for, or None for an option this claim does not define."""
        for text, answer in self.meanings:
            if text == option:
                return answer
        return None

    def identity(self) -> tuple[str, ...]:
        """What makes two claims the same question, whatever the wording or option order."""
        return (self.relation.value, *self.variables, "|", *sorted(self.given))


def claim_truth(claim: CausalClaim, graph: CausalGraph) -> Answer | None:
    """The true answer to ``claim`` in ``graph``, or None when the graph cannot say.

    None means a variable is not in the graph, or the graph leaves the answer open (an undirected or
    bidirected edge for a direction question, or a non-DAG for ancestral questions).
    """
    names = (*claim.variables, *claim.given)
    if any(name not in graph for name in names):
        return None
    relation = claim.relation
    if relation in (Relation.EDGE_DIRECTION, Relation.DIRECT_CAUSE, Relation.ADJACENT):
        return _edge_truth(claim, graph)
    if not graph.is_dag:
        return None
    if relation is Relation.CAUSES:
        a, b = claim.variables
        return _yes(a in graph.ancestors(b))
    if relation is Relation.CONFOUNDER:
        c, t, y = claim.variables
        without_t = graph.subgraph([n for n in graph.nodes if n != t])
        return _yes(c in graph.ancestors(t) and c in without_t.ancestors(y))
    if relation is Relation.MEDIATOR:
        m, t, y = claim.variables
        return _yes(m in graph.descendants(t) and m in graph.ancestors(y))
    a, b = claim.variables
    return _yes(graph.d_separated(a, b, claim.given))


def _edge_truth(claim: CausalClaim, graph: CausalGraph) -> Answer | None:
    a, b = claim.variables
    if claim.relation is Relation.ADJACENT:
        return _yes(graph.is_adjacent(a, b))
    edge = graph.edge(a, b)
    if edge is not None and not edge.is_directed:
        return None  # the graph itself does not know the direction
    if claim.relation is Relation.DIRECT_CAUSE:
        return _yes(graph.has_edge(a, b))
    if edge is None:
        return Answer.NO_EDGE
    return Answer.A_TO_B if graph.has_edge(a, b) else Answer.B_TO_A


def _yes(value: bool) -> Answer:
    return Answer.YES if value else Answer.NO
