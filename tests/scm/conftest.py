"""Fixtures for the SCM tests: the eight bnlearn networks that ship inside pgmpy, loaded once per session.

Two independent loads per network: ours through ``DiscreteSCM.from_bif`` and pgmpy's own ``BIFReader`` model (the
oracle; the reader class with its grammars built once, which only saves time). pgmpy's CPDs are renormalised
column-wise as ``from_cpts`` does (a few bnlearn columns sum to 1 +- 1e-7), so both engines answer for the same model.
"""

from __future__ import annotations

import gzip
import importlib.util
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from causalbridge.scm import DiscreteSCM

NETWORKS = ("asia", "cancer", "earthquake", "survey", "sachs", "child", "insurance", "alarm")


def bundled_bif(name: str) -> Path:
    spec = importlib.util.find_spec("pgmpy")
    assert spec is not None and spec.submodule_search_locations
    return Path(list(spec.submodule_search_locations)[0]) / "utils" / "example_models" / f"{name}.bif.gz"


@pytest.fixture(scope="session")
def ours() -> Callable[[str], DiscreteSCM]:
    from causalbridge.scm.bif import _reader_class

    _reader_class()  # importing pgmpy and building its grammar once (seconds) shows up as fixture setup
    cache: dict[str, DiscreteSCM] = {}

    def load(name: str) -> DiscreteSCM:
        if name not in cache:
            cache[name] = DiscreteSCM.from_bif(bundled_bif(name))
        return cache[name]

    return load


@pytest.fixture(scope="session")
def oracle() -> Callable[[str], Any]:
    from causalbridge.scm.bif import _reader_class

    reader = _reader_class()
    cache: dict[str, Any] = {}

    def load(name: str) -> Any:
        if name not in cache:
            with gzip.open(bundled_bif(name), "rt") as fh, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = reader(string=fh.read()).get_model()
            for cpd in model.get_cpds():
                cpd.normalize(inplace=True)
            cache[name] = model
        return cache[name]

    return load
