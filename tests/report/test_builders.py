"""Builders: each result kind becomes the right sections with the right numbers, and bad input fails clearly."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from causalbridge.errors import InputError
from causalbridge.report import (
    BarChartSection,
    Chapter,
    GraphSection,
    HeatmapSection,
    TableSection,
    TextSection,
    UsageSection,
    detect_kind,
    from_bench,
    from_bias,
    from_discovery,
    from_effect,
    from_patching,
)

Sample = Callable[[str], dict[str, Any]]


def only(chapter: Chapter, kind: type, title: str | None = None) -> Any:
    found = [s for s in chapter.sections if isinstance(s, kind) and (title is None or s.title == title)]
    assert len(found) == 1, [s.title for s in found]
    return found[0]


def test_discovery_keeps_every_edge_with_its_provenance_probability_and_kind(discovery_dict: dict) -> None:
    chapter = from_discovery(discovery_dict)
    graph = only(chapter, GraphSection)
    assert graph.nodes == tuple(discovery_dict["nodes"])
    drawn = {(e.source, e.target): e for e in graph.edges}
    assert drawn[("asia", "tub")].provenance == "data+llm" and drawn[("asia", "tub")].probability == 0.91
    assert drawn[("bronc", "smoke")].provenance == "user" and drawn[("bronc", "smoke")].note == "required by the user"
    assert drawn[("bronc", "dysp")].kind == "bidirected"
    assert drawn[("asia", "xray")].kind == "asia o-> xray" and drawn[("asia", "xray")].provenance is None
    assert {e.status for e in graph.edges} == {""}  # no reference graph, no statuses
    usage = only(chapter, UsageSection)
    assert (usage.queries, usage.cache_hits, usage.cost_usd) == (12, 3, 0.0012)
    assert only(chapter, TextSection, "Notes").tone == "warning"  # a simulated expert is flagged
    prompts = [s for s in chapter.sections if isinstance(s, TableSection) and s.title.startswith("Prompts")]
    assert prompts[0].collapsed and len(prompts[0].rows) == 2


def test_discovery_against_a_reference_marks_each_edge_and_lists_the_missed_ones(
    discovery_dict: dict, asia_truth: dict
) -> None:
    chapter = from_discovery(discovery_dict, truth=asia_truth)
    status = {(e.source, e.target): e.status for e in only(chapter, GraphSection).edges}
    assert status[("asia", "tub")] == "correct"
    assert status[("smoke", "lung")] == "correct"
    assert status[("bronc", "smoke")] == "reversed"
    assert status[("either", "tub")] == "reversed"
    assert status[("either", "xray")] == "unoriented"
    assert status[("asia", "xray")] == "extra"
    assert status[("bronc", "dysp")] == "mismatch"  # bidirected where the truth has bronc -> dysp
    missing = {pair for pair, s in status.items() if s == "missing"}
    assert missing == {("either", "dysp")}  # smoke - bronc was found (reversed), so it is not missing
    table = only(chapter, TableSection, "Edges and who decided them")
    assert "vs reference" in table.columns and len(table.rows) == len(status)
    assert table.row_status.count("pass") == 3 and table.row_status.count("warn") == 1


def test_the_reference_can_be_a_causal_graph(discovery_dict: dict, asia_truth: dict) -> None:
    from causalbridge.graph import CausalGraph

    truth = CausalGraph.dag([tuple(p) for p in asia_truth["directed"]])
    assert from_discovery(discovery_dict, truth=truth) == from_discovery(discovery_dict, truth=asia_truth)


def test_discovery_scores_match_the_metrics_module_and_given_metrics_win() -> None:
    from causalbridge.graph import CausalGraph
    from causalbridge.metrics import shd

    result = {"method": "pc", "nodes": ["a", "b", "c"], "edges": [{"source": "a", "target": "b"}]}
    truth = {"directed": [["a", "b"], ["c", "b"]]}
    scores = dict(only(from_discovery(result, truth=truth), TableSection, "Scores").rows)
    expected = shd(CausalGraph.dag([("a", "b")], nodes=["a", "b", "c"]), CausalGraph.dag([("a", "b"), ("c", "b")]))
    assert scores["SHD vs the reference DAG"] == str(expected) == "1"
    assert scores["skeleton F1 (precision, recall)"] == "0.667 (1.000, 0.500)"
    wrapped = {"network": "toy", "shd_vs_dag": 7, "graph": result, "truth": truth}
    chapter = from_discovery(wrapped)
    assert dict(only(chapter, TableSection, "Scores").rows) == {"shd vs dag": "7"}
    assert chapter.title == "Discovery: pc on toy"


def test_a_real_hybrid_run_renders_with_its_notes_and_prompts(sample: Sample, asia_truth: dict) -> None:
    chapter = from_discovery(sample("discovery_asia.json"), truth=asia_truth)
    graph = only(chapter, GraphSection)
    assert {e.provenance for e in graph.edges if e.status != "missing"} == {"data", "llm", "data+llm"}
    assert "SIMULATED" in only(chapter, TextSection, "Notes").paragraphs[0]


def test_discovery_rejects_edges_without_ends() -> None:
    with pytest.raises(InputError, match="source.*target") as err:
        from_discovery({"nodes": ["a"], "edges": [{"from": "a"}]})
    assert err.value.where == "edges[0]"


def test_effect_sections_follow_the_order_a_reader_trusts_them_in(effect_dict: dict) -> None:
    chapter = from_effect(effect_dict)
    titles = [s.title for s in chapter.sections]
    assert titles == [
        "Identification",
        "Graph",
        "Warnings",
        "Estimates",
        "Estimates with 95% intervals",
        "Refutations and sensitivity",
        "Simulation",
        "Variable roles",
        "Notes on the roles",
        "Graph proposed from the roles",
        "LLM usage for the roles",
    ]
    estimates = only(chapter, TableSection, "Estimates")
    assert estimates.rows[0][:3] == ("ols", "1.833", "[1.695, 1.972]")
    forest = only(chapter, BarChartSection)
    assert forest.style == "forest" and forest.reference == 0.0
    assert [(b.label, b.value, b.low, b.high) for b in forest.bars] == [
        ("ols", 1.833, 1.695, 1.972),
        ("ipw", 1.872, 1.729, 2.015),
    ]
    checks = only(chapter, TableSection, "Refutations and sensitivity")
    assert [r[1] for r in checks.rows] == ["PASS", "WARN", "PASS"]
    assert checks.row_status == ("pass", "warn", "pass")
    assert "replicates 5" in checks.rows[0][3]  # integer-valued numbers print without decimals
    assert "Adjustment set (optimal): {x1, x2}" in only(chapter, TextSection, "Identification").paragraphs
    assert chapter.summary.endswith("Primary estimate (ols): 1.833 [1.695, 1.972].")


def test_effect_roles_show_their_provenance_and_are_optional(effect_dict: dict) -> None:
    chapter = from_effect(effect_dict)
    roles = only(chapter, TableSection, "Variable roles")
    assert roles.columns == (
        "variable", "role", "probability", "source", "model said", "bad control", "why not adjust", "rationale", "note"
    )  # fmt: skip
    rows = {r[0]: r for r in roles.rows}
    assert rows["x1"][1:4] == ("confounder", "0.930", "llm")
    assert rows["x2"][2:5] == ("–", "user", "mediator")
    assert rows["m"][5:7] == ("mediator", "on the path")
    assert roles.caption.endswith("Model: simulated:toy.")
    proposed = only(chapter, GraphSection)
    assert {(e.source, e.target, e.provenance) for e in proposed.edges} >= {("x2", "t", "user"), ("t", "m", "llm")}
    assert len(proposed.edges) == 7 and set(proposed.nodes) == {"t", "y", "x1", "x2", "m"}
    without = [
        {**effect_dict, "roles": [], "role_analysis": None},
        {**effect_dict, "roles": None},
        {k: v for k, v in effect_dict.items() if k not in ("roles", "role_analysis")},
    ]
    for data in without:
        titles = [s.title for s in from_effect(data).sections]
        assert "Variable roles" not in titles and "Estimates" in titles
    old_style = {**effect_dict, "roles": ["x1: confounder"], "role_analysis": None}  # rows saved as plain text
    assert only(from_effect(old_style), TableSection, "Variable roles").rows == (("x1: confounder",),)


def test_a_real_effect_result_renders(sample: Sample) -> None:
    chapter = from_effect(sample("effect.json"))
    assert len(only(chapter, TableSection, "Refutations and sensitivity").rows) == 5


def test_bench_chart_has_a_bar_per_rung_with_the_wilson_interval_and_the_chance_line(bench_dict: dict) -> None:
    from causalbridge.metrics import wilson_interval

    chapter = from_bench(bench_dict)
    chart = only(chapter, BarChartSection)
    assert [b.label for b in chart.bars] == ["rung 1", "rung 2", "rung 3"]
    assert chart.percent and chart.domain == (0.0, 1.0)
    assert chart.reference == bench_dict["scores"]["chance"] == 0.5
    for bar, row in zip(chart.bars, bench_dict["scores"]["by"]["rung"], strict=True):
        low, high = wilson_interval(row["correct"], row["n"])
        assert (bar.value, bar.low, bar.high) == pytest.approx((row["correct"] / row["n"], low, high))
    assert [b.value for b in chart.bars] == pytest.approx([0.5, 0.65, 0.75])
    assert "Accuracy by query type" in [s.title for s in chapter.sections]
    assert "Accuracy by dataset" not in [s.title for s in chapter.sections]  # one dataset: no table


def test_bench_without_rungs_gets_one_bar_and_an_empty_run_says_so(bench_dict: dict) -> None:
    data = copy.deepcopy(bench_dict)
    del data["scores"]["by"]["rung"]
    assert [b.label for b in only(from_bench(data), BarChartSection).bars] == ["all items"]
    empty = {"config": bench_dict["config"], "scores": {"n": 0, "accuracy": None}}
    assert from_bench(empty).summary == "No finished items yet."


def test_a_real_benchmark_report_renders(sample: Sample) -> None:
    chart = only(from_bench(sample("bench_report.json")), BarChartSection)
    assert [b.detail for b in chart.bars] == ["association · n = 9", "intervention · n = 8", "counterfactual · n = 13"]


def test_bias_flags_exactly_the_significant_tests(bias_dict: dict) -> None:
    chapter = from_bias(bias_dict)
    per_template = only(chapter, BarChartSection, "Effect per template")
    flagged = {b.label for b in per_template.bars if b.flagged}
    assert flagged == {f"{t.split(':')[0]} · {t.split(':')[1]}" for t in bias_dict["significant"]}
    assert per_template.flagged_label == "significant at FDR 0.05"
    tests = only(chapter, TableSection, "Tests")
    assert tests.row_status.count("strong") == len(bias_dict["significant"]) == 2
    assert tests.rows[0][7:9] == ("3.1e-05", "6.1e-05")
    assert chapter.summary.endswith("2 of 4 template × group tests significant.")
    simulated = from_bias({**bias_dict, "is_simulation": True})
    assert simulated.sections[0].tone == "warning"


def test_patching_heatmap_has_one_panel_per_kind_and_uses_the_normalised_effects(patching_dict: dict) -> None:
    chapter = from_patching(patching_dict)
    heat = only(chapter, HeatmapSection)
    assert [p.title for p in heat.panels] == ["residual stream", "attention output", "MLP output"]
    assert len(heat.row_labels) == 30 and heat.column_labels[2:5] == ("E", "iffel", "Tower")
    assert heat.panels[0].values[29][11] == pytest.approx(1.0)  # the last layer at the last token restores all
    assert heat.value_label == "share of the total effect restored"
    top = only(chapter, TableSection)
    effects = [float(r[3]) for r in top.rows]
    assert effects == sorted(effects, reverse=True) and len(effects) == 10
    assert top.rows[0] == ("residual stream", "29", "of (11)", "15.7", "100.0%")


def test_patching_with_a_grid_of_the_wrong_shape_names_it(patching_dict: dict) -> None:
    data = {**patching_dict, "effects": patching_dict["effects"][:2]}
    with pytest.raises(InputError) as err:
        from_patching(data)
    assert err.value.where == "effects"


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("discovery_dict", "discovery"),
        ("effect_dict", "effect"),
        ("bench_dict", "bench"),
        ("bias_dict", "bias"),
        ("patching_dict", "patching"),
    ],
)
def test_detect_kind(fixture: str, kind: str, request: pytest.FixtureRequest) -> None:
    assert detect_kind(request.getfixturevalue(fixture)) == kind


def test_detect_kind_of_other_documents() -> None:
    assert detect_kind({"sections": []}) == "report"
    assert detect_kind({"graph": {"nodes": [], "edges": []}, "shd": 1}) == "discovery"
    assert detect_kind({"probe": "attribution"}) == "attribution"
    assert detect_kind({"hello": 1}) is None
    assert detect_kind([1, 2]) is None


def test_attribution_effects_become_forest_plots() -> None:
    data = {
        "probe": "attribution",
        "backend": "test-double",
        "is_simulation": False,
        "outcome": {"outcome": "P(yes)"},
        "design": "full 2^2",
        "estimand": "presence effects",
        "parts": [{"name": "hint", "role": "user", "intervention": "drop"}, {"name": "system", "role": "system"}],
        "main_effects": [
            {"kind": "main", "parts": ["hint"], "estimate": 0.3, "low": 0.2, "high": 0.4, "flagged": True},
            {"kind": "main", "parts": ["system"], "estimate": 0.0, "low": -0.1, "high": 0.1, "flagged": False},
        ],
        "interactions": [{"kind": "interaction", "parts": ["hint", "system"], "estimate": 0.05, "flagged": False}],
        "usage": {"queries": 8},
    }
    assert detect_kind(data) == "attribution"
    from causalbridge.report import from_attribution

    chapter = from_attribution(data)
    main = only(chapter, BarChartSection, "Main effects")
    assert [(b.label, b.flagged) for b in main.bars] == [("hint", True), ("system", False)]
    assert only(chapter, BarChartSection, "Interactions").bars[0].label == "hint × system"
    assert only(chapter, TableSection).rows[0] == ("hint", "user", "drop")


def test_patching_column_for_all_positions_and_raw_effects_when_the_total_is_zero() -> None:
    data = {
        "format": "causalbridge.patching/1",
        "tokens": ["A", " cat"],
        "kinds": ["resid"],
        "layers": [0, 1],
        "positions": [0, None],
        "effects": [[[0.5, 1.0], [0.0, -0.5]]],
        "total_effect": 0.0,
        "metric": "logit diff",
    }
    heat = only(from_patching(data), HeatmapSection)
    assert heat.column_labels == ("A", "all")
    assert heat.value_label == "change in logit diff" and heat.panels[0].values[0] == (0.5, 1.0)
