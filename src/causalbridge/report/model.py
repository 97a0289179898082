"""The report document: a title, typed sections and the provenance of the run, independent of any output format.

Builders turn result dictionaries into sections; renderers (HTML, Markdown) turn sections into text. Keeping the
document typed and format-free means every renderer shows the same content, a report can be saved as JSON and
rendered again later, and several results (discovery, effects, benchmarks, probes) compose into one page.
Sections hold *formatted* cell text but *raw* numbers for charts, so a chart can be re-drawn at any size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from causalbridge.errors import InputError

REPORT_FORMAT = "causalbridge.report/1"

Tone = Literal["plain", "note", "warning"]
RowStatus = Literal["", "pass", "warn", "fail", "strong"]
ChartStyle = Literal["bar", "forest"]
_TONES = ("plain", "note", "warning")
_STATUSES = ("", "pass", "warn", "fail", "strong")


@dataclass(frozen=True, slots=True)
class DrawnEdge:
    """An edge as the report draws it: its ends, who decided it, its probability and how it compares to a truth.

    ``kind`` is ``directed`` (source -> target), ``undirected``, ``bidirected`` or an edge text with marks such as
    ``"a o-> b"`` (PAGs). ``status`` compares the edge with a reference graph when one was given: ``correct``,
    ``reversed``, ``unoriented`` (the truth has a direction, the result does not), ``mismatch`` (another edge type,
    e.g. bidirected where the truth has a direct cause), ``extra`` (not in the truth) or ``missing`` (only in the
    truth; drawn faintly so the reader sees what was not found).
    """

    source: str
    target: str
    kind: str = "directed"
    provenance: str | None = None
    probability: float | None = None
    note: str = ""
    status: str = ""


@dataclass(frozen=True, slots=True)
class GraphSection:
    """A causal graph, drawn as SVG with edges coloured by provenance and labelled with their probabilities."""

    kind: ClassVar[str] = "graph"
    title: str
    nodes: tuple[str, ...]
    edges: tuple[DrawnEdge, ...]
    caption: str = ""


@dataclass(frozen=True, slots=True)
class TableSection:
    """A table of already formatted cells; ``numeric`` right-aligns columns, ``row_status`` colours rows.

    ``collapsed`` tables (long audit material such as the prompts behind each edge) start folded away.
    """

    kind: ClassVar[str] = "table"
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric: tuple[bool, ...] = ()
    row_status: tuple[RowStatus, ...] = ()
    collapsed: bool = False

    def __post_init__(self) -> None:
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise InputError(f"row {i} has {len(row)} cells, the table has {width} columns", where=self.title)
        if self.numeric and len(self.numeric) != width:
            raise InputError(f"numeric has {len(self.numeric)} flags for {width} columns", where=self.title)
        if self.row_status and len(self.row_status) != len(self.rows):
            raise InputError(f"row_status has {len(self.row_status)} entries for {len(self.rows)} rows", self.title)
        bad = [s for s in self.row_status if s not in _STATUSES]
        if bad:
            raise InputError(f"unknown row status {bad[0]!r} (known: {', '.join(_STATUSES[1:])})", where=self.title)

    def status_of(self, row: int) -> RowStatus:
        return self.row_status[row] if self.row_status else ""

    def is_numeric(self, column: int) -> bool:
        return bool(self.numeric) and self.numeric[column]


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar (or forest-plot row): a value with an optional interval; ``flagged`` draws it in the accent colour."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None
    flagged: bool = False
    detail: str = ""


@dataclass(frozen=True, slots=True)
class BarChartSection:
    """Bars with error bars (``style="bar"``) or intervals around points (``style="forest"``).

    ``reference`` draws a dashed line (chance level for accuracies, 0 for effects); ``percent`` formats values as
    percentages; ``domain`` fixes the value axis (accuracies use (0, 1)), otherwise it fits the data.
    """

    kind: ClassVar[str] = "bar_chart"
    title: str
    bars: tuple[Bar, ...]
    value_label: str = ""
    style: ChartStyle = "bar"
    reference: float | None = None
    reference_label: str = ""
    percent: bool = False
    domain: tuple[float, float] | None = None
    caption: str = ""
    flagged_label: str = ""

    def __post_init__(self) -> None:
        if self.style not in ("bar", "forest"):
            raise InputError(f"unknown chart style {self.style!r} (known: bar, forest)", where=self.title)


@dataclass(frozen=True, slots=True)
class HeatmapPanel:
    """One grid of a heatmap: ``values[row][column]``; None marks a cell without a value."""

    title: str
    values: tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True, slots=True)
class HeatmapSection:
    """One or more grids that share their row and column labels and one colour scale (small multiples).

    ``diverging`` colours negative values blue and positive red around 0; otherwise one hue from the minimum.
    ``limits`` fixes the colour scale; by default it is symmetric around 0 (diverging) or spans the data.
    """

    kind: ClassVar[str] = "heatmap"
    title: str
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    panels: tuple[HeatmapPanel, ...]
    value_label: str = ""
    diverging: bool = True
    limits: tuple[float, float] | None = None
    caption: str = ""
    row_axis: str = ""
    column_axis: str = ""

    def __post_init__(self) -> None:
        shape = (len(self.row_labels), len(self.column_labels))
        for panel in self.panels:
            got = (len(panel.values), len(panel.values[0]) if panel.values else 0)
            if got != shape or any(len(row) != shape[1] for row in panel.values):
                raise InputError(
                    f"panel {panel.title!r} is {got[0]}x{got[1]}, labels say {shape[0]}x{shape[1]}", self.title
                )


@dataclass(frozen=True, slots=True)
class TextSection:
    """Paragraphs of plain text; ``tone`` marks notes and warnings (a simulated expert, a failed refutation)."""

    kind: ClassVar[str] = "text"
    title: str
    paragraphs: tuple[str, ...]
    tone: Tone = "plain"
    collapsed: bool = False

    def __post_init__(self) -> None:
        if self.tone not in _TONES:
            raise InputError(f"unknown tone {self.tone!r} (known: {', '.join(_TONES)})", where=self.title)


@dataclass(frozen=True, slots=True)
class UsageSection:
    """What the language model cost: questions, requests, tokens, cache hits, time and money."""

    kind: ClassVar[str] = "usage"
    title: str
    queries: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    retries: int = 0
    wall_seconds: float = 0.0
    cost_usd: float | None = None

    @classmethod
    def from_usage(cls, usage: Mapping[str, Any], title: str = "LLM usage") -> UsageSection:
        """From ``Usage.to_dict()``; missing keys count as zero (older results lack ``requests``)."""

        def number(key: str) -> float:
            value = usage.get(key)
            return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0

        cost = usage.get("cost_usd")
        return cls(
            title=title,
            queries=int(number("queries")),
            requests=int(number("requests")),
            prompt_tokens=int(number("prompt_tokens")),
            completion_tokens=int(number("completion_tokens")),
            cache_hits=int(number("cache_hits")),
            retries=int(number("retries")),
            wall_seconds=number("wall_seconds"),
            cost_usd=float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None,
        )

    def tiles(self) -> tuple[tuple[str, str], ...]:
        """(label, value) pairs in reading order, as every renderer shows them."""
        cost = "n/a" if self.cost_usd is None else f"${self.cost_usd:,.4f}"
        return (
            ("queries", f"{self.queries:,}"),
            ("requests", f"{self.requests:,}"),
            ("prompt tokens", f"{self.prompt_tokens:,}"),
            ("completion tokens", f"{self.completion_tokens:,}"),
            ("cache hits", f"{self.cache_hits:,}"),
            ("retries", f"{self.retries:,}"),
            ("model time", f"{self.wall_seconds:,.2f} s"),
            ("cost", cost),
        )


@dataclass(frozen=True, slots=True)
class Chapter:
    """A titled group of sections: one result (a discovery run, an effect analysis, a benchmark, a probe)."""

    kind: ClassVar[str] = "chapter"
    title: str
    sections: tuple[Section, ...]
    summary: str = ""


Section = GraphSection | TableSection | BarChartSection | HeatmapSection | TextSection | UsageSection | Chapter


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """Where the report came from: the command, the package versions, the inputs and when it was made.

    ``produced_by`` is the command that produced the *results* when they recorded it (the report command itself
    is ``command``). ``created`` is an ISO timestamp, empty in tests so that output is byte-for-byte stable.
    """

    command: str = ""
    versions: tuple[tuple[str, str], ...] = ()
    created: str = ""
    sources: tuple[str, ...] = ()
    produced_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """A whole report: render it with :func:`render_html` / :func:`render_markdown`, save it with ``write_report``."""

    title: str
    sections: tuple[Section, ...]
    meta: ReportMeta = field(default_factory=ReportMeta)
    subtitle: str = ""

    def chapters(self) -> tuple[Chapter, ...]:
        return tuple(s for s in self.sections if isinstance(s, Chapter))

    def walk(self) -> tuple[Section, ...]:
        """Every section, chapters' children included, in reading order."""
        out: list[Section] = []

        def visit(sections: Sequence[Section]) -> None:
            for s in sections:
                out.append(s)
                if isinstance(s, Chapter):
                    visit(s.sections)

        visit(self.sections)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        from causalbridge.report.serialize import report_to_dict

        return report_to_dict(self)

    def _repr_html_(self) -> str:
        """Jupyter shows the report inline (styles scoped to the report, so the notebook's own look is kept)."""
        from causalbridge.report.html import render_fragment

        return render_fragment(self)
