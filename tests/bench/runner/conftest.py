"""Fixtures for the runner tests: a small yes/no dataset with rung / query type / naming meta, and its script."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.runner.scripted import toy_dataset
from causalbridge.bench import BenchDataset


@pytest.fixture
def toy() -> BenchDataset:
    return toy_dataset()


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path / "runs" / "x"
