"""Draw a causal graph as inline SVG: layered layout, edges coloured by who decided them, probabilities as labels.

The picture is the audit trail of a discovery run: each arrow's colour says whether the data, a language model,
the user or Meek's rules put it there, its label gives the probability, and hovering shows the note (``<title>``
tooltips need no JavaScript). Edges only in a reference graph are drawn faint and dotted, so what was missed is
visible next to what was found.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from causalbridge.report.layout import Point, layered_layout
from causalbridge.report.model import DrawnEdge, GraphSection
from causalbridge.report.svg import (
    INK,
    MISSING_COLOUR,
    MUTED,
    PROVENANCE_COLOURS,
    PROVENANCE_LABELS,
    UNKNOWN_COLOUR,
    esc,
    svg_open,
    text_width,
)

FONT_SIZE = 13.0
NODE_HEIGHT = 34.0
ARROW_LENGTH = 10.0
ARROW_HALF_WIDTH = 4.5
CIRCLE_RADIUS = 4.0
LEGEND_ROW = 22.0
NODE_RADIUS = 9.0
PORT_GAP = 12.0
WRONG = ("reversed", "extra", "mismatch")
HALO = "#fecaca"

Mark = str  # "tail", "arrow" or "circle"
_MARK_CHARS = {"-": "tail", ">": "arrow", "<": "arrow", "o": "circle"}
_EDGE_TEXT = re.compile(r"^(?P<u>.+) (?P<a>[<o-])-(?P<b>[>o-]) (?P<v>.+)$")


def edge_marks(edge: DrawnEdge) -> tuple[Mark, Mark]:
    """The marks at the source and target ends, from the edge kind (or the marks of a PAG edge's text)."""
    if edge.kind == "directed":
        return ("tail", "arrow")
    if edge.kind == "undirected":
        return ("tail", "tail")
    if edge.kind == "bidirected":
        return ("arrow", "arrow")
    match = _EDGE_TEXT.match(edge.kind)
    if match:
        return (_MARK_CHARS[match["a"]], _MARK_CHARS[match["b"]])
    return ("tail", "arrow")


def edge_colour(edge: DrawnEdge) -> str:
    if edge.status == "missing":
        return MISSING_COLOUR
    return PROVENANCE_COLOURS.get(edge.provenance or "", UNKNOWN_COLOUR)


def node_width(name: str) -> float:
    return max(44.0, text_width(name, FONT_SIZE) + 26.0)


def _unit(a: Point, b: Point) -> Point:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return (dx / length, dy / length)


def _path(points: Sequence[Point]) -> str:
    """A straight segment, or a smooth Catmull-Rom curve through the bend points."""
    head = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    if len(points) == 2:
        return f"{head} L{points[1][0]:.1f},{points[1][1]:.1f}"
    parts = [head]
    padded = [points[0], *points, points[-1]]
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        parts.append(f"C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {p2[0]:.1f},{p2[1]:.1f}")
    return " ".join(parts)


def _mark(mark: Mark, tip: Point, direction: Point, colour: str) -> str:
    """An arrowhead or circle whose tip touches the node at ``tip``; ``direction`` points into the node."""
    dx, dy = direction
    if mark == "arrow":
        bx, by = tip[0] - dx * ARROW_LENGTH, tip[1] - dy * ARROW_LENGTH
        left = (bx - dy * ARROW_HALF_WIDTH, by + dx * ARROW_HALF_WIDTH)
        right = (bx + dy * ARROW_HALF_WIDTH, by - dx * ARROW_HALF_WIDTH)
        return (
            f'<polygon class="cb-arrow" points="{tip[0]:.1f},{tip[1]:.1f} {left[0]:.1f},{left[1]:.1f} '
            f'{right[0]:.1f},{right[1]:.1f}" fill="{colour}"/>'
        )
    if mark == "circle":
        cx, cy = tip[0] - dx * CIRCLE_RADIUS, tip[1] - dy * CIRCLE_RADIUS
        return (
            f'<circle class="cb-circle-mark" cx="{cx:.1f}" cy="{cy:.1f}" r="{CIRCLE_RADIUS}" fill="#fff" '
            f'stroke="{colour}" stroke-width="1.6"/>'
        )
    return ""


def _midpoint(points: Sequence[Point]) -> Point:
    """The point halfway along a polyline."""
    lengths = [math.dist(a, b) for a, b in zip(points, points[1:], strict=False)]
    half = sum(lengths) / 2
    for (a, b), length in zip(zip(points, points[1:], strict=False), lengths, strict=True):
        if half <= length and length > 0:
            t = half / length
            return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
        half -= length
    return points[-1]


def _tooltip(edge: DrawnEdge, marks: tuple[Mark, Mark]) -> str:
    arrow = {("tail", "arrow"): "→", ("arrow", "tail"): "←", ("arrow", "arrow"): "↔", ("tail", "tail"): "—"}
    parts = [f"{edge.source} {arrow.get(marks, edge.kind)} {edge.target}"]
    if edge.provenance:
        parts.append(f"decided by {PROVENANCE_LABELS.get(edge.provenance, edge.provenance)}")
    if edge.probability is not None and math.isfinite(edge.probability):
        parts.append(f"p = {edge.probability:.3f}")
    if edge.status:
        parts.append({"missing": "in the reference graph only (not found)"}.get(edge.status, edge.status))
    if edge.note:
        parts.append(edge.note)
    return " · ".join(parts)


def _draw_edge(edge: DrawnEdge, route: Sequence[Point], first: Point, last: Point) -> str:
    """One edge from port ``first`` to port ``last`` through the layout's bend points."""
    colour = edge_colour(edge)
    marks = edge_marks(edge)
    points = [first, *route, last]
    d_start = _unit(points[1], points[0])  # pointing into the source node
    d_end = _unit(points[-2], points[-1])  # pointing into the target node
    shortened = list(points)
    if marks[0] != "tail":
        shortened[0] = (first[0] - d_start[0] * (ARROW_LENGTH - 1), first[1] - d_start[1] * (ARROW_LENGTH - 1))
    if marks[1] != "tail":
        shortened[-1] = (last[0] - d_end[0] * (ARROW_LENGTH - 1), last[1] - d_end[1] * (ARROW_LENGTH - 1))
    missing = edge.status == "missing"
    dash = ' stroke-dasharray="2 4"' if missing else (' stroke-dasharray="6 4"' if edge.kind == "bidirected" else "")
    width = 1.3 if missing else 2.0
    out = [
        f'<g class="cb-edge" data-source="{esc(edge.source)}" data-target="{esc(edge.target)}" '
        f'data-provenance="{esc(edge.provenance or "")}" data-status="{esc(edge.status)}">',
        f"<title>{esc(_tooltip(edge, marks))}</title>",
    ]
    if edge.status in WRONG:
        out.append(f'<path d="{_path(points)}" fill="none" stroke="{HALO}" stroke-width="8" stroke-linecap="round"/>')
    out += [
        f'<path d="{_path(shortened)}" fill="none" stroke="{colour}" stroke-width="{width}"{dash}/>',
        _mark(marks[0], first, d_start, colour),
        _mark(marks[1], last, d_end, colour),
    ]
    if edge.probability is not None and math.isfinite(edge.probability) and not missing:
        mx, my = _midpoint(points)
        out.append(
            f'<text class="cb-edge-label" x="{mx:.1f}" y="{my + 4:.1f}" text-anchor="middle" font-size="11" '
            f'font-weight="600" fill="{colour}" stroke="#fff" stroke-width="4" stroke-linejoin="round" '
            f'paint-order="stroke">{edge.probability:.2f}</text>'
        )
    out.append("</g>")
    return "".join(p for p in out if p)


def _ports(
    edges: Sequence[DrawnEdge], pos: dict[str, Point], routes: Sequence[Sequence[Point]], widths: dict[str, float]
) -> dict[tuple[int, int], Point]:
    """Where each edge end meets its node: edges entering one side of a node are spread along it, in the order
    of where they come from, so arrowheads do not pile up on one point and edges do not cross at the node."""
    sides: dict[tuple[str, bool], list[tuple[float, int, int]]] = {}
    for i, e in enumerate(edges):
        if e.source == e.target:
            continue
        points = [pos[e.source], *routes[i], pos[e.target]]
        for end, node, near in ((0, e.source, points[1]), (1, e.target, points[-2])):
            sides.setdefault((node, near[1] < pos[node][1]), []).append((near[0], i, end))
    ports: dict[tuple[int, int], Point] = {}
    for (node, top), items in sides.items():
        items.sort()
        cx, cy = pos[node]
        spacing = min(PORT_GAP, (widths[node] - 2 * NODE_RADIUS) / max(len(items), 1))
        y = cy - NODE_HEIGHT / 2 - 1 if top else cy + NODE_HEIGHT / 2 + 1
        for j, (_, i, end) in enumerate(items):
            ports[(i, end)] = (cx + (j - (len(items) - 1) / 2) * spacing, y)
    return ports


def _legend_items(edges: Sequence[DrawnEdge]) -> list[tuple[str, str, str, float]]:
    """(label, colour, dash, line width) for what the drawing uses, in a fixed order."""
    used = {e.provenance for e in edges if e.status != "missing"}
    items = [(PROVENANCE_LABELS[p], PROVENANCE_COLOURS[p], "", 2.4) for p in PROVENANCE_COLOURS if p in used]
    if any(p not in PROVENANCE_COLOURS for p in used):
        items.append(("not recorded", UNKNOWN_COLOUR, "", 2.4))
    if any(e.kind == "bidirected" for e in edges):
        items.append(("latent confounding (↔)", MUTED, "6 4", 2.4))
    if any(e.status in WRONG for e in edges):
        items.append(("wrong vs the reference", HALO, "", 8.0))
    if any(e.status == "missing" for e in edges):
        items.append(("in the reference only", MISSING_COLOUR, "2 4", 2.0))
    if any(e.probability is not None and e.status != "missing" for e in edges):
        items.append(("0.87 = probability", "", "", 0.0))
    return items


def _legend(items: list[tuple[str, str, str, float]], top: float, width: float) -> tuple[str, float]:
    x, y, out = 16.0, top, ['<g class="cb-legend" font-size="12">']
    for label, colour, dash, line in items:
        item_width = 34 + text_width(label, 12) + 18
        if x + item_width > width - 8 and x > 16:
            x, y = 16.0, y + LEGEND_ROW
        if colour:
            stroke_dash = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 26:.1f}" y2="{y:.1f}" stroke="{colour}" '
                f'stroke-width="{line:g}"{stroke_dash}/>'
            )
            out.append(f'<text x="{x + 32:.1f}" y="{y + 4:.1f}" fill="{INK}">{esc(label)}</text>')
        else:
            out.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" fill="{MUTED}">{esc(label)}</text>')
            item_width -= 34
        x += item_width
    out.append("</g>")
    return "".join(out), y - top + LEGEND_ROW


def _port_room(node: str, edges: Sequence[DrawnEdge]) -> float:
    """A width that leaves every edge on one side of the node its own port (hubs are drawn wider)."""
    into = sum(1 for e in edges if e.target == node and edge_marks(e) == ("tail", "arrow"))
    out_of = sum(1 for e in edges if e.source == node and edge_marks(e) == ("tail", "arrow"))
    other = sum(1 for e in edges if node in (e.source, e.target) and edge_marks(e) != ("tail", "arrow"))
    return PORT_GAP * (max(into, out_of) + other) + 2 * NODE_RADIUS


def graph_svg(section: GraphSection) -> str:
    """The whole drawing: nodes, edges, probability labels and a legend of the colours used."""
    nodes = list(section.nodes)
    known = set(nodes)
    for e in section.edges:  # tolerate edges naming nodes the list forgot
        for name in (e.source, e.target):
            if name not in known:
                known.add(name)
                nodes.append(name)
    widths = {name: max(node_width(name), _port_room(name, section.edges)) for name in nodes}
    layout = layered_layout(
        nodes,
        [(e.source, e.target, edge_marks(e) == ("tail", "arrow")) for e in section.edges],
        widths,
        node_height=NODE_HEIGHT,
    )
    items = _legend_items(section.edges)
    width = max(layout.width, 360.0 if items else 0.0)
    shift = (width - layout.width) / 2
    pos = {n: (x + shift, y) for n, (x, y) in layout.positions.items()}
    routes = [[(x + shift, y) for x, y in route] for route in layout.routes]
    ports = _ports(section.edges, pos, routes, widths)
    body: list[str] = []
    order = sorted(range(len(section.edges)), key=lambda i: section.edges[i].status != "missing")
    for i in order:  # faint missing edges first, so found edges are drawn over them
        e = section.edges[i]
        if e.source != e.target:
            body.append(_draw_edge(e, routes[i], ports[(i, 0)], ports[(i, 1)]))
    for name in nodes:
        x, y = pos[name]
        w = widths[name]
        body.append(
            f'<g class="cb-node" data-node="{esc(name)}"><title>{esc(name)}</title>'
            f'<rect x="{x - w / 2:.1f}" y="{y - NODE_HEIGHT / 2:.1f}" width="{w:.1f}" height="{NODE_HEIGHT}" '
            f'rx="{NODE_RADIUS:g}" fill="#f8fafc" stroke="#334155" stroke-width="1.4"/>'
            f'<text x="{x:.1f}" y="{y + 4.5:.1f}" text-anchor="middle" font-size="{FONT_SIZE:g}" fill="{INK}">'
            f"{esc(name)}</text></g>"
        )
    legend, legend_height = _legend(items, layout.height + 6, width) if items else ("", 0.0)
    height = layout.height + (legend_height + 10 if items else 0)
    label = f"{section.title}: {len(nodes)} variables, {len(section.edges)} edges"
    scale = 1.25 if width < 640 else 1.0
    return svg_open(width, height, label, "cb-graph", scale) + "".join(body) + legend + "</svg>"
