"""``causalbridge report``: turn result JSON files into one self-contained HTML page, Markdown and JSON.

Example: causalbridge report discovery.json effect.json --out report/ --title "Smoking and lung function"
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from causalbridge.cli.console import out, verbosity


def report_command(
    results: Annotated[
        list[Path],
        typer.Argument(
            help="Result files (discovery, effect, benchmark report.json, bias, attribution, patching, or a "
            '{"sections": [...]} report); several files make one page, in the order given.',
            show_default=False,
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for index.html, report.md, report.json.")] = Path(
        "report"
    ),
    title: Annotated[str | None, typer.Option("--title", help="Page title (default: from the results).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the written paths as JSON.")] = False,
) -> None:
    """Write a self-contained HTML report (no internet needed to view it) plus Markdown and JSON.

    Example: causalbridge report runs/discovery.json runs/effect.json --out report/
    """
    from causalbridge.report import collect_meta, combine, report_from_data, write_report
    from causalbridge.report.detect import produced_by, read_json

    documents = [(path, read_json(path)) for path in results]
    reports = [report_from_data(data, str(path)) for path, data in documents]
    made_by = tuple(c for _, data in documents for c in produced_by(data))
    meta = collect_meta(sources=[str(p) for p in results], produced_by=made_by)
    report = combine(reports, title, meta)
    files = write_report(report, out_dir)
    if as_json:
        paths = {"html": str(files.html), "markdown": str(files.markdown), "json": str(files.json)}
        typer.echo(json.dumps(paths))
    elif verbosity.level >= 0:
        chapters = len(report.chapters()) or len(report.sections)
        out.print(f"wrote {files.html} ({chapters} part{'s' if chapters != 1 else ''}), {files.markdown}, {files.json}")
