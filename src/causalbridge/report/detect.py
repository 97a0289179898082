"""Recognise what a result file is and turn it into report chapters; one-line errors for anything else.

``causalbridge report`` accepts every result kind the library writes, plus a combined document
``{"title": ..., "sections": [...]}`` whose entries are report sections (``report.json`` of an earlier report),
result dictionaries, or ``{"title": ..., "result": {...}}`` wrappers, so a script can put several results on
one page without building sections itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from causalbridge.errors import InputError
from causalbridge.report.bench import from_bench
from causalbridge.report.discovery import from_discovery
from causalbridge.report.effect import from_effect
from causalbridge.report.model import Chapter, Report, ReportMeta, Section
from causalbridge.report.probes import from_attribution, from_bias, from_patching
from causalbridge.report.serialize import SECTION_KINDS, meta_from_dict, section_from_dict

PATCHING_FORMAT = "causalbridge.patching/1"
KNOWN = 'a discovery, effect, benchmark, bias, attribution or patching result, or a {"sections": [...]} report'

Builder = Callable[[Mapping[str, Any], str | None], Chapter]
BUILDERS: dict[str, Builder] = {
    "discovery": from_discovery,
    "effect": from_effect,
    "bench": from_bench,
    "bias": from_bias,
    "attribution": from_attribution,
    "patching": from_patching,
}


def detect_kind(data: Any) -> str | None:
    """``discovery``, ``effect``, ``bench``, ``bias``, ``attribution``, ``patching``, ``report`` or None."""
    if not isinstance(data, Mapping):
        return None
    keys = set(data)
    if data.get("format") == PATCHING_FORMAT or {"kinds", "layers", "positions", "effects"} <= keys:
        return "patching"
    if data.get("probe") in ("bias", "attribution"):
        return str(data["probe"])
    if {"config", "scores"} <= keys:
        return "bench"
    if {"treatment", "outcome", "estimates"} <= keys:
        return "effect"
    if {"nodes", "edges"} <= keys:
        return "discovery"
    graph = data.get("graph")
    if isinstance(graph, Mapping) and {"nodes", "edges"} <= set(graph):
        return "discovery"
    if isinstance(data.get("sections"), list):
        return "report"
    return None


def chapter_from_result(data: Any, where: str, title: str | None = None) -> Chapter:
    """The chapter for one result dictionary; an :class:`InputError` naming ``where`` if it is not one."""
    kind = detect_kind(data)
    if kind is None or kind == "report":
        raise InputError(f"not a causalbridge result (expected {KNOWN})", where=where)
    try:
        return BUILDERS[kind](data, title)
    except InputError as exc:
        raise InputError(
            f"malformed {kind} result: {exc.detail}", where=f"{where}: {exc.where}" if exc.where else where
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        detail = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        raise InputError(f"malformed {kind} result: {detail}", where=where) from None


def _entry(item: Any, where: str) -> Section:
    if isinstance(item, Mapping) and "kind" in item and (item["kind"] in SECTION_KINDS or detect_kind(item) is None):
        return section_from_dict(item, where)  # a report section (an unknown kind is named as such)
    if isinstance(item, Mapping) and isinstance(item.get("result"), Mapping):
        title = item.get("title")
        return chapter_from_result(item["result"], where, None if title is None else str(title))
    return chapter_from_result(item, where)


def report_from_data(data: Any, where: str, title: str | None = None) -> Report:
    """A report for one parsed JSON document of any known kind (meta is taken from a combined document)."""
    kind = detect_kind(data)
    if kind == "report":
        sections = tuple(_entry(item, f"{where}: sections[{i}]") for i, item in enumerate(data["sections"]))
        heading = title or str(data.get("title") or "causalbridge report")
        return Report(heading, sections, meta_from_dict(data.get("meta")), str(data.get("subtitle", "")))
    chapter = chapter_from_result(data, where)
    return Report(title or chapter.title, (chapter,))


def read_json(path: Path) -> Any:
    """Parse a JSON file, turning every way it can fail into one line naming the file (and line:column)."""
    if not path.exists():
        raise InputError("file not found", where=str(path))
    if path.is_dir():
        if (path / "report.json").is_file():  # a benchmark run directory, or an earlier report's folder
            return read_json(path / "report.json")
        raise InputError("is a directory without a report.json; give a result .json file", where=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file: {exc}", where=str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}") from None


def load_report(path: str | Path, title: str | None = None) -> Report:
    """Read one result file (any known kind) as a report."""
    path = Path(path)
    return report_from_data(read_json(path), str(path), title)


def combine(reports: Sequence[Report], title: str | None = None, meta: ReportMeta | None = None) -> Report:
    """Several reports on one page, in order; one report's sections are kept as they are."""
    sections = tuple(s for r in reports for s in r.sections)
    heading = title or (reports[0].title if len(reports) == 1 else "causalbridge report")
    chosen = meta if meta is not None else (reports[0].meta if reports else ReportMeta())
    return Report(heading, sections, chosen, reports[0].subtitle if len(reports) == 1 else "")


def produced_by(data: Any) -> tuple[str, ...]:
    """The command lines a result recorded about itself (``meta.command`` or ``command``), if any."""
    if not isinstance(data, Mapping):
        return ()
    meta = data.get("meta")
    found = [meta.get("command")] if isinstance(meta, Mapping) else []
    found.append(data.get("command"))
    return tuple(str(c) for c in found if isinstance(c, str) and c)
