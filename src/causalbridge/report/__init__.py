"""Reports: one self-contained HTML page (plus Markdown and JSON) for discovery, effect, benchmark and probe results.

Build a report from result dictionaries, one chapter each, and write it::

    from causalbridge.report import Report, collect_meta, from_discovery, from_effect, write_report
    report = Report("My analysis", (from_discovery(result.to_dict()), from_effect(effect.to_dict())),
                    meta=collect_meta())
    write_report(report, "report/")          # report/index.html, report/report.md, report/report.json

``load_report(path)`` reads any result file the library writes (the ``causalbridge report`` command), and a
``Report`` shows itself inline in Jupyter.
"""

from causalbridge.report.bench import from_bench, rung_chart
from causalbridge.report.detect import chapter_from_result, combine, detect_kind, load_report, report_from_data
from causalbridge.report.discovery import compare_with_truth, from_discovery
from causalbridge.report.effect import from_effect
from causalbridge.report.html import render_fragment, render_html
from causalbridge.report.jupyter import ReportReprMixin, result_html, result_report
from causalbridge.report.markdown import render_markdown
from causalbridge.report.meta import collect_meta, command_line, package_versions
from causalbridge.report.model import (
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
from causalbridge.report.probes import from_attribution, from_bias, from_patching
from causalbridge.report.serialize import report_from_dict, report_to_dict, section_from_dict, section_to_dict
from causalbridge.report.write import ReportFiles, write_report

__all__ = [
    "Bar",
    "BarChartSection",
    "Chapter",
    "DrawnEdge",
    "GraphSection",
    "HeatmapPanel",
    "HeatmapSection",
    "Report",
    "ReportFiles",
    "ReportMeta",
    "ReportReprMixin",
    "Section",
    "TableSection",
    "TextSection",
    "UsageSection",
    "chapter_from_result",
    "collect_meta",
    "combine",
    "command_line",
    "compare_with_truth",
    "detect_kind",
    "from_attribution",
    "from_bench",
    "from_bias",
    "from_discovery",
    "from_effect",
    "from_patching",
    "load_report",
    "package_versions",
    "render_fragment",
    "render_html",
    "render_markdown",
    "report_from_data",
    "report_from_dict",
    "report_to_dict",
    "result_html",
    "result_report",
    "rung_chart",
    "section_from_dict",
    "section_to_dict",
    "write_report",
]
