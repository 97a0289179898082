"""Report chapters for effect analyses (``EffectResult.to_dict()``): identification, estimates, checks, roles.

The order follows how a reader should trust the number: first *why* the effect is identified (and what not to
adjust for), then the estimates side by side, then the refutations and the sensitivity analysis that could
undermine them, and finally where the roles of the variables came from (the LLM, the user).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from causalbridge.report.model import (
    Bar,
    BarChartSection,
    Chapter,
    DrawnEdge,
    GraphSection,
    RowStatus,
    Section,
    TableSection,
    TextSection,
    UsageSection,
)
from causalbridge.report.numbers import fmt, maybe, number, plain

_ROLE_COLUMNS = (
    ("variable", "variable"),
    ("role", "role"),
    ("probability", "probability"),
    ("provenance", "source"),
    ("llm_role", "model said"),
    ("bad_control", "bad control"),
    ("bad_control_reason", "why not adjust"),
    ("rationale", "rationale"),
    ("note", "note"),
)
_ARROWS = {"->": "directed", "<->": "bidirected", "--": "undirected"}


def _set(values: Any) -> str:
    if values is None:
        return "none"
    return "{" + ", ".join(str(v) for v in values) + "}"


def _identification(data: Mapping[str, Any]) -> TextSection:
    ident = data.get("identification") or {}
    lines = [f"How: {ident.get('kind', '?')} — {ident.get('estimand', '')}".rstrip(" —")]
    if ident.get("reason"):
        lines.append(f"Why: {ident['reason']}")
    if data.get("adjustment_set") is not None:
        lines.append(f"Adjustment set ({data.get('adjustment_source', '?')}): {_set(data['adjustment_set'])}")
    for bad in ident.get("bad_controls") or []:
        lines.append(f"Do not adjust for {bad.get('variable')} ({bad.get('kind')}): {bad.get('reason', '')}")
    instruments = ident.get("instruments") or []
    if instruments:
        shown = ", ".join(
            str(i.get("variable")) + (f" given {_set(i.get('given'))}" if i.get("given") else "") for i in instruments
        )
        lines.append(f"Instruments: {shown}")
    if ident.get("latent"):
        lines.append(f"Unobserved: {_set(ident['latent'])}")
    return TextSection("Identification", tuple(lines))


def _estimates(estimates: Mapping[str, Any]) -> tuple[TableSection, BarChartSection]:
    rows, bars = [], []
    for name, est in estimates.items():
        est = est if isinstance(est, Mapping) else {}
        value, low, high = number(est.get("value")), number(est.get("ci_low")), number(est.get("ci_high"))
        interval = "–" if low is None or high is None else f"[{fmt(low, 4)}, {fmt(high, 4)}]"
        notes = "; ".join(str(n) for n in est.get("notes") or [])
        rows.append(
            (str(name), maybe(value, 4), interval, maybe(est.get("std_error")), str(est.get("method", "")), notes)
        )
        if value is not None:
            bars.append(Bar(str(name), value, low, high, detail=str(est.get("method", ""))))
    table = TableSection(
        "Estimates",
        ("estimator", "estimate", "95% interval", "std. error", "method", "notes"),
        tuple(rows),
        caption="The first estimator is the primary one: the refutations below re-run it.",
        numeric=(False, True, True, True, False, False),
    )
    chart = BarChartSection(
        "Estimates with 95% intervals", tuple(bars), "effect", style="forest", reference=0.0, reference_label="0"
    )
    return table, chart


def _numbers(numbers: Any) -> str:
    if not isinstance(numbers, Mapping):
        return ""

    return ", ".join(f"{k} {plain(v, 3)}" for k, v in numbers.items())


def _refutations(refutations: list[Any], sensitivity: Any) -> TableSection:
    rows: list[tuple[str, ...]] = []
    status: list[RowStatus] = []
    checks = [(r, "refutation") for r in refutations] + ([(sensitivity, "sensitivity")] if sensitivity else [])
    for check, kind in checks:
        if not isinstance(check, Mapping):
            continue
        verdict = str(check.get("verdict", "?"))
        explanation = str(check.get("explanation", ""))
        rows.append((str(check.get("name", kind)), verdict.upper(), explanation, _numbers(check.get("numbers"))))
        status.append("pass" if verdict == "pass" else ("warn" if verdict == "warn" else "fail"))
    return TableSection(
        "Refutations and sensitivity",
        ("check", "verdict", "what it found", "numbers"),
        tuple(rows),
        caption="A pass does not prove the estimate right; a warning says where to look.",
        row_status=tuple(status),
    )


def _roles(roles: list[Any]) -> TableSection | None:
    dicts = [r for r in roles if isinstance(r, Mapping)]
    if not dicts:
        if roles:  # roles recorded as plain text
            return TableSection("Variable roles", ("role",), tuple((str(r),) for r in roles))
        return None
    present = [(key, label) for key, label in _ROLE_COLUMNS if any(d.get(key) not in (None, "") for d in dicts)]
    if not present:
        present = [("variable", "variable")]
    rows = []
    for d in dicts:
        cells = []
        for key, _ in present:
            value = d.get(key)
            cells.append(maybe(value) if key == "probability" else ("–" if value in (None, "") else str(value)))
        rows.append(tuple(cells))
    return TableSection(
        "Variable roles",
        tuple(label for _, label in present),
        tuple(rows),
        caption="Where each variable's role came from: the language model (with its probability) or the user.",
        numeric=tuple(key == "probability" for key, _ in present),
    )


def _proposed_graph(data: Mapping[str, Any], analysis: Mapping[str, Any]) -> GraphSection | None:
    """The graph the LLM's roles imply (``role_analysis.edges`` as ``"a -> b"``), coloured by llm / user."""
    edges, nodes = [], [str(data.get("treatment", "?")), str(data.get("outcome", "?"))]
    for e in analysis.get("edges") or []:
        parts = str(e.get("edge", "")).split(" ") if isinstance(e, Mapping) else []
        if len(parts) != 3 or parts[1] not in _ARROWS:
            continue
        source, arrow, target = parts
        nodes += [n for n in (source, target) if n not in nodes]
        provenance = str(e.get("provenance") or "") or None
        edges.append(DrawnEdge(source, target, _ARROWS[arrow], provenance, None, str(e.get("reason") or "")))
    if not edges:
        return None
    origin = "used for the analysis" if data.get("graph_source") == "roles" else "for comparison with the given graph"
    return GraphSection(
        "Graph proposed from the roles",
        tuple(nodes),
        tuple(edges),
        f"Each edge follows from a variable's role ({origin}); hover an edge for the reason.",
    )


def _role_sections(data: Mapping[str, Any]) -> list[Section]:
    analysis = data.get("role_analysis")
    analysis = analysis if isinstance(analysis, Mapping) else {}
    sections: list[Section] = []
    if analysis.get("simulated"):
        sections.append(
            TextSection(
                "Simulation", (f"The roles come from a SIMULATED expert ({analysis.get('model')}).",), "warning"
            )
        )
    roles = _roles(list(data.get("roles") or []))
    if roles is not None:
        if analysis.get("model"):
            roles = dataclasses.replace(roles, caption=f"{roles.caption} Model: {analysis['model']}.")
        sections.append(roles)
    notes = [str(n) for n in analysis.get("notes") or []]
    if notes:
        sections.append(TextSection("Notes on the roles", tuple(notes), "note"))
    graph = _proposed_graph(data, analysis)
    if graph is not None:
        sections.append(graph)
    if isinstance(analysis.get("usage"), Mapping):
        sections.append(UsageSection.from_usage(analysis["usage"], "LLM usage for the roles"))
    return sections


def from_effect(data: Mapping[str, Any], title: str | None = None) -> Chapter:
    """A chapter for one effect analysis; an empty or missing roles list simply leaves the roles table out."""
    t, y = str(data.get("treatment", "?")), str(data.get("outcome", "?"))
    estimates = data.get("estimates") or {}
    if not isinstance(estimates, Mapping):
        estimates = {}
    summary = f"Effect of {t} on {y} (n = {data.get('n', '?')}, seed {data.get('seed', '?')})."
    if estimates:
        name, first = next(iter(estimates.items()))
        first = first if isinstance(first, Mapping) else {}
        summary += (
            f" Primary estimate ({name}): {maybe(first.get('value'), 4)} "
            f"[{maybe(first.get('ci_low'), 4)}, {maybe(first.get('ci_high'), 4)}]."
        )
    sections: list[Section] = [_identification(data)]
    if data.get("graph_source") == "roles":
        sections.append(
            TextSection("Graph", ("The graph was proposed from the variable roles below, not given.",), "note")
        )
    warnings = [str(w) for w in data.get("warnings") or []]
    if warnings:
        sections.append(TextSection("Warnings", tuple(warnings), "warning"))
    if estimates:
        table, chart = _estimates(estimates)
        sections += [table, chart]
    refutations = data.get("refutations") or []
    if refutations or data.get("sensitivity"):
        sections.append(_refutations(list(refutations), data.get("sensitivity")))
    sections += _role_sections(data)
    if isinstance(data.get("usage"), Mapping):
        sections.append(UsageSection.from_usage(data["usage"]))
    return Chapter(title or f"Effect of {t} on {y}", tuple(sections), summary)
