"""Write a report to a folder: ``index.html`` (open it), ``report.md`` (paste it), ``report.json`` (keep it)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from causalbridge.errors import InputError
from causalbridge.report.html import render_html
from causalbridge.report.markdown import render_markdown
from causalbridge.report.model import Report
from causalbridge.report.serialize import report_to_dict

HTML_NAME = "index.html"
MARKDOWN_NAME = "report.md"
JSON_NAME = "report.json"


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """Where :func:`write_report` put each file."""

    html: Path
    markdown: Path
    json: Path


def _write(path: Path, text: str) -> None:
    """Write through a temporary file, so an interrupted run never leaves half a page behind."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_report(report: Report, out_dir: str | Path) -> ReportFiles:
    """Render ``report`` into ``out_dir`` (created if needed) and return the three paths."""
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise InputError("exists and is not a directory", where=str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder: {exc.strerror or exc}", where=str(folder)) from None
    files = ReportFiles(folder / HTML_NAME, folder / MARKDOWN_NAME, folder / JSON_NAME)
    _write(files.html, render_html(report))
    _write(files.markdown, render_markdown(report))
    _write(files.json, json.dumps(report_to_dict(report), indent=1, ensure_ascii=False) + "\n")
    return files
