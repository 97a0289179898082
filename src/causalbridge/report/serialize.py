"""Reports as JSON: ``report.json`` holds the whole document, so a page can be re-rendered or merged later.

Reading is strict (unknown section kinds and malformed fields are :class:`InputError` naming the section), because
this is also the format a user hands to ``causalbridge report`` as a combined ``{"sections": [...]}`` file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from causalbridge.errors import InputError
from causalbridge.report.model import (
    REPORT_FORMAT,
    Bar,
    BarChartSection,
    Chapter,
    DrawnEdge,
    GraphSection,
    HeatmapPanel,
    HeatmapSection,
    Report,
    ReportMeta,
    Section,
    TableSection,
    TextSection,
    UsageSection,
)

SECTION_KINDS = ("chapter", "graph", "table", "bar_chart", "heatmap", "text", "usage")


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def section_to_dict(section: Section) -> dict[str, Any]:
    """One section as JSON-ready data with a ``kind`` key (non-finite numbers become null)."""
    head: dict[str, Any] = {"kind": section.kind, "title": section.title}
    if isinstance(section, Chapter):
        return {**head, "summary": section.summary, "sections": [section_to_dict(s) for s in section.sections]}
    if isinstance(section, GraphSection):
        edges = [
            {
                "source": e.source,
                "target": e.target,
                "kind": e.kind,
                "provenance": e.provenance,
                "probability": _num(e.probability),
                "note": e.note,
                "status": e.status,
            }
            for e in section.edges
        ]
        return {**head, "nodes": list(section.nodes), "edges": edges, "caption": section.caption}
    if isinstance(section, TableSection):
        return {
            **head,
            "columns": list(section.columns),
            "rows": [list(r) for r in section.rows],
            "caption": section.caption,
            "numeric": list(section.numeric),
            "row_status": list(section.row_status),
            "collapsed": section.collapsed,
        }
    if isinstance(section, BarChartSection):
        bars = [
            {
                "label": b.label,
                "value": _num(b.value),
                "low": _num(b.low),
                "high": _num(b.high),
                "flagged": b.flagged,
                "detail": b.detail,
            }
            for b in section.bars
        ]
        return {
            **head,
            "bars": bars,
            "value_label": section.value_label,
            "style": section.style,
            "reference": _num(section.reference),
            "reference_label": section.reference_label,
            "percent": section.percent,
            "domain": None if section.domain is None else list(section.domain),
            "caption": section.caption,
            "flagged_label": section.flagged_label,
        }
    if isinstance(section, HeatmapSection):
        panels = [{"title": p.title, "values": [[_num(v) for v in row] for row in p.values]} for p in section.panels]
        return {
            **head,
            "row_labels": list(section.row_labels),
            "column_labels": list(section.column_labels),
            "panels": panels,
            "value_label": section.value_label,
            "diverging": section.diverging,
            "limits": None if section.limits is None else list(section.limits),
            "caption": section.caption,
            "row_axis": section.row_axis,
            "column_axis": section.column_axis,
        }
    if isinstance(section, TextSection):
        return {**head, "paragraphs": list(section.paragraphs), "tone": section.tone, "collapsed": section.collapsed}
    return {
        **head,
        "queries": section.queries,
        "requests": section.requests,
        "prompt_tokens": section.prompt_tokens,
        "completion_tokens": section.completion_tokens,
        "cache_hits": section.cache_hits,
        "retries": section.retries,
        "wall_seconds": section.wall_seconds,
        "cost_usd": section.cost_usd,
    }


def meta_to_dict(meta: ReportMeta) -> dict[str, Any]:
    return {
        "command": meta.command,
        "versions": dict(meta.versions),
        "created": meta.created,
        "sources": list(meta.sources),
        "produced_by": list(meta.produced_by),
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "format": REPORT_FORMAT,
        "title": report.title,
        "subtitle": report.subtitle,
        "meta": meta_to_dict(report.meta),
        "sections": [section_to_dict(s) for s in report.sections],
    }


# ---------------------------------------------------------------------- reading
def _float(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else _float(value)


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return tuple(str(v) for v in value)


def _pair(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    low, high = value
    return (_float(low), _float(high))


def _build(data: Mapping[str, Any], where: str) -> Section:
    kind, title = data["kind"], str(data.get("title", ""))
    if kind == "chapter":
        children = data.get("sections", [])
        if not isinstance(children, list):
            raise TypeError("'sections' must be a list")
        built = tuple(section_from_dict(c, f"{where}.sections[{i}]") for i, c in enumerate(children))
        return Chapter(title, built, str(data.get("summary", "")))
    if kind == "graph":
        edges = tuple(
            DrawnEdge(
                source=str(e["source"]),
                target=str(e["target"]),
                kind=str(e.get("kind", "directed")),
                provenance=None if e.get("provenance") is None else str(e["provenance"]),
                probability=_opt_float(e.get("probability")),
                note=str(e.get("note", "") or ""),
                status=str(e.get("status", "") or ""),
            )
            for e in data["edges"]
        )
        return GraphSection(title, _strs(data["nodes"]), edges, str(data.get("caption", "")))
    if kind == "table":
        return TableSection(
            title,
            _strs(data["columns"]),
            tuple(_strs(r) for r in data["rows"]),
            str(data.get("caption", "")),
            tuple(bool(n) for n in data.get("numeric", [])),
            tuple(data.get("row_status", [])),
            bool(data.get("collapsed", False)),
        )
    if kind == "bar_chart":
        bars = tuple(
            Bar(
                str(b["label"]),
                _float(b["value"]),
                _opt_float(b.get("low")),
                _opt_float(b.get("high")),
                bool(b.get("flagged", False)),
                str(b.get("detail", "")),
            )
            for b in data["bars"]
        )
        return BarChartSection(
            title,
            bars,
            str(data.get("value_label", "")),
            data.get("style", "bar"),
            _opt_float(data.get("reference")),
            str(data.get("reference_label", "")),
            bool(data.get("percent", False)),
            _pair(data.get("domain")),
            str(data.get("caption", "")),
            str(data.get("flagged_label", "")),
        )
    if kind == "heatmap":
        panels = tuple(
            HeatmapPanel(str(p.get("title", "")), tuple(tuple(_opt_float(v) for v in row) for row in p["values"]))
            for p in data["panels"]
        )
        return HeatmapSection(
            title,
            _strs(data["row_labels"]),
            _strs(data["column_labels"]),
            panels,
            str(data.get("value_label", "")),
            bool(data.get("diverging", True)),
            _pair(data.get("limits")),
            str(data.get("caption", "")),
            str(data.get("row_axis", "")),
            str(data.get("column_axis", "")),
        )
    if kind == "text":
        return TextSection(title, _strs(data["paragraphs"]), data.get("tone", "plain"), bool(data.get("collapsed")))
    return UsageSection.from_usage(data, title)


def section_from_dict(data: Any, where: str = "section") -> Section:
    """A section from :func:`section_to_dict` output; an :class:`InputError` naming ``where`` when malformed."""
    if not isinstance(data, Mapping):
        raise InputError(f"a section must be an object, got {type(data).__name__}", where=where)
    kind = data.get("kind")
    if kind not in SECTION_KINDS:
        raise InputError(f"unknown section kind {kind!r} (known: {', '.join(SECTION_KINDS)})", where=where)
    try:
        return _build(data, where)
    except InputError as exc:
        if exc.where and exc.where.startswith(where):
            raise
        raise InputError(exc.detail, where=where) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(f"malformed {kind} section: {detail}", where=where) from None


def meta_from_dict(data: Any) -> ReportMeta:
    if not isinstance(data, Mapping):
        return ReportMeta()
    versions = data.get("versions", {})
    return ReportMeta(
        command=str(data.get("command", "")),
        versions=tuple((str(k), str(v)) for k, v in versions.items()) if isinstance(versions, Mapping) else (),
        created=str(data.get("created", "")),
        sources=tuple(str(s) for s in data.get("sources", []) or []),
        produced_by=tuple(str(s) for s in data.get("produced_by", []) or []),
    )


def report_from_dict(data: Mapping[str, Any], where: str = "report") -> Report:
    """A report from :func:`report_to_dict` output (every section must be a report section)."""
    sections = data.get("sections")
    if not isinstance(sections, list):
        raise InputError("'sections' must be a list", where=where)
    built = tuple(section_from_dict(s, f"{where}: sections[{i}]") for i, s in enumerate(sections))
    title = str(data.get("title", "causalbridge report"))
    return Report(title, built, meta_from_dict(data.get("meta")), str(data.get("subtitle", "")))
