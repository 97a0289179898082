"""HTML, Markdown and JSON output, files on disk, loading result files, Jupyter display and provenance."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from causalbridge.errors import InputError
from causalbridge.report import (
    Chapter,
    GraphSection,
    Report,
    ReportMeta,
    TableSection,
    TextSection,
    collect_meta,
    from_bench,
    from_discovery,
    from_effect,
    from_patching,
    load_report,
    render_fragment,
    render_html,
    render_markdown,
    report_from_dict,
    report_to_dict,
    result_html,
    write_report,
)
from causalbridge.report.meta import command_line, package_versions

META = ReportMeta(command="causalbridge report x.json", versions=(("python", "3.11"),), created="")
EXTERNAL = re.compile(
    r"""(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?!#|data:)[a-z][a-z0-9+.-]*:""", re.I
)


@pytest.fixture(scope="module")
def report(discovery_dict: dict, effect_dict: dict, bench_dict: dict, patching_dict: dict, asia_truth: dict) -> Report:
    chapters = (
        from_discovery(discovery_dict, truth=asia_truth),
        from_effect(effect_dict),
        from_bench(bench_dict),
        from_patching(patching_dict),
    )
    return Report("All <kinds> & more", chapters, META, subtitle="a test")


def test_the_page_is_complete_self_contained_and_escaped(report: Report) -> None:
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "default-src 'none'" in html  # the browser itself refuses to fetch anything
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "url(" not in html and "@import" not in html and "<script" not in html.lower()
    assert "<link" not in html and "<img" not in html and "<iframe" not in html
    assert "<title>All &lt;kinds&gt; &amp; more</title>" in html
    assert html.count('<svg class="cb-graph"') == 2  # the discovered graph and the graph proposed from roles
    assert html.count('<svg class="cb-chart cb-forest"') == 1
    assert html.count('<svg class="cb-chart cb-bar-chart"') == 1
    assert html.count('<svg class="cb-chart cb-heatmap"') == 1
    assert html.count("<table") == len([s for s in report.walk() if isinstance(s, TableSection)])
    for chapter in report.chapters():
        assert f">{chapter.title}</h2>" in html
    assert 'href="#chapter-1"' in html and 'id="chapter-4"' in html
    assert '<span class="cb-badge cb-badge-warn">WARN</span>' in html
    assert "<code>causalbridge report x.json</code>" in html


def test_the_external_resource_check_itself_catches_links() -> None:
    for bad in ('<img src="https://x.org/a.png">', "<a href='http://x'>", '<link href="//cdn/x.css">'):
        assert EXTERNAL.search(bad) or "//" in bad
    assert not EXTERNAL.search('<a href="#chapter-1">') and not EXTERNAL.search('<img src="data:image/png;base64,">')


def test_user_text_cannot_inject_markup() -> None:
    evil = "<script>alert(1)</script>"
    chapter = Chapter(evil, (TextSection(evil, (evil,)), TableSection(evil, (evil,), ((evil,),))))
    html = render_html(Report(evil, (chapter,), META))
    assert "<script>" not in html and html.count("&lt;script&gt;") >= 5


def test_markdown_has_mermaid_tables_and_escaped_cells(report: Report) -> None:
    md = render_markdown(report)
    assert md.startswith("# All <kinds> & more\n")
    assert md.count("```mermaid") == 2
    assert "    n0 --> n1" in md or "n0 -->|0.91| n1" in md
    assert "linkStyle 0 stroke:#009E73" in md  # data+llm colour on the first edge
    assert "| edge | decided by | probability | vs reference | note |" in md
    assert "|---|---|---:|---|---|" in md
    assert "<details><summary>Prompts behind the edges (2)</summary>" in md
    assert "| rung 1 | 50.0% | [29.9%, 70.1%] | association · n = 20 |" in md
    assert "A 3 × 30 × 12 grid of share of the total effect restored" in md
    assert "* report command: `causalbridge report x.json`" in md
    table = render_markdown(Report("t", (TableSection("x", ("a|b",), (("c|d\ne",),)),)))
    assert "| a\\|b |" in table and "| c\\|d e |" in table


def test_json_round_trip_gives_the_same_report(report: Report) -> None:
    data = json.loads(json.dumps(report_to_dict(report)))
    assert data["format"] == "causalbridge.report/1"
    assert report_from_dict(data) == report


def test_write_report_writes_three_files_and_report_json_renders_the_same_page(report: Report, tmp_path: Path) -> None:
    files = write_report(report, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["index.html", "report.json", "report.md"]
    again = load_report(files.json)
    assert render_html(again) == files.html.read_text(encoding="utf-8")
    assert files.markdown.read_text(encoding="utf-8") == render_markdown(report)


def test_write_report_refuses_a_file_as_the_folder(report: Report, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="not a directory") as err:
        write_report(report, blocker)
    assert err.value.where == str(blocker)


def test_load_report_reads_every_result_kind(tmp_path: Path, bias_dict: dict, effect_dict: dict) -> None:
    for name, data in (("bias.json", bias_dict), ("effect.json", effect_dict)):
        path = tmp_path / name
        path.write_text(json.dumps(data))
        loaded = load_report(path)
        assert len(loaded.sections) == 1 and isinstance(loaded.sections[0], Chapter)
    combined = {
        "title": "Combined",
        "sections": [
            {"title": "My effect", "result": effect_dict},
            bias_dict,
            {"kind": "text", "title": "A note", "paragraphs": ["hello"], "tone": "note"},
        ],
    }
    path = tmp_path / "combined.json"
    path.write_text(json.dumps(combined))
    loaded = load_report(path)
    assert loaded.title == "Combined"
    assert [s.title for s in loaded.sections] == ["My effect", "Counterfactual bias audit", "A note"]


@pytest.mark.parametrize(
    ("content", "message", "where"),
    [
        (None, "file not found", "{path}"),
        ('{"a": ', "not valid JSON", "{path}:1:7"),
        ('{"hello": 1}', "not a causalbridge result", "{path}"),
        (
            '{"sections": [{"kind": "graph", "title": "g"}]}',
            "malformed graph section: missing field",
            "{path}: sections[0]",
        ),
        ('{"sections": [{"kind": "pie"}]}', "unknown section kind 'pie'", "{path}: sections[0]"),
        ('{"sections": [{"hello": 1}]}', "not a causalbridge result", "{path}: sections[0]"),
        ('{"nodes": ["a"], "edges": [{"from": "a"}]}', "malformed discovery result", "{path}: edges[0]"),
        ('{"config": {}, "scores": {"accuracy": {"accuracy": 0.5}, "by": 3}}', "malformed bench result", "{path}"),
    ],
)
def test_bad_files_fail_in_one_line_naming_the_file(
    tmp_path: Path, content: str | None, message: str, where: str
) -> None:
    path = tmp_path / "result.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=re.escape(message)) as err:
        load_report(path)
    assert err.value.where == where.format(path=path)
    assert "\n" not in str(err.value)


def test_a_folder_with_report_json_is_read_and_one_without_is_refused(tmp_path: Path, bench_dict: dict) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "report.json").write_text(json.dumps(bench_dict))
    assert load_report(tmp_path / "run").sections[0].title.startswith("Benchmark")
    with pytest.raises(InputError, match="directory without a report.json"):
        load_report(tmp_path)


def test_jupyter_display_is_a_scoped_fragment(report: Report, discovery_result: Any) -> None:
    fragment = report._repr_html_()
    assert fragment.startswith('<div class="cb-report cb-fragment">') and "<html" not in fragment
    css = re.search(r"<style>(.*?)</style>", fragment, re.S)
    assert css is not None
    rules = re.sub(r"/\*.*?\*/", "", css.group(1), flags=re.S)
    selectors = [rule.split("{")[0] for rule in rules.split("}") if "{" in rule]
    assert all(s.strip().startswith((".cb-report", "@media")) for s in selectors if s.strip())
    assert render_fragment(report) != render_fragment(Report("other", report.sections))  # anchors do not clash
    shown = result_html(discovery_result)  # an object with to_dict()
    assert "cb-graph" in shown and "hybrid-pc" in shown
    with pytest.raises(InputError, match="has no to_dict"):
        result_html(object())


def test_provenance_lists_versions_and_only_the_optional_packages_loaded() -> None:
    versions = dict(package_versions())
    assert versions["python"].count(".") == 2 and "causalbridge" in versions and "numpy" in versions
    assert ("torch" in versions) == ("torch" in sys.modules)
    assert command_line(["/usr/bin/causalbridge", "report", "a b.json"]) == "causalbridge report 'a b.json'"
    meta = collect_meta(command="x", sources=["a.json"], created="")
    assert meta.created == "" and meta.sources == ("a.json",) and meta.command == "x"
    assert re.match(r"\d{4}-\d\d-\d\dT", collect_meta().created)


def test_a_graph_section_alone_renders(tmp_path: Path) -> None:
    section = GraphSection("Only a graph", ("a", "b"), ())
    html = render_html(Report("g", (section,)))
    assert "cb-graph" in html and "<h2>Only a graph</h2>" in html
