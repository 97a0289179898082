"""Causal claims, their truth in a known graph, and how queries carry them."""

from __future__ import annotations

import pytest

from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph
from causalbridge.llm import Answer, CausalClaim, Message, Query, Relation, as_messages, claim_of, claim_truth

# smoking -> tar -> cancer, smoking -> cancer, genes -> smoking, genes -> cancer, cancer -> cough
G = CausalGraph.dag(
    [("smoking", "tar"), ("tar", "cancer"), ("smoking", "cancer"), ("genes", "smoking"), ("genes", "cancer"),
     ("cancer", "cough")],
    nodes=["genes", "smoking", "tar", "cancer", "cough", "weather"],
)  # fmt: skip


def _truth(relation: Relation, *variables: str, given: tuple[str, ...] = ()) -> Answer | None:
    return claim_truth(CausalClaim.yes_no(relation, *variables, given=given), G)


def test_truths() -> None:
    direction = {"A": Answer.A_TO_B, "B": Answer.B_TO_A, "C": Answer.NO_EDGE}
    assert claim_truth(CausalClaim.edge_direction("smoking", "tar", direction), G) is Answer.A_TO_B
    assert claim_truth(CausalClaim.edge_direction("cancer", "tar", direction), G) is Answer.B_TO_A
    assert claim_truth(CausalClaim.edge_direction("genes", "cough", direction), G) is Answer.NO_EDGE
    assert _truth(Relation.DIRECT_CAUSE, "smoking", "cancer") is Answer.YES
    assert _truth(Relation.DIRECT_CAUSE, "cancer", "smoking") is Answer.NO
    assert _truth(Relation.CAUSES, "genes", "cough") is Answer.YES
    assert _truth(Relation.CAUSES, "cough", "genes") is Answer.NO
    assert _truth(Relation.ADJACENT, "cancer", "tar") is Answer.YES
    assert _truth(Relation.ADJACENT, "weather", "tar") is Answer.NO
    assert _truth(Relation.CONFOUNDER, "genes", "smoking", "cancer") is Answer.YES
    assert _truth(Relation.CONFOUNDER, "tar", "smoking", "cancer") is Answer.NO  # a mediator, not a confounder
    assert _truth(Relation.MEDIATOR, "tar", "smoking", "cancer") is Answer.YES
    assert _truth(Relation.MEDIATOR, "genes", "smoking", "cancer") is Answer.NO
    assert _truth(Relation.INDEPENDENT, "weather", "cancer") is Answer.YES
    assert _truth(Relation.INDEPENDENT, "tar", "genes") is Answer.NO
    assert _truth(Relation.INDEPENDENT, "tar", "genes", given=("smoking",)) is Answer.YES


def test_the_graph_cannot_always_say() -> None:
    assert _truth(Relation.CAUSES, "smoking", "unicorn") is None
    pdag = CausalGraph.from_edges(directed=[("a", "b")], undirected=[("b", "c")])
    direction = {"x": Answer.A_TO_B, "y": Answer.B_TO_A}
    assert claim_truth(CausalClaim.edge_direction("b", "c", direction), pdag) is None
    assert claim_truth(CausalClaim.yes_no(Relation.DIRECT_CAUSE, "c", "b"), pdag) is None
    assert claim_truth(CausalClaim.yes_no(Relation.CAUSES, "a", "b"), pdag) is None  # not a DAG
    assert claim_truth(CausalClaim.edge_direction("a", "b", direction), pdag) is Answer.A_TO_B


def test_bad_claims() -> None:
    with pytest.raises(InputError, match="takes 3 variables"):
        CausalClaim.yes_no(Relation.CONFOUNDER, "a", "b")
    with pytest.raises(InputError, match="distinct"):
        CausalClaim.yes_no(Relation.CAUSES, "a", "a")
    with pytest.raises(InputError, match="conditioning set"):
        CausalClaim.yes_no(Relation.CAUSES, "a", "b", given=("c",))
    with pytest.raises(InputError, match="answers are"):
        CausalClaim.edge_direction("a", "b", {"yes": Answer.YES})
    with pytest.raises(InputError, match="distinct"):
        CausalClaim(Relation.CAUSES, ("a", "b"), (("y", Answer.YES), ("y", Answer.NO)))


def test_claim_identity_ignores_wording_and_option_order() -> None:
    one = CausalClaim.yes_no(Relation.CAUSES, "a", "b")
    other = CausalClaim.yes_no(Relation.CAUSES, "a", "b", yes="True", no="False")
    assert one.identity() == other.identity() != CausalClaim.yes_no(Relation.CAUSES, "b", "a").identity()
    assert one.meaning_of("yes") is Answer.YES and one.meaning_of("maybe") is None and one.options == ("yes", "no")


def test_queries_render_to_text_only() -> None:
    claim = CausalClaim.yes_no(Relation.CAUSES, "a", "b")
    assert as_messages(Query("Does a cause b?", about=claim)) == as_messages("Does a cause b?")
    assert claim_of(Query("q", about=claim)) is claim and claim_of("q") is None
    with pytest.raises(InputError):
        as_messages(())
    with pytest.raises(InputError):
        Message("robot", "hi")  # type: ignore[arg-type]
