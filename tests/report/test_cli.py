"""``causalbridge report``: files in, a page out; a bad file is one line on stderr and exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from causalbridge.cli.report import report_command
from causalbridge.errors import InputError

app = typer.Typer()
app.command("report")(report_command)


@app.callback()
def _root() -> None:
    """A root so that ``report`` is a subcommand, as it is under ``causalbridge``."""


def test_several_results_make_one_page(tmp_path: Path, discovery_dict: dict, bench_dict: dict) -> None:
    discovery = tmp_path / "discovery.json"
    discovery.write_text(json.dumps({**discovery_dict, "meta": {"command": "causalbridge discover asia"}}))
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps(bench_dict))
    out = tmp_path / "page"
    result = CliRunner().invoke(
        app, ["report", str(discovery), str(bench), "--out", str(out), "--title", "Both", "--json"]
    )
    assert result.exit_code == 0, result.output
    paths = json.loads(result.stdout)
    html = Path(paths["html"]).read_text(encoding="utf-8")
    assert "<h1>Both</h1>" in html and html.count('class="cb-chapter"') == 2
    assert "<code>causalbridge discover asia</code>" in html  # the command that made the results
    assert str(discovery) in html and str(bench) in html
    saved = json.loads(Path(paths["json"]).read_text(encoding="utf-8"))
    assert saved["meta"]["sources"] == [str(discovery), str(bench)]


def test_an_unknown_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text('{"hello": "world"}')
    result = CliRunner().invoke(app, ["report", str(path), "--out", str(tmp_path / "x")])
    assert isinstance(result.exception, InputError)
    assert str(result.exception).startswith(f"{path}: not a causalbridge result")
    assert not (tmp_path / "x").exists()


def test_the_error_reaches_the_user_as_one_line_and_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"edges": [')
    script = (
        "import typer, sys\n"
        "from causalbridge.cli.console import run_guarded\n"
        "from causalbridge.cli.report import report_command\n"
        "app = typer.Typer()\n"
        "app.command('report')(report_command)\n"
        "app.callback()(lambda: None)\n"
        "run_guarded(app)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "report", str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "not valid JSON" in lines[0] and "broken.json:1:12" in lines[0]
    assert "Traceback" not in done.stderr
