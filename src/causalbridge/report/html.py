"""Render a report as one self-contained HTML page (or a fragment for notebooks) with jinja2.

Self-contained means: CSS inline, every figure inline SVG, no script, no font, no image file, no link to fetch;
the page also carries a Content-Security-Policy that forbids fetching anything, so it works offline, can be
mailed or attached to an issue, and opening it tells no server that it was opened.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2
from markupsafe import Markup

from causalbridge.report.charts import bar_chart_svg
from causalbridge.report.graph_svg import graph_svg
from causalbridge.report.heatmap_svg import heatmap_svg
from causalbridge.report.model import BarChartSection, GraphSection, HeatmapSection, Report, Section

TEMPLATES = Path(__file__).parent / "templates"


def draw(section: Section) -> Markup:
    """The SVG of a figure section (the drawings escape all text themselves)."""
    if isinstance(section, GraphSection):
        return Markup(graph_svg(section))
    if isinstance(section, BarChartSection):
        return Markup(bar_chart_svg(section))
    if isinstance(section, HeatmapSection):
        return Markup(heatmap_svg(section))
    raise TypeError(f"{type(section).__name__} is not a figure")


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["draw"] = draw
    return env


def _context(report: Report, prefix: str) -> dict[str, object]:
    from causalbridge import __version__

    return {
        "report": report,
        "chapters": report.chapters(),
        "version": __version__,
        "anchor": lambda i: f"{prefix}{i}",
    }


def render_html(report: Report) -> str:
    """The whole page: ``<!DOCTYPE html>`` to ``</html>``, needing nothing else to display."""
    return environment().get_template("page.html.j2").render(_context(report, "chapter-"))


def render_fragment(report: Report, anchor_prefix: str | None = None) -> str:
    """A ``<div>`` with scoped styles, for Jupyter's ``_repr_html_`` or for embedding in another page.

    Chapter anchors get a prefix unique to this report, so two reports in one notebook do not share ids.
    """
    prefix = anchor_prefix if anchor_prefix is not None else f"cb-{id(report):x}-"
    return environment().get_template("fragment.html.j2").render(_context(report, prefix))
