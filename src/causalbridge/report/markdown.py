"""Render a report as GitHub-flavoured Markdown, for pasting into issues, pull requests and notebooks.

Figures become what Markdown can hold: a graph becomes a Mermaid flowchart (GitHub and JupyterLab draw it) and
its edge table, a chart becomes a table of its values and intervals, a heatmap becomes a table when it is small
enough to read (otherwise a pointer to ``report.json``). Long audit material sits in ``<details>`` blocks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from causalbridge.report.graph_svg import edge_marks
from causalbridge.report.model import (
    BarChartSection,
    Chapter,
    GraphSection,
    HeatmapSection,
    Report,
    Section,
    TableSection,
    TextSection,
    UsageSection,
)
from causalbridge.report.numbers import fmt, pct
from causalbridge.report.svg import PROVENANCE_COLOURS, PROVENANCE_LABELS

MAX_HEATMAP_CELLS = 600
_MERMAID_ARROWS = {
    ("tail", "arrow"): "-->",
    ("arrow", "tail"): "<--",
    ("arrow", "arrow"): "<-.->",
    ("tail", "tail"): "---",
    ("circle", "arrow"): "o-->",
    ("circle", "circle"): "o--o",
    ("arrow", "circle"): "<--o",
}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell (pipes escaped, newlines flattened)."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip() or " "


def md_table(columns: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool] = ()) -> list[str]:
    align = ["---:" if numeric and numeric[i] else "---" for i in range(len(columns))]
    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(cell(str(c)) for c in row) + " |" for row in rows]
    return lines


def _mermaid_id(name: str, ids: dict[str, str]) -> str:
    """Node ids are ``n0, n1, ...``: variable names can be Mermaid keywords (``end``) or hold any character."""
    return ids.setdefault(name, f"n{len(ids)}")


def mermaid(section: GraphSection) -> list[str]:
    """A Mermaid flowchart of the graph, edges labelled with probabilities and coloured by provenance."""
    ids: dict[str, str] = {}
    lines = ["```mermaid", "flowchart TD"]
    for node in section.nodes:
        label = re.sub(r'["<>]', "'", node)
        lines.append(f'    {_mermaid_id(node, ids)}["{label}"]')
    styles = []
    drawn = 0
    for e in section.edges:
        if e.status == "missing":
            continue
        arrow = _MERMAID_ARROWS.get(edge_marks(e), "-->")
        label = f"|{e.probability:.2f}|" if e.probability is not None and math.isfinite(e.probability) else ""
        lines.append(f"    {_mermaid_id(e.source, ids)} {arrow}{label} {_mermaid_id(e.target, ids)}")
        colour = PROVENANCE_COLOURS.get(e.provenance or "")
        if colour:
            styles.append(f"    linkStyle {drawn} stroke:{colour},stroke-width:2px")
        drawn += 1
    return [*lines, *styles, "```"]


def _graph(section: GraphSection, level: int) -> list[str]:
    out = [f"{'#' * level} {section.title}", "", *mermaid(section), ""]
    used = [p for p in PROVENANCE_LABELS if any(e.provenance == p for e in section.edges)]
    if used:
        out += ["Edge colours: " + ", ".join(f"{PROVENANCE_LABELS[p]} ({PROVENANCE_COLOURS[p]})" for p in used), ""]
    if section.caption:
        out += [f"*{section.caption}*", ""]
    return out


def _chart(section: BarChartSection, level: int) -> list[str]:
    def show(v: float | None) -> str:
        if v is None or not math.isfinite(v):
            return "–"
        return pct(v) if section.percent else fmt(v, 4)

    rows = [
        (("**" + b.label + "**") if b.flagged else b.label, show(b.value), f"[{show(b.low)}, {show(b.high)}]", b.detail)
        for b in section.bars
    ]
    out = [f"{'#' * level} {section.title}", ""]
    out += md_table(("", section.value_label or "value", "interval", ""), rows, (False, True, True, False))
    notes = []
    if section.reference is not None and section.reference_label:
        notes.append(f"reference line: {section.reference_label}")
    if section.flagged_label and any(b.flagged for b in section.bars):
        notes.append(f"**bold** = {section.flagged_label}")
    if section.caption:
        notes.append(section.caption)
    return [*out, "", *([f"*{'; '.join(notes)}*", ""] if notes else [])]


def _heatmap(section: HeatmapSection, level: int) -> list[str]:
    out = [f"{'#' * level} {section.title}", ""]
    cells = len(section.row_labels) * len(section.column_labels) * len(section.panels)
    if cells > MAX_HEATMAP_CELLS:
        shape = f"{len(section.panels)} × {len(section.row_labels)} × {len(section.column_labels)}"
        return [*out, f"*A {shape} grid of {section.value_label or 'values'}: see the HTML report or report.json.*", ""]
    for panel in section.panels:
        rows = [
            (label, *("–" if v is None else fmt(v, 2) for v in row))
            for label, row in zip(section.row_labels, panel.values, strict=True)
        ]
        head = (f"{section.row_axis or ''} \\ {section.column_axis or ''}".strip(), *section.column_labels)
        out += [f"**{panel.title}** ({section.value_label})", "", *md_table(head, rows), ""]
    return out


def _section(section: Section, level: int) -> list[str]:
    if isinstance(section, Chapter):
        lines = [f"{'#' * level} {section.title}", ""]
        if section.summary:
            lines += [section.summary, ""]
        for child in section.sections:
            lines += _section(child, level + 1)
        return lines
    if isinstance(section, TableSection):
        body = md_table(section.columns, section.rows, section.numeric)
        caption = [f"*{section.caption}*", ""] if section.caption else []
        if section.collapsed:
            return [f"<details><summary>{section.title}</summary>", "", *body, "", "</details>", ""]
        return [f"{'#' * level} {section.title}", "", *body, "", *caption]
    if isinstance(section, TextSection):
        prefix = {"note": "> **Note:** ", "warning": "> **Warning:** "}.get(section.tone, "")
        # a note or warning is one quote block, labelled once
        joined = prefix + "\n>\n> ".join(section.paragraphs) if prefix else "\n\n".join(section.paragraphs)
        return [f"{'#' * level} {section.title}", "", joined, ""]
    if isinstance(section, UsageSection):
        tiles = section.tiles()
        return [f"{'#' * level} {section.title}", "", " · ".join(f"{label}: **{value}**" for label, value in tiles), ""]
    if isinstance(section, GraphSection):
        return _graph(section, level)
    if isinstance(section, BarChartSection):
        return _chart(section, level)
    return _heatmap(section, level)


def render_markdown(report: Report) -> str:
    """The report as Markdown; the provenance block comes last, as in the HTML page."""
    lines = [f"# {report.title}", ""]
    if report.subtitle:
        lines += [report.subtitle, ""]
    for section in report.sections:
        lines += _section(section, 2)
    meta = report.meta
    if meta.command or meta.versions or meta.produced_by:
        lines += ["## Provenance", ""]
        if meta.created:
            lines.append(f"* made: {meta.created}")
        if meta.sources:
            lines.append("* from: " + ", ".join(f"`{s}`" for s in meta.sources))
        if meta.command:
            lines.append(f"* report command: `{meta.command}`")
        lines += [f"* results made by: `{c}`" for c in meta.produced_by]
        if meta.versions:
            lines.append("* versions: " + ", ".join(f"{name} {v}" for name, v in meta.versions))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
