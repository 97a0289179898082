"""The options every command shares, checked on the real command tree, so that a new command cannot slip through.

Each leaf command must appear in ``LEAVES`` and in exactly the option lists below that apply to it: a command
that is not listed for an option must not have it either, so adding an option or a command means deciding here.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from causalbridge.cli.main import app
from causalbridge.cli.options import CACHE_DIR_HELP, LLM_HELP, NO_CACHE_HELP

CommandPath = tuple[str, ...]

LEAVES: set[CommandPath] = {
    ("discover",),
    ("estimate",),
    ("counterfactual",),
    ("query",),
    ("report",),
    ("demo",),
    ("networks", "list"),
    ("networks", "show"),
    ("models", "list"),
    ("models", "try"),
    ("probe", "bias"),
    ("probe", "attribution"),
    ("probe", "modality"),
    ("probe", "patching"),
    ("bench", "run"),
    ("bench", "report"),
    ("bench", "generate", "ladder"),
    ("bench", "generate", "corr2cause"),
}
GROUPS: set[CommandPath] = {(), ("networks",), ("models",), ("probe",), ("bench",), ("bench", "generate")}

# Commands that call a model, and the parameter holding its spec (`models try` takes it as its first argument).
# `probe patching` is not one: it takes --model, a transformers model it runs in-process (no calls, no answer cache).
LLM_COMMANDS: dict[CommandPath, str] = {
    ("discover",): "llm",
    ("estimate",): "llm",
    ("counterfactual",): "llm",
    ("demo",): "llm",
    ("bench", "run"): "llm",
    ("probe", "bias"): "llm",
    ("probe", "attribution"): "llm",
    ("probe", "modality"): "llm",
    ("models", "try"): "spec",
}
# --llm help texts that do not start with the shared one, and why.
LLM_HELP_EXCEPTIONS: set[CommandPath] = {
    ("probe", "modality"),  # needs a vision model: openai: or openai-compatible: only
}
SEED_COMMANDS: set[CommandPath] = {
    ("discover",),
    ("estimate",),
    ("counterfactual",),
    ("demo",),
    ("models", "try"),
    ("probe", "bias"),
    ("probe", "attribution"),
    ("probe", "modality"),
    ("probe", "patching"),
    ("bench", "run"),
    ("bench", "generate", "ladder"),
    ("bench", "generate", "corr2cause"),
}
OUT_COMMANDS: set[CommandPath] = {
    ("discover",),
    ("estimate",),
    ("counterfactual",),
    ("report",),
    ("demo",),
    ("probe", "bias"),
    ("probe", "attribution"),
    ("probe", "modality"),
    ("probe", "patching"),
    ("bench", "run"),
    ("bench", "generate", "ladder"),
    ("bench", "generate", "corr2cause"),
}
OUT_WITHOUT_SHORT: set[CommandPath] = set()
JSON_COMMANDS: set[CommandPath] = {
    ("discover",),
    ("estimate",),
    ("query",),
    ("report",),
    ("models", "list"),
    ("models", "try"),
    ("bench", "run"),
    ("bench", "report"),
    ("probe", "patching"),
}


def _walk(command: Any, path: CommandPath = ()) -> Iterator[tuple[CommandPath, Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


TREE: dict[CommandPath, Any] = dict(_walk(typer.main.get_command(app)))
COMMANDS: dict[CommandPath, Any] = {p: c for p, c in TREE.items() if not hasattr(c, "commands")}


def _option(command: Any, name: str) -> Any:
    return next((p for p in command.params if p.name == name), None)


def _names(path: CommandPath) -> str:
    return " ".join(path) or "causalbridge"


def test_the_lists_name_every_command() -> None:
    assert set(COMMANDS) == LEAVES, "a command was added or removed: list it in LEAVES and the option lists"
    assert set(TREE) - set(COMMANDS) == GROUPS
    for listed in (set(LLM_COMMANDS), SEED_COMMANDS, OUT_COMMANDS, JSON_COMMANDS):
        assert listed <= LEAVES


@pytest.mark.parametrize("path", sorted(TREE), ids=_names)
def test_every_help_has_an_example(path: CommandPath) -> None:
    assert "Example: causalbridge" in (TREE[path].help or ""), f"{_names(path)}: no 'Example:' in its help"


@pytest.mark.parametrize("path", sorted(LEAVES), ids=_names)
def test_the_example_is_a_valid_invocation(path: CommandPath) -> None:
    command = COMMANDS[path]
    lines = [line.strip() for line in (command.help or "").splitlines() if line.strip().startswith("Example:")]
    assert lines, f"{_names(path)}: the example must be a line of its own, starting with 'Example:'"
    words = shlex.split(lines[0].removeprefix("Example:"))
    assert words[: len(path) + 1] == ["causalbridge", *path]
    command.make_context(" ".join(path), words[len(path) + 1 :])  # raises on unknown options or missing arguments


@pytest.mark.parametrize("path", sorted(LEAVES), ids=_names)
def test_model_options(path: CommandPath) -> None:
    command = COMMANDS[path]
    cache_dir, no_cache = _option(command, "cache_dir"), _option(command, "no_cache")
    if path not in LLM_COMMANDS:
        assert _option(command, "llm") is None and cache_dir is None and no_cache is None
        return
    spec = _option(command, LLM_COMMANDS[path])
    assert spec is not None
    if spec.name == "llm":
        assert spec.opts == ["--llm"]
        if path not in LLM_HELP_EXCEPTIONS:
            assert spec.help.startswith(LLM_HELP), spec.help
    assert cache_dir is not None and cache_dir.opts == ["--cache-dir"] and cache_dir.help == CACHE_DIR_HELP
    assert no_cache is not None and no_cache.opts == ["--no-cache"] and no_cache.help == NO_CACHE_HELP


@pytest.mark.parametrize("path", sorted(LEAVES), ids=_names)
def test_seed_out_and_json(path: CommandPath) -> None:
    command = COMMANDS[path]
    seed = _option(command, "seed")
    assert (seed is not None) == (path in SEED_COMMANDS)
    if seed is not None:
        assert seed.opts == ["--seed"]
        ctx = command.make_context(" ".join(path), [], resilient_parsing=True)
        assert seed.process_value(ctx, "7") == 7  # an integer
    outs = [p for p in command.params if "--out" in getattr(p, "opts", ())]
    assert bool(outs) == (path in OUT_COMMANDS)
    if outs and path not in OUT_WITHOUT_SHORT:
        assert set(outs[0].opts) == {"--out", "-o"}
    as_json = [p for p in command.params if "--json" in getattr(p, "opts", ())]
    assert bool(as_json) == (path in JSON_COMMANDS)
    if as_json:
        assert as_json[0].is_flag
    for param in command.params:  # -v and -q belong to the root command
        assert not {"-v", "-q", "--verbose", "--quiet"} & set(getattr(param, "opts", ()))


def test_root_has_verbose_and_quiet() -> None:
    root = TREE[()]
    assert set(_option(root, "verbose").opts) == {"--verbose", "-v"}
    assert set(_option(root, "quiet").opts) == {"--quiet", "-q"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CAUSALBRIDGE_CONFIG"}
    env |= {"PYTHONHASHSEED": "0", "COLUMNS": "200", "XDG_CONFIG_HOME": str(cwd / "xdg")}  # no user config file
    return subprocess.run(
        [sys.executable, "-m", "causalbridge", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_discover_json_is_one_json_document(tmp_path: Path) -> None:
    args = ("discover", "--network", "asia", "--samples", "500", "--seed", "0", "--method", "pc", "--json")
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    payload = json.loads(r.stdout)
    assert payload["method"] == "pc" and payload["network"] == "asia" and payload["edges"]
    assert "usage" not in r.stderr  # no model was asked


@pytest.fixture()
def questions(tmp_path: Path) -> Path:
    from causalbridge.bench.generate.ladder import generate_ladder

    path = tmp_path / "q.jsonl"
    generate_ladder(4, seed=0).to_jsonl(path)
    return path


def test_bench_run_json_and_quiet(questions: Path, tmp_path: Path) -> None:
    spec = "simulated:asia"  # answers no ladder question (abstains), but costs nothing and needs no model file
    r = run("bench", "run", str(questions), "--llm", spec, "--no-cache", "--out", "a", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    payload = json.loads(r.stdout)
    assert payload["scores"]["n"] == 4 and payload["run"]["new"] == 4
    assert str(Path("a") / "report.json") in payload["files"]
    # progress bar, closing usage line and written files: on stderr, so stdout stays JSON
    assert "ladder-gen · direct" in r.stderr and "usage (simulated:asia" in r.stderr and "wrote a" in r.stderr

    quiet = run("-q", "bench", "run", str(questions), "--llm", spec, "--no-cache", "--out", "b", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert "rung 1" in quiet.stdout  # the result is still printed
    assert quiet.stderr == ""  # no progress bar
    assert "usage" not in quiet.stdout and "wrote" not in quiet.stdout and "items in" not in quiet.stdout
    assert (tmp_path / "b" / "report.json").is_file()
