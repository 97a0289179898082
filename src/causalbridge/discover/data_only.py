"""Data-only discovery through causal-learn: PC and GES with the test or score chosen from the data types."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from causalbridge.data import CausalDataset
from causalbridge.discover.result import DiscoveryResult, EdgeInfo, Provenance
from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph

CITest = Literal["auto", "chisq", "gsq", "fisherz", "kci"]


def encode(dataset: CausalDataset) -> tuple[np.ndarray, bool]:
    """The data as a float matrix for causal-learn, and whether every column is discrete (integer codes)."""
    frame = dataset.frame
    if dataset.is_discrete:
        cols = []
        for name in dataset.names:
            col = frame[name]
            codes = col.cat.codes if hasattr(col, "cat") else col.astype("category").cat.codes
            cols.append(np.asarray(codes, dtype=float))
        return np.column_stack(cols), True
    try:
        return frame[list(dataset.names)].to_numpy(dtype=float), False
    except (TypeError, ValueError) as exc:
        raise InputError(f"mixed discrete and continuous columns are not supported by this test: {exc}") from None


def _resolve_test(test: CITest, discrete: bool) -> str:
    if test == "auto":
        return "chisq" if discrete else "fisherz"
    return test


def _data_edges(graph: CausalGraph) -> dict[frozenset[str], EdgeInfo]:
    return {e.nodes: EdgeInfo(Provenance.DATA) for e in graph.edges}


@dataclass(frozen=True)
class PC:
    """The PC algorithm (causal-learn), stable variant; the test defaults to chi-square or Fisher-z by data type."""

    alpha: float = 0.01
    test: CITest = "auto"

    def discover(self, dataset: CausalDataset) -> DiscoveryResult:
        from causallearn.search.ConstraintBased.PC import pc

        data, discrete = encode(dataset)
        test = _resolve_test(self.test, discrete)
        start = time.perf_counter()
        cg = pc(data, self.alpha, test, stable=True, show_progress=False, node_names=list(dataset.names))
        graph = CausalGraph.from_causallearn(cg.G, list(dataset.names))
        return DiscoveryResult(
            graph=graph,
            method="pc",
            runtime_seconds=time.perf_counter() - start,
            edge_info=_data_edges(graph),
            params={"alpha": self.alpha, "test": test},
        )


@dataclass(frozen=True)
class GES:
    """Greedy equivalence search (causal-learn) with BIC for continuous data and BDeu for discrete data."""

    score: Literal["auto", "bic", "bdeu"] = "auto"

    def discover(self, dataset: CausalDataset) -> DiscoveryResult:
        from causallearn.search.ScoreBased.GES import ges

        data, discrete = encode(dataset)
        score = self.score if self.score != "auto" else ("bdeu" if discrete else "bic")
        score_func = {"bic": "local_score_BIC", "bdeu": "local_score_BDeu"}[score]
        start = time.perf_counter()
        record = ges(data, score_func=score_func, node_names=list(dataset.names))
        graph = CausalGraph.from_causallearn(record["G"], list(dataset.names))
        return DiscoveryResult(
            graph=graph,
            method="ges",
            runtime_seconds=time.perf_counter() - start,
            edge_info=_data_edges(graph),
            params={"score": score},
        )
