"""Shared fixtures: the path to the benchmark data that sits beside the checkout (../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared benchmark data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``causalbridge demo`` run once, as a user runs it (a subprocess, the embedded model), on small sizes.

    The CLI test reads its files and the browser test renders its page, so the model loads once for both.
    """
    import os
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("demo") / "demo-report"
    cache = tmp_path_factory.mktemp("demo-cache")
    env = {**os.environ, "PYTHONHASHSEED": "0", "COLUMNS": "200", "OMP_WAIT_POLICY": "PASSIVE"}
    args = ["demo", "--out", str(out), "--samples", "500", "--questions", "6", "--cache-dir", str(cache)]
    r = subprocess.run(
        [sys.executable, "-m", "causalbridge", *args], capture_output=True, text=True, env=env, timeout=900
    )
    assert r.returncode == 0, r.stderr[-3000:]
    (out / "stdout.txt").write_text(r.stdout, encoding="utf-8")
    return out
