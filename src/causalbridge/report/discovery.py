"""Report chapters for discovery results (``DiscoveryResult.to_dict()``), optionally against a reference graph.

Besides a bare result, this accepts the wrapper a demo or script writes around it (``{"graph": result,
"network": ..., "shd_vs_dag": ...}``): numbers next to the graph are shown as metrics. A reference graph
(``"truth"``) adds each edge's status and, when no metrics were given, SHD and F1 computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from causalbridge.errors import CausalBridgeError, InputError
from causalbridge.report.model import (
    Chapter,
    DrawnEdge,
    GraphSection,
    RowStatus,
    Section,
    TableSection,
    TextSection,
    UsageSection,
)
from causalbridge.report.numbers import maybe, number, plain, seconds
from causalbridge.report.svg import PROVENANCE_LABELS

_KINDS = ("directed", "undirected", "bidirected")
_STATUS_TEXT = {
    "correct": "matches the reference",
    "reversed": "reversed",
    "unoriented": "direction not decided",
    "extra": "not in the reference",
    "mismatch": "edge marks differ from the reference",
    "missing": "not found",
}
_PROMPT_CHARS = 700
_ROW_STATUS: dict[str, RowStatus] = {
    "correct": "pass",
    "unoriented": "warn",
    "reversed": "fail",
    "extra": "fail",
    "mismatch": "fail",
    "missing": "fail",
}


def _edges(raw: Any, where: str) -> list[DrawnEdge]:
    if not isinstance(raw, list):
        raise InputError("'edges' must be a list", where=where)
    out = []
    for i, e in enumerate(raw):
        if isinstance(e, list | tuple) and len(e) == 2:
            out.append(DrawnEdge(str(e[0]), str(e[1])))
            continue
        if not isinstance(e, Mapping) or "source" not in e or "target" not in e:
            raise InputError("an edge needs 'source' and 'target'", where=f"{where}[{i}]")
        prov = e.get("provenance")
        out.append(
            DrawnEdge(
                source=str(e["source"]),
                target=str(e["target"]),
                kind=str(e.get("kind") or "directed"),
                provenance=None if prov is None else str(prov),
                probability=number(e.get("probability")),
                note=str(e.get("note") or ""),
            )
        )
    return out


def _kind_of(directed: bool, undirected: bool, bidirected: bool, text: str) -> str:
    if directed:
        return "directed"
    return "undirected" if undirected else ("bidirected" if bidirected else text)


def _truth_edges(truth: Any, where: str) -> list[DrawnEdge]:
    """A reference graph: a :class:`CausalGraph`, ``{"directed": [[a, b]], "undirected": [...], "bidirected":
    [...]}``, a ``{"nodes", "edges"}`` dictionary, or a plain list of directed pairs."""
    from causalbridge.graph import CausalGraph

    if isinstance(truth, CausalGraph):
        return [
            DrawnEdge(e.u, e.v, _kind_of(e.is_directed, e.is_undirected, e.is_bidirected, str(e))) for e in truth.edges
        ]
    if isinstance(truth, Mapping) and "edges" in truth:
        return _edges(truth["edges"], f"{where}.edges")
    if isinstance(truth, list):
        return _edges(truth, where)
    if isinstance(truth, Mapping):
        out = []
        for kind in _KINDS:
            for i, pair in enumerate(truth.get(kind, []) or []):
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise InputError("expected a [source, target] pair", where=f"{where}.{kind}[{i}]")
                out.append(DrawnEdge(str(pair[0]), str(pair[1]), kind))
        return out
    raise InputError("a reference graph must be an edge list or an object of edge lists", where=where)


def _status(edge: DrawnEdge, truth: Mapping[frozenset[str], DrawnEdge]) -> str:
    ref = truth.get(frozenset((edge.source, edge.target)))
    if ref is None:
        return "extra"
    if edge.kind == "directed" and ref.kind == "directed":
        return "correct" if (edge.source, edge.target) == (ref.source, ref.target) else "reversed"
    if edge.kind == ref.kind:
        return "correct"
    return "unoriented" if edge.kind == "undirected" and ref.kind == "directed" else "mismatch"


def compare_with_truth(edges: Sequence[DrawnEdge], truth: Sequence[DrawnEdge]) -> list[DrawnEdge]:
    """The result's edges with their status against ``truth``, then the reference edges that were not found."""
    by_pair = {frozenset((t.source, t.target)): t for t in truth}
    found = {frozenset((e.source, e.target)) for e in edges}
    marked = [
        DrawnEdge(e.source, e.target, e.kind, e.provenance, e.probability, e.note, _status(e, by_pair)) for e in edges
    ]
    marked += [
        DrawnEdge(t.source, t.target, t.kind, status="missing")
        for t in truth
        if frozenset((t.source, t.target)) not in found
    ]
    return marked


def _scores(nodes: Sequence[str], edges: Sequence[DrawnEdge], truth: Sequence[DrawnEdge]) -> list[tuple[str, str]]:
    """SHD and F1 against the reference, computed with :mod:`causalbridge.metrics` (empty if not applicable)."""
    from causalbridge.graph import CausalGraph
    from causalbridge.metrics import directed_scores, shd, skeleton_scores

    def graph(es: Sequence[DrawnEdge]) -> CausalGraph:
        lists: dict[str, list[tuple[str, str]]] = {k: [] for k in _KINDS}
        for e in es:
            if e.kind not in _KINDS:
                raise InputError(f"edge kind {e.kind!r} has no SHD", where="edges")
            lists[e.kind].append((e.source, e.target))
        return CausalGraph.from_edges(lists["directed"], lists["undirected"], lists["bidirected"], nodes=nodes)

    try:
        est, ref = graph(edges), graph(truth)
        skeleton, directed = skeleton_scores(est, ref), directed_scores(est, ref)
        return [
            ("SHD vs the reference DAG", str(shd(est, ref, against="dag"))),
            ("skeleton F1 (precision, recall)", f"{skeleton.f1:.3f} ({skeleton.precision:.3f}, {skeleton.recall:.3f})"),
            ("directed F1 (precision, recall)", f"{directed.f1:.3f} ({directed.precision:.3f}, {directed.recall:.3f})"),
        ]
    except CausalBridgeError:
        return []


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows += _flatten(value, f"{name}.")
        elif isinstance(value, float):
            rows.append((name, maybe(value, 4)))
        else:
            rows.append((name, "–" if value is None else str(value)))
    return rows


def _edge_text(e: DrawnEdge) -> str:
    arrow = {"directed": "→", "undirected": "—", "bidirected": "↔"}.get(e.kind)
    return f"{e.source} {arrow} {e.target}" if arrow else e.kind


def _edge_table(edges: Sequence[DrawnEdge], with_truth: bool) -> TableSection:
    columns = ["edge", "decided by", "probability", *(["vs reference"] if with_truth else []), "note"]
    rows: list[tuple[str, ...]] = []
    status: list[RowStatus] = []
    for e in edges:
        prov = (
            "–" if e.status == "missing" else PROVENANCE_LABELS.get(e.provenance or "", e.provenance or "not recorded")
        )
        cells = [_edge_text(e), prov, maybe(e.probability)]
        if with_truth:
            cells.append(_STATUS_TEXT.get(e.status, e.status))
        rows.append((*cells, e.note))
        status.append(_ROW_STATUS.get(e.status, ""))
    numeric = tuple(c == "probability" for c in columns)
    return TableSection(
        "Edges and who decided them",
        tuple(columns),
        tuple(rows),
        numeric=numeric,
        row_status=tuple(status) if with_truth else (),
    )


def _prompt_table(raw_edges: list[Any]) -> TableSection | None:
    rows = []
    for e in raw_edges:
        if not isinstance(e, Mapping):
            continue
        for prompt in e.get("prompts") or []:
            text = str(prompt)
            shown = text if len(text) <= _PROMPT_CHARS else text[:_PROMPT_CHARS] + " …"
            rows.append((f"{e.get('source')} – {e.get('target')}", shown))
    if not rows:
        return None
    title = f"Prompts behind the edges ({len(rows)})"
    return TableSection(title, ("pair", "prompt sent to the model"), tuple(rows), collapsed=True)


def from_discovery(data: Mapping[str, Any], title: str | None = None, truth: Any = None) -> Chapter:
    """A chapter for one discovery result: the graph, its edges with provenance, metrics, notes and usage."""
    result: Mapping[str, Any] = data
    metrics: list[tuple[str, str]] = []
    if isinstance(data.get("graph"), Mapping) and "edges" in data["graph"]:
        result = data["graph"]
        for key, value in data.items():
            if key not in ("graph", "truth") and number(value) is not None:
                metrics.append((key.replace("_", " "), plain(value)))
    if isinstance(data.get("metrics"), Mapping):
        metrics += [(str(k).replace("_", " "), plain(v)) for k, v in data["metrics"].items()]
    nodes = tuple(str(n) for n in result.get("nodes", []))
    edges = _edges(result.get("edges"), "edges")
    reference = truth if truth is not None else data.get("truth", result.get("truth"))
    with_truth = reference is not None
    if with_truth:
        truth_edges = _truth_edges(reference, "truth")
        if not metrics:
            metrics = _scores(nodes, edges, truth_edges)
        edges = compare_with_truth(edges, truth_edges)
    method = str(result.get("method", "discovery"))
    network = data.get("network")
    heading = title or (f"Discovery: {method} on {network}" if network else f"Discovery: {method}")
    found = [e for e in edges if e.status != "missing"]
    directed = sum(1 for e in found if e.kind == "directed")
    summary = (
        f"{len(nodes)} variables, {len(found)} edges ({directed} directed) found by {method} "
        f"in {seconds(result.get('runtime_seconds'))}."
    )
    sections: list[Section] = [GraphSection("Graph", nodes, tuple(edges), _caption(edges, with_truth))]
    notes = [str(n) for n in result.get("notes", []) or []]
    if notes:
        simulated = any("SIMULATED" in n for n in notes)
        sections.append(TextSection("Notes", tuple(notes), "warning" if simulated else "note"))
    sections.append(_edge_table(edges, with_truth))
    if metrics:
        sections.append(TableSection("Scores", ("metric", "value"), tuple(metrics), numeric=(False, True)))
    if isinstance(result.get("usage"), Mapping):
        sections.append(UsageSection.from_usage(result["usage"]))
    prompts = _prompt_table(list(result.get("edges") or []))
    if prompts is not None:
        sections.append(prompts)
    settings = _flatten(result.get("params") or {}) + _flatten(result.get("diagnostics") or {})
    if settings:
        sections.append(TableSection("Settings and diagnostics", ("name", "value"), tuple(settings), collapsed=True))
    return Chapter(heading, tuple(sections), summary)


def _caption(edges: Sequence[DrawnEdge], with_truth: bool) -> str:
    text = "Colour: who decided each edge. Labels: the edge's probability. Hover an edge for its note."
    if with_truth:
        missing = sum(1 for e in edges if e.status == "missing")
        wrong = sum(1 for e in edges if e.status in ("reversed", "extra", "mismatch"))
        text += (
            f" Dotted grey: {missing} edge(s) of the reference graph that were not found."
            if missing
            else " Every edge of the reference graph was found."
        )
        if wrong:
            text += f" Red halo: {wrong} edge(s) reversed, of another type, or not in the reference."
    return text
