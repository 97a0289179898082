"""The TOML config file of option defaults, through the real CLI: lookup order, precedence and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from causalbridge.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory with no user config and no CAUSALBRIDGE_CONFIG."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CAUSALBRIDGE_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def cli_process(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run(
        [sys.executable, "-m", "causalbridge", *args], capture_output=True, text=True, env=env, timeout=300
    )


def gen(name: str, *args: str, root: tuple[str, ...] = (), generator: str = "ladder") -> str:
    cli(*root, "bench", "generate", generator, "--n", "5", "--out", name, *args)
    return Path(name).read_text()


def test_top_level_key_is_a_default_for_subcommands() -> None:
    assert not cli("query", "asia", "--target", "dysp").lstrip().startswith("{")
    Path("causalbridge.toml").write_text("json = true\n")
    got = json.loads(cli("query", "asia", "--target", "dysp", "--do", "smoke=yes"))
    assert got["query"] == "P(dysp | do(smoke=yes))"


def test_file_can_set_required_and_repeatable_options() -> None:
    from causalbridge.data import load_network

    Path("causalbridge.toml").write_text('[query]\ntarget = "dysp"\ndo = "smoke=yes"\njson = true\n')
    got = json.loads(cli("query", "asia"))["probabilities"]["yes"]
    want = load_network("asia").scm.interventional(["dysp"], {"smoke": "yes"}).prob({"dysp": "yes"})
    assert got == pytest.approx(want, abs=1e-12)


def test_nested_group_tables_and_precedence() -> None:
    seed = {s: gen(f"seed{s}.jsonl", "--seed", str(s)) for s in (0, 1, 2, 3)}
    c2c = {s: gen(f"c2c{s}.jsonl", "--seed", str(s), generator="corr2cause") for s in (1, 3)}
    assert len(set(seed.values())) == 4 and c2c[1] != c2c[3]
    Path("causalbridge.toml").write_text("seed = 1\n[bench.generate.ladder]\nseed = 2\n")
    assert gen("a.jsonl") == seed[2]  # the command's table wins over the top level
    assert gen("b.jsonl", generator="corr2cause") == c2c[1]  # other commands keep the top-level value
    assert gen("c.jsonl", "--seed", "0") == seed[0]  # the command line wins over the file
    Path("causalbridge.toml").write_text("seed = 1\n[bench.generate]\nseed = 3\n")
    assert gen("d.jsonl") == seed[3]  # a group's table covers every command under it
    assert gen("e.jsonl", generator="corr2cause") == c2c[3]


def test_dashes_and_underscores_and_flag_names_are_the_same_key() -> None:
    want = gen("want.jsonl", "--min-vars", "4", "--max-vars", "4", "--balanced", generator="corr2cause")
    Path("causalbridge.toml").write_text("[bench.generate.corr2cause]\nmin-vars = 4\nmax_vars = 4\nbalanced = true\n")
    assert gen("got.jsonl", generator="corr2cause") == want
    Path("causalbridge.toml").write_text('[bench.generate.ladder]\nout = "other.jsonl"\n')
    cli("bench", "generate", "ladder", "--n", "5")  # --out comes from the file
    assert Path("other.jsonl").read_text() == gen("direct.jsonl")


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = {s: gen(f"seed{s}.jsonl", "--seed", str(s)) for s in (1, 2, 3, 4)}
    (tmp_path / "xdg" / "causalbridge").mkdir(parents=True)
    (tmp_path / "xdg" / "causalbridge" / "config.toml").write_text("seed = 1\n")
    assert gen("a.jsonl") == seed[1]
    Path("causalbridge.toml").write_text("seed = 2\n")
    assert gen("b.jsonl") == seed[2]
    Path("env.toml").write_text("seed = 3\n")
    monkeypatch.setenv("CAUSALBRIDGE_CONFIG", "env.toml")
    assert gen("c.jsonl") == seed[3]
    Path("flag.toml").write_text("seed = 4\n")
    assert gen("d.jsonl", root=("--config", "flag.toml")) == seed[4]


def test_root_help_mentions_the_config_file() -> None:
    text = cli("--help")
    assert "--config" in text and "causalbridge.toml" in text


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("samplez = 1\n", "no command has an option 'samplez'"),
        ("[discover]\nsamplez = 1\n", "table 'discover' has no option 'samplez'"),
        ("[bench]\nsamplez = 1\n", "no command in table 'bench' has an option 'samplez'"),
        ("[bench.runn]\nseed = 1\n", "table 'bench.runn' is not a command"),
        ("[bench.run]\ncache-dir = 'a'\ncache_dir = 'b'\n", "sets --cache-dir twice"),
        ("[bench.generate.ladder]\nseed = 'abc'\n", "seed = 'abc'"),
        ("[discover\nseed = 1\n", "line 1, column 10"),
    ],
)
def test_bad_file_is_one_line_naming_file_and_key(toml: str, expected: str) -> None:
    Path("causalbridge.toml").write_text(toml)
    r = cli_process("networks", "list")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "causalbridge.toml: " in lines[0] and expected in lines[0], lines[0]


def test_explicit_missing_path_is_an_error_implicit_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli_process("networks", "list").returncode == 0  # no file anywhere: plain defaults
    r = cli_process("--config", "missing.toml", "networks", "list")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "missing.toml" in r.stderr
    monkeypatch.setenv("CAUSALBRIDGE_CONFIG", "from-env.toml")
    r = cli_process("networks", "list")
    assert r.returncode == 2 and "from-env.toml" in r.stderr and "CAUSALBRIDGE_CONFIG" in r.stderr
