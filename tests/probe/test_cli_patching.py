"""``causalbridge probe patching`` as a user runs it: a subprocess, the embedded SmolLM2, small sweeps.

Each model-loading run takes about 25 s on 2 cores (most of it loading the model), so those tests are marked
slow and the sweeps are restricted to the residual stream of two layers. The checks are the identities every
correct sweep satisfies whatever the model knows: the total effect is the clean minus the corrupted metric,
and restoring the last layer's residual stream at the final token (or any layer's at every token) gives back
the clean metric. Bad input fails with one line and exit code 2, most of it before any model is loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from causalbridge.llm.engines import EmbeddedModelMissingError, embedded_model_path

CLEAN = "The Eiffel Tower is located in the city of"  # 10 tokens; the model says " Paris"
CORRUPTED = "The Colosseum is located in the city of"  # 10 tokens; the model says " Rome"
N_TOKENS = 10


def run(*args: str, cwd: Path, terminal: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CAUSALBRIDGE_CONFIG", "TTY_COMPATIBLE", "FORCE_COLOR")}
    env |= {
        "PYTHONHASHSEED": "0",
        "COLUMNS": "200",
        "XDG_CONFIG_HOME": str(cwd / "xdg"),  # no user config file
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",  # two spinning OpenMP threads on 2 shared cores are slower than one
        "OMP_WAIT_POLICY": "PASSIVE",
    }
    if terminal:
        env["TTY_COMPATIBLE"] = "1"  # rich treats the pipes as a terminal, so the progress bar is drawn
    return subprocess.run(
        [sys.executable, "-m", "causalbridge", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


@pytest.fixture(scope="module")
def embedded() -> None:
    try:
        embedded_model_path()
    except EmbeddedModelMissingError as exc:
        pytest.skip(str(exc))


def _one_line_error(r: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error:"), r.stderr
    assert "Traceback" not in r.stderr
    for fragment in fragments:
        assert fragment in lines[-1], lines[-1]


@pytest.mark.slow
def test_counterfactual_sweep_json(embedded: None, tmp_path: Path) -> None:
    r = run(
        "-q",
        "probe",
        "patching",
        "--clean",
        CLEAN,
        "--answer",
        " Paris",
        "--corrupt",
        CORRUPTED,
        "--wrong",
        " Rome",
        "--sites",
        "resid",
        "--layers",
        "0,-1",
        "--json",
        "-o",
        "out",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # -q: no progress bar, no loading line, no closing summary
    data = json.loads(r.stdout)
    assert data["format"] == "causalbridge.patching/1"
    assert data["metric"] == "logit(' Paris') - logit(' Rome')"
    assert data["model"].startswith("local:smollm2 (")
    assert data["kinds"] == ["resid"] and data["layers"] == [0, 29] and data["positions"] == list(range(N_TOKENS))
    clean, corrupted = data["clean_metric"], data["corrupted_metric"]
    assert clean > 0 > corrupted  # the model prefers Paris on the clean prompt and Rome on the counterfactual
    assert data["total_effect"] == pytest.approx(clean - corrupted, abs=1e-12)
    effects = data["effects"][0]
    assert effects[1][N_TOKENS - 1] == pytest.approx(clean - corrupted, abs=1e-4)  # last layer, final token
    assert effects[1][N_TOKENS - 1] + corrupted == pytest.approx(clean, abs=1e-4)
    assert effects[0][0] == pytest.approx(0.0, abs=1e-4)  # "The" is the same token in both prompts
    # the files: the JSON reads back as a PatchingResult, the heatmap and the summary are there
    out = tmp_path / "out"
    assert sorted(data["files"]) == sorted(
        str(Path("out") / name)
        for name in ("patching.json", "patching.md", "patching_heatmap.png", "patching_heatmap.svg")
    )
    from causalbridge.probe.patching import PatchingResult

    saved = PatchingResult.from_json((out / "patching.json").read_text())
    assert saved.total_effect == pytest.approx(data["total_effect"])
    assert (out / "patching_heatmap.png").stat().st_size > 1000
    assert "<svg" in (out / "patching_heatmap.svg").read_text()
    summary = (out / "patching.md").read_text()
    assert "total effect" in summary and "patching_heatmap.png" in summary and "| resid | 29 | 9 |" in summary


@pytest.mark.slow
def test_causal_tracing_table_and_progress_bar(embedded: None, tmp_path: Path) -> None:
    r = run(
        "probe",
        "patching",
        "--clean",
        CLEAN,
        "--answer",
        " Paris",
        "--noise-subject",
        "Eiffel Tower",
        "--seed",
        "0",
        "--sites",
        "resid",
        "--layers",
        "1,-1",
        "--positions",
        "0,2,-1,all",
        "--top",
        "3",
        "-o",
        "tracing",
        cwd=tmp_path,
        terminal=True,
    )
    assert r.returncode == 0, r.stderr
    assert "patching" in r.stderr and "sites" in r.stderr  # the progress bar, on stderr
    assert "P(' Paris'): clean" in r.stdout and "total effect" in r.stdout
    assert "indirect effect" in r.stdout and "+1.00" in r.stdout  # the top-sites table: a site restoring it all
    assert "local:smollm2" in r.stdout and "wall time" in r.stdout and "wrote tracing" in r.stdout
    data = json.loads((tmp_path / "tracing" / "patching.json").read_text())
    assert "token positions [1, 2, 3]" in data["corruption"] and "seed 0" in data["corruption"]
    assert data["positions"] == [0, 2, N_TOKENS - 1, None] and data["layers"] == [1, 29]
    clean, corrupted = data["clean_metric"], data["corrupted_metric"]
    assert corrupted < clean / 2
    patched = [[effect + corrupted for effect in row] for row in data["effects"][0]]
    assert [row[3] for row in patched] == pytest.approx([clean, clean], abs=1e-5)  # every position, any layer
    assert patched[1][2] == pytest.approx(clean, abs=1e-5)  # the last layer at the final token
    assert [row[0] for row in data["effects"][0]] == pytest.approx([0.0, 0.0], abs=1e-6)  # before the subject
    assert (tmp_path / "tracing" / "patching_heatmap.png").is_file()


@pytest.mark.slow
def test_an_answer_of_several_tokens_is_one_line(embedded: None, tmp_path: Path) -> None:
    r = run(
        "probe",
        "patching",
        "--clean",
        CLEAN,
        "--answer",
        " Parisville",
        "--corrupt",
        CORRUPTED,
        "-o",
        "x",
        cwd=tmp_path,
    )
    _one_line_error(r, "answer ' Parisville'", "exactly one token")
    assert not (tmp_path / "x" / "patching.json").exists()


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--model", "nope:x", "--corrupt", CORRUPTED], ("unknown model kind 'nope'",)),
        (["--model", "openai:gpt-4o-mini", "--corrupt", CORRUPTED], ("--model", "transformers model")),
        (["--model", "local:gpt2", "--corrupt", CORRUPTED], ("the only embedded model is 'smollm2'",)),
        (["--model", "hf:./no/such/folder", "--corrupt", CORRUPTED], ("no such file or directory",)),
        (["--noise-subject", "Colosseum"], ("--noise-subject 'Colosseum'", "does not occur in the clean prompt")),
        (["--corrupt", CORRUPTED, "--sites", "resid,heads"], ("--sites", "unknown site kind 'heads'")),
        (["--corrupt", CORRUPTED, "--layers", "0-x"], ("--layers", "'0-x'")),
        (["--corrupt", CORRUPTED, "--layers", "all"], ("--layers",)),
        ([], ("give exactly one corruption",)),
        (["--corrupt", CORRUPTED, "--noise-subject", "Eiffel"], ("give exactly one corruption",)),
        (["--corrupt", CORRUPTED, "--metric", "logit-diff"], ("--metric", "give --wrong")),
        (["--corrupt", CORRUPTED, "--noise-scale", "2"], ("need --noise-subject",)),
        (["--noise-subject", "Eiffel", "--noise-scale", "-1"], ("noise scale must be positive",)),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_bad_input_is_one_line_before_the_model_loads(
    args: list[str], fragments: tuple[str, ...], tmp_path: Path
) -> None:
    r = run("probe", "patching", "--clean", CLEAN, "--answer", " Paris", *args, "-o", "x", cwd=tmp_path)
    _one_line_error(r, *fragments)
    if "--model" not in args:
        assert "loading" not in r.stdout  # refused before the model loads
