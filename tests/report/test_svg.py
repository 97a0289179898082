"""The drawings: well-formed SVG whose marks, colours, labels and geometry say what the data says."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from causalbridge.report import Bar, BarChartSection, DrawnEdge, GraphSection, HeatmapPanel, HeatmapSection
from causalbridge.report.charts import PLOT_HEIGHT, bar_chart_svg
from causalbridge.report.graph_svg import NODE_HEIGHT, graph_svg
from causalbridge.report.heatmap_svg import EMPTY, cell_colour, colour_limits, heatmap_svg
from causalbridge.report.svg import DIVERGING, PROVENANCE_COLOURS, nice_ticks, text_width


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # inline SVG must also be well-formed XML


def groups(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [g for g in root.iter() if css_class in (g.get("class") or "").split()]


def graph(*edges: DrawnEdge, nodes: tuple[str, ...] = ()) -> ET.Element:
    names = nodes or tuple(dict.fromkeys(n for e in edges for n in (e.source, e.target)))
    return parse(graph_svg(GraphSection("g", names, edges)))


def test_edges_are_coloured_by_provenance_and_labelled_with_their_probability() -> None:
    root = graph(
        DrawnEdge("a", "b", provenance="llm", probability=0.873),
        DrawnEdge("a", "c", provenance="data"),
        DrawnEdge("b", "d", provenance="data+llm", probability=0.5),
        DrawnEdge("c", "d", provenance="user"),
        DrawnEdge("d", "e", provenance="meek"),
    )
    edges = {(g.get("data-source"), g.get("data-target")): g for g in groups(root, "cb-edge")}
    assert len(edges) == 5
    for (_, _), g in edges.items():
        colour = PROVENANCE_COLOURS[g.get("data-provenance") or ""]
        path = next(e for e in g if e.tag == "path")
        assert path.get("stroke") == colour
        assert [p.get("fill") for p in g if p.tag == "polygon"] == [colour]  # one arrowhead, same colour
    labels = [t.text for t in root.iter("text") if t.get("class") == "cb-edge-label"]
    assert sorted(labels) == ["0.50", "0.87"]
    legend = "".join(t.text or "" for g in groups(root, "cb-legend") for t in g.iter("text"))
    for name in ("data", "LLM", "data + LLM", "user", "Meek's rules", "probability"):
        assert name in legend
    assert "latent confounding" not in legend  # only what the drawing uses is explained


def test_marks_follow_the_edge_kind() -> None:
    root = graph(
        DrawnEdge("a", "b", "undirected"),
        DrawnEdge("b", "c", "bidirected"),
        DrawnEdge("c", "d", "c o-> d"),
        DrawnEdge("d", "e", "d o-o e"),
    )
    edges = {g.get("data-source"): g for g in groups(root, "cb-edge")}

    def marks(source: str) -> tuple[int, int]:
        g = edges[source]
        return len([e for e in g if e.tag == "polygon"]), len([e for e in g if e.tag == "circle"])

    assert marks("a") == (0, 0)
    assert marks("b") == (2, 0)
    assert marks("c") == (1, 1)
    assert marks("d") == (0, 2)
    assert "stroke-dasharray" in ET.tostring(edges["b"]).decode()  # latent confounding is dashed


def test_an_arrowhead_touches_the_box_of_its_target() -> None:
    root = graph(DrawnEdge("cause", "effect"))
    boxes = {g.get("data-node"): next(r for r in g if r.tag == "rect") for g in groups(root, "cb-node")}
    top = float(boxes["effect"].get("y") or 0)
    bottom = float(boxes["cause"].get("y") or 0) + NODE_HEIGHT
    polygon = next(p for p in root.iter("polygon"))
    tip = [float(v) for v in (polygon.get("points") or "").split()[0].split(",")]
    assert tip[1] == pytest.approx(top - 1, abs=0.1)
    path = next(p for g in groups(root, "cb-edge") for p in g if p.tag == "path")
    start_y = float(re.findall(r"M[\d.]+,([\d.]+)", path.get("d") or "")[0])
    assert start_y == pytest.approx(bottom + 1, abs=0.1)


def test_comparison_with_a_reference_is_visible() -> None:
    root = graph(
        DrawnEdge("a", "b", provenance="data", status="correct"),
        DrawnEdge("c", "b", provenance="llm", status="reversed"),
        DrawnEdge("a", "c", status="missing"),
    )
    edges = {g.get("data-status"): g for g in groups(root, "cb-edge")}
    assert len([p for p in edges["reversed"] if p.tag == "path"]) == 2  # halo under the edge
    assert len([p for p in edges["correct"] if p.tag == "path"]) == 1
    missing = next(p for p in edges["missing"] if p.tag == "path")
    assert missing.get("stroke-dasharray") == "2 4"
    legend = "".join(t.text or "" for g in groups(root, "cb-legend") for t in g.iter("text"))
    assert "wrong vs the reference" in legend and "in the reference only" in legend


def test_names_are_escaped_and_unknown_nodes_are_added() -> None:
    svg = graph_svg(GraphSection("g", ("<b>&",), (DrawnEdge("<b>&", 'later "q"', note="<script>"),)))
    root = parse(svg)
    assert "<script>" not in svg and "<b>" not in svg
    assert {g.get("data-node") for g in groups(root, "cb-node")} == {"<b>&", 'later "q"'}


def test_hub_nodes_get_room_for_one_port_per_edge() -> None:
    edges = tuple(DrawnEdge(f"c{i}", "hub") for i in range(6))
    root = graph(*edges)
    ends = sorted(float((p.get("points") or "").split()[0].split(",")[0]) for p in root.iter("polygon"))
    assert min(b - a for a, b in zip(ends, ends[1:], strict=False)) >= 11.9


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [r for g in groups(root, "cb-bar") for r in g if r.tag == "rect"]


def test_bar_heights_are_proportional_and_the_reference_line_sits_at_its_value() -> None:
    section = BarChartSection(
        "acc",
        (Bar("rung 1", 0.5, 0.3, 0.7), Bar("rung 2", 0.25, 0.1, 0.45), Bar("rung 3", 1.0)),
        "accuracy",
        reference=0.5,
        reference_label="chance 50%",
        percent=True,
        domain=(0.0, 1.0),
    )
    root = parse(bar_chart_svg(section))
    heights = [float(r.get("height") or 0) for r in bars_of(root)]
    assert heights == pytest.approx([PLOT_HEIGHT / 2, PLOT_HEIGHT / 4, PLOT_HEIGHT], abs=0.1)
    reference = next(line for line in root.iter("line") if line.get("class") == "cb-reference")
    first = bars_of(root)[0]
    assert float(reference.get("y1") or 0) == pytest.approx(float(first.get("y") or 0), abs=0.1)
    texts = [t.text for t in root.iter("text")]
    assert {"50.0%", "25.0%", "100.0%", "chance 50%", "0%", "100%"} <= set(texts)


def test_forest_plot_puts_points_and_intervals_where_the_numbers_are() -> None:
    section = BarChartSection(
        "effects", (Bar("a", -1.0, -2.0, 0.0), Bar("b", 2.0, 1.0, 3.0, flagged=True)), style="forest", reference=0.0,
        flagged_label="significant",
    )  # fmt: skip
    root = parse(bar_chart_svg(section))
    points = [c for g in groups(root, "cb-bar") for c in g if c.tag == "circle"]
    xs = [float(c.get("cx") or 0) for c in points]
    zero = float(next(line for line in root.iter("line") if line.get("class") == "cb-reference").get("x1") or 0)
    assert xs[0] < zero < xs[1]
    # the upper end of a's interval is exactly at zero, and b's point is one unit further right than zero is
    assert (zero - xs[0]) == pytest.approx(xs[1] - zero - (zero - xs[0]), abs=0.2)  # coordinates have 1 decimal
    assert points[1].get("fill") != points[0].get("fill")
    assert "significant" in [t.text for t in root.iter("text")]


def test_heatmap_draws_every_cell_with_a_shared_symmetric_scale() -> None:
    section = HeatmapSection(
        "h",
        ("0", "1"),
        ("The", " cat", "all"),
        (
            HeatmapPanel("resid", ((0.0, 1.0, None), (-0.5, 0.25, 0.0))),
            HeatmapPanel("mlp", ((0.0, 0.0, 0.0), (0.0, -1.0, 0.0))),
        ),
        "share",
    )
    assert colour_limits(section) == (-1.0, 1.0)
    root = parse(heatmap_svg(section))
    cells = [r for r in root.iter("rect") if r.get("class") == "cb-cell"]
    assert len(cells) == 12
    fills = [c.get("fill") for c in cells]
    assert fills[1] == DIVERGING[-1] and fills[10] == DIVERGING[0] and fills[2] == EMPTY
    titles = [c.find("title").text for c in cells]  # type: ignore[union-attr]
    assert titles[1] == "resid · 0 ·  cat: 1.00"
    assert [p.get("data-panel") for p in groups(root, "cb-heatmap-panel")] == ["resid", "mlp"]


def test_sequential_heatmaps_and_colours_in_between() -> None:
    assert cell_colour(0.0, (-1.0, 1.0), True) == DIVERGING[3]
    assert cell_colour(math.nan, (0.0, 1.0), False) == EMPTY
    section = HeatmapSection("h", ("r",), ("c1", "c2"), (HeatmapPanel("p", ((2.0, 4.0),)),), diverging=False)
    assert colour_limits(section) == (2.0, 4.0)


@pytest.mark.parametrize(("low", "high"), [(0, 1), (-0.43, 0.32), (0.0, 2.1), (-1.0000001, 1.0000001), (3, 3)])
def test_ticks_are_round_cover_the_range_and_have_no_negative_zero(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= min(high, low + 1)
    assert 2 <= len(ticks) <= 8
    assert all(str(t) != "-0.0" for t in ticks)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


def test_text_width_grows_with_text() -> None:
    assert 0 < text_width("ab", 12) < text_width("abcd", 12) < text_width("WWWW", 12)
