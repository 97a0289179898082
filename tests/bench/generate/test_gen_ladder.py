"""Ladder generator: text carries the numbers, answers follow, balance, seeds, ids, naming modes, errors."""

from __future__ import annotations

import functools
import re
from collections import Counter

import pytest

from causalbridge.bench import NAMING_MODES, BenchDataset, BenchItem
from causalbridge.bench.generate import generate_ladder as reexported
from causalbridge.bench.generate.ladder import (
    QUERY_TYPES,
    TEMPLATES,
    THEMES,
    GraphTemplate,
    Theme,
    generate_ladder,
    themes_for,
)
from causalbridge.errors import CycleError, GraphError, InputError
from causalbridge.graph import CausalGraph

STORY_MODES = ("story", "commonsense", "anticommonsense")


@functools.cache
def dataset(naming: str, n: int = 300, seed: int = 0) -> BenchDataset:
    return generate_ladder(n, seed=seed, naming=naming)


def theme(theme_id: str) -> Theme:
    (found,) = [t for t in THEMES if t.id == theme_id]
    return found


def test_reexported_from_the_generate_package() -> None:
    assert reexported is generate_ladder


def test_shipped_themes_cover_every_template_eight_times_and_name_every_node() -> None:
    for name, template in TEMPLATES.items():
        themes = themes_for(name)
        assert len(themes) >= 8, name
        for t in themes:
            assert set(t.concepts) == set(template.graph.nodes), t.id
            for concept in t.concepts.values():
                assert concept.name and concept.on and concept.off and concept.on != concept.off
    assert len({t.id for t in THEMES}) == len(THEMES)


@pytest.mark.parametrize("naming", [m for m in NAMING_MODES if m != "user"])
def test_every_stated_number_is_in_the_text(naming: str) -> None:
    for item in dataset(naming):
        for symbol, value in item.meta["given"].items():
            if " - P(" in symbol:
                words = f"{round(abs(value) * 100)} percentage points" if value else "the same when"
                assert words in item.question, (item.id, symbol)
            else:
                assert f" is {round(value * 100)}%." in item.question, (item.id, symbol, value)
        assert item.question.count("%") == len(item.meta["given"]) or item.meta["query_type"] == "collider_bias"


@pytest.mark.parametrize("naming", ["story", "nonsense"])
def test_answer_follows_from_the_exact_value_and_the_polarity(naming: str) -> None:
    for item in dataset(naming):
        assert item.options == ("yes", "no")
        claim = item.exact_value > item.meta["threshold"]
        positive = item.meta["polarity"] == "positive"
        assert item.answer == ("yes" if claim == positive else "no"), item.id
        if item.meta["query_type"] not in ("backadj", "collider_bias"):
            assert abs(item.exact_value - item.meta["threshold"]) >= 0.01
        assert item.answer in item.derivation


def _expected_wording(item: BenchItem) -> str:
    """The phrase that carries the claim's direction, by query type and polarity (a swap would flip answers)."""
    meta = item.meta
    x0, x1 = meta["clauses"][meta["treatment"]]
    y0, y1 = meta["clauses"][meta["outcome"]]
    pos = meta["polarity"] == "positive"
    up = "increase" if pos else "decrease"
    return {
        "marginal": f"more likely that {y1} than that {y0}?" if pos else f"more likely that {y0} than that {y1}?",
        "correlation": f"{'more' if pos else 'less'} likely that {y1} when {x1} than when {x0}?",
        "exp_away": f"learning that {x1} make it {'more' if pos else 'less'} likely that {y1}?",
        "ate": f"{up} the chance that {y1}?",
        "nde": f"{up} the chance that {y1}?",
        "nie": f"{up} the chance that {y1}?",
        "ett": f"would the chance that {y1} have been {'lower' if pos else 'higher'}?",
        "counterfactual": f"more likely than not that {y1 if pos else y0}?",
        "backadj": "Method 1: we look at how" if pos else "Method 1: we look directly",
        "collider_bias": "mean that" if pos else "has no causal effect",
    }[meta["query_type"]]


def test_wording_carries_the_polarity() -> None:
    for naming in ("story", "symbolic"):
        for item in dataset(naming):
            assert _expected_wording(item) in item.question, (item.id, item.meta["query_type"])


def test_derivations_state_the_estimand_numbers_and_rung3_assumption() -> None:
    for item in dataset("story"):
        d = item.derivation
        assert d.startswith(item.meta["formal_form"])
        if item.meta["rung"] == 3:
            assert "monotone (inverse-CDF) coupling" in d, item.id
        if item.meta["plugged"]:
            assert item.meta["plugged"] in d and item.meta["estimand"] in d
    ate = next(
        it for it in dataset("symbolic") if it.meta["query_type"] == "ate" and it.meta["template"] == "confounding"
    )
    assert "sum_z P(Z=z) [P(Y=1 | X=1, Z=z) - P(Y=1 | X=0, Z=z)]" in ate.derivation
    assert "Backdoor adjustment for {Z}." in ate.derivation


def test_balanced_answers_per_query_type() -> None:
    ds = dataset("story", 600, 5)
    for q in QUERY_TYPES:
        counts = Counter(it.answer for it in ds if it.meta["query_type"] == q)
        assert abs(counts["yes"] - counts["no"]) <= 1, (q, counts)
    assert set(ds.counts("rung")) == {1, 2, 3}
    unbalanced = generate_ladder(600, seed=5, naming="story", balanced=False)
    assert [it.answer for it in unbalanced] != [it.answer for it in ds]


def test_reproducible_with_a_seed_and_ids_unique_and_stable() -> None:
    a = generate_ladder(80, seed=3, naming="nonsense")
    b = generate_ladder(80, seed=3, naming="nonsense")
    assert [it.to_dict() for it in a] == [it.to_dict() for it in b]
    c = generate_ladder(80, seed=4, naming="nonsense")
    assert [it.question for it in a] != [it.question for it in c]
    assert a.ids == tuple(f"ladder-nonsense-3-{i:05d}" for i in range(80))
    assert len(set(a.ids)) == 80
    assert generate_ladder(40, seed=3, naming="nonsense").ids == a.ids[:40]


def test_items_round_trip_through_json() -> None:
    for item in dataset("story").items[:50]:
        assert BenchItem.from_json(item.to_json()) == item


def test_rungs_and_query_types_filter() -> None:
    ds = generate_ladder(60, seed=1, naming="symbolic", rungs=(3,))
    assert set(ds.counts("rung")) == {3}
    ds = generate_ladder(30, seed=1, naming="symbolic", query_types=["nde"])
    assert set(ds.counts("query_type")) == {"nde"}
    assert set(ds.counts("template")) == {"mediation", "diamond"}


def _reversed_edges(item: BenchItem) -> tuple[int, int]:
    """(stated edges whose concepts run against the theme's story, stated edges that agree with it)."""
    t = theme(item.meta["theme"])
    template = TEMPLATES[t.template]
    home = {concept.name: node for node, concept in t.concepts.items()}  # concept -> its common-sense node
    against = agree = 0
    for u, v in item.meta["graph"]:
        cu, cv = home[item.meta["variables"][u]], home[item.meta["variables"][v]]
        if cu in template.graph.descendants(cv):
            against += 1
        elif cv in template.graph.descendants(cu):
            agree += 1
    return against, agree


def test_story_modes_follow_common_sense_and_anticommonsense_reverses_it() -> None:
    anti = dataset("anticommonsense", 700, 2)
    assert {it.meta["theme"] for it in anti} == {t.id for t in THEMES}  # every shipped theme is exercised
    for item in dataset("story"):
        assert _reversed_edges(item)[0] == 0, item.id
    for item in anti:
        against, _ = _reversed_edges(item)
        assert against >= 1, item.id
        meta, t = item.meta, theme(item.meta["theme"])
        if meta["template"] != "collider":  # the story now says the common-sense *effect* causes the cause
            x_home = next(n for n, c in t.concepts.items() if c.name == meta["variables"]["X"])
            y_home = next(n for n, c in t.concepts.items() if c.name == meta["variables"]["Y"])
            assert x_home in TEMPLATES[t.template].graph.descendants(y_home), item.id


def test_nonsense_and_symbolic_names() -> None:
    words = {w for t in THEMES for c in t.concepts.values() for w in c.name.split()}
    for item in dataset("nonsense"):
        tokens = set(item.meta["variables"].values())
        assert all(re.fullmatch(r"[a-z]{4}", tok) for tok in tokens) and len(tokens) == len(item.meta["variables"])
        assert item.meta["theme"] is None and not tokens & words
    for item in dataset("symbolic"):
        assert item.meta["variables"] == {v: v for v in item.meta["variables"]}
        if item.meta["query_type"] != "backadj":  # the two methods mention variables, not states
            assert "X = 1" in item.question or "X = 0" in item.question


def test_latent_variables_are_never_given_numbers() -> None:
    for item in dataset("story"):
        for u in item.meta["latent"]:
            assert not any(re.search(rf"\b{u}=", s) for s in item.meta["given"]), item.id
            assert "No data on" in item.question


def test_user_graph_template() -> None:
    g = CausalGraph.dag([("A", "T"), ("A", "O"), ("T", "O")])
    tpl = GraphTemplate.custom(g, "T", "O", name="mine")
    ds = generate_ladder(30, seed=0, naming="user", templates=[tpl])
    assert set(ds.counts("template")) == {"mine"}
    assert {"ate", "backadj", "ett", "counterfactual"} <= set(ds.counts("query_type"))
    backadj = next(it for it in ds if it.meta["query_type"] == "backadj")
    assert list(backadj.meta["detail"]["valid_set"]) == ["A"]
    assert "A is present" in ds[0].question or "A is absent" in ds[0].question
    with pytest.raises(InputError, match="needs built-in themes"):
        generate_ladder(5, seed=0, naming="story", templates=[tpl])


def test_bad_arguments_raise_input_errors() -> None:
    with pytest.raises(InputError, match="naming"):
        generate_ladder(5, seed=0, naming="poetic")
    with pytest.raises(InputError, match="unknown template"):
        generate_ladder(5, seed=0, templates=["triangle"])
    with pytest.raises(InputError, match="rungs"):
        generate_ladder(5, seed=0, rungs=(4,))
    with pytest.raises(InputError, match="query types"):
        generate_ladder(5, seed=0, query_types=["ate", "why"])
    with pytest.raises(InputError, match="non-negative"):
        generate_ladder(-1, seed=0)
    with pytest.raises(InputError, match="no template"):
        generate_ladder(5, seed=0, templates=["collider"], query_types=["nde"])
    assert len(generate_ladder(0, seed=0)) == 0
    g = CausalGraph.dag([("A", "B")])
    with pytest.raises(GraphError, match="not a node"):
        GraphTemplate.custom(g, "A", "C")
    with pytest.raises(InputError, match="different variables"):
        GraphTemplate.custom(g, "A", "B", mediator="A")
    with pytest.raises(InputError, match="cannot be latent"):
        GraphTemplate.custom(g, "A", "B", latent=("A",))
    with pytest.raises(CycleError):
        GraphTemplate.custom(CausalGraph.from_edges(directed=[("A", "B"), ("B", "C"), ("C", "A")]), "A", "B")
