"""Data-only discovery through causal-learn (PC, FCI, GES) and lingam (DirectLiNGAM, when installed).

The test or score is chosen from the data types: chi-square for discrete data and Fisher-z for continuous data
(PC, FCI), BDeu or BIC (GES). Data the statistics cannot use fails early with one line naming the problem
(missing values, fewer rows than variables, discrete and continuous columns mixed without an explicit test);
constant columns are left out of the search and come back as isolated variables, with a note.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from causalbridge.data import CausalDataset
from causalbridge.discover.knowledge import Knowledge, enforce
from causalbridge.discover.result import DiscoveryResult, EdgeInfo, Provenance
from causalbridge.errors import DependencyMissingError, InputError
from causalbridge.graph import CausalGraph

CITest = Literal["auto", "chisq", "gsq", "fisherz", "kci"]
Score = Literal["auto", "bic", "bdeu"]


def encode(dataset: CausalDataset) -> tuple[np.ndarray, bool]:
    """The data as a float matrix for causal-learn, and whether every column is discrete (state indices)."""
    dataset.require_complete()
    return dataset.encoded(), dataset.is_discrete


@dataclass(frozen=True, slots=True)
class Prepared:
    """The columns a search can use, their matrix, and the constant columns left out."""

    names: tuple[str, ...]
    data: np.ndarray
    discrete: bool
    mixed: bool
    constant: tuple[str, ...]


def prepare(dataset: CausalDataset) -> Prepared:
    """Check that the data can be searched and drop constant columns (they cannot be tested against others)."""
    data, _ = encode(dataset)
    constant = tuple(n for j, n in enumerate(dataset.names) if np.nanmin(data[:, j]) == np.nanmax(data[:, j]))
    keep = [j for j, n in enumerate(dataset.names) if n not in constant]
    if len(keep) < 2:
        raise InputError(
            f"at most one column varies ({len(constant)} of {dataset.n_variables} are constant): nothing to search",
            where="dataset",
        )
    if dataset.n_rows <= len(keep):
        raise InputError(
            f"{dataset.n_rows} rows for {len(keep)} variables: the tests need more rows than variables "
            "(hundreds per variable to find anything reliably)",
            where="dataset",
        )
    names = tuple(dataset.names[j] for j in keep)
    kinds = [dataset.variable(n).kind.is_discrete for n in names]
    discrete, mixed = all(kinds), any(kinds) and not all(kinds)
    return Prepared(names, data[:, keep], discrete, mixed, constant)


def _resolve_test(test: CITest, prepared: Prepared) -> str:
    if test != "auto":
        return test
    if prepared.mixed:
        raise InputError(
            "the data mixes discrete and continuous columns; pick a test explicitly: 'fisherz' (treats state "
            "indices as numbers) or 'kci' (kernel test, slow)",
            where="test",
        )
    return "chisq" if prepared.discrete else "fisherz"


def _resolve_score(score: Score, prepared: Prepared) -> str:
    if score != "auto":
        return score
    if prepared.mixed:
        raise InputError(
            "the data mixes discrete and continuous columns; pick score='bic' (treats state indices as numbers)",
            where="score",
        )
    return "bdeu" if prepared.discrete else "bic"


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must lie strictly between 0 and 1, got {alpha}", where="alpha")


def finish(
    graph: CausalGraph,
    dataset: CausalDataset,
    method: str,
    start: float,
    params: dict[str, Any],
    knowledge: Knowledge | None,
    prepared: Prepared,
) -> DiscoveryResult:
    """Put constant columns back, verify and repair the constraints, and label every edge's provenance."""
    notes: list[str] = []
    if prepared.constant:
        graph = CausalGraph(dataset.names, graph.edges)
        notes.append(f"constant column(s) left out of the search (no edges possible): {', '.join(prepared.constant)}")
    info = {e.nodes: EdgeInfo(Provenance.DATA) for e in graph.edges}
    diagnostics: dict[str, Any] = {}
    if knowledge is not None and not knowledge.is_empty:
        fixed = enforce(graph, knowledge)
        graph = fixed.graph
        owner = Provenance.LLM if knowledge.source == "llm" else Provenance.USER
        for u, v in fixed.forced:
            info[frozenset((u, v))] = EdgeInfo(owner, note=f"{knowledge.source} constraint")
        for u, v in fixed.propagated:
            info[frozenset((u, v))] = EdgeInfo(Provenance.MEEK, note="propagated from the constraints")
        for u, v in fixed.removed:
            info.pop(frozenset((u, v)), None)
        notes.extend(fixed.notes())
        diagnostics = {
            "constraint_violations_found": len(fixed.found),
            "constraint_violations_unresolved": len(fixed.unresolved),
        }
    info = {pair: i for pair, i in info.items() if graph.is_adjacent(*sorted(pair))}
    return DiscoveryResult(
        graph=graph,
        method=method,
        runtime_seconds=time.perf_counter() - start,
        edge_info=info,
        params=params,
        notes=tuple(notes),
        diagnostics=diagnostics,
    )


def _knowledge_for(prepared: Prepared, knowledge: Knowledge | None, dataset: CausalDataset) -> Any:
    if knowledge is None or knowledge.is_empty:
        return None
    knowledge.check_names(dataset.names)
    usable = Knowledge(
        tuple(p for p in knowledge.required if set(p) <= set(prepared.names)),
        tuple(p for p in knowledge.forbidden if set(p) <= set(prepared.names)),
        tuple(tuple(n for n in tier if n in prepared.names) for tier in knowledge.tiers),
        knowledge.source,
    )
    return usable.to_causallearn(prepared.names)


@dataclass(frozen=True)
class PC:
    """The PC algorithm (causal-learn), stable variant; the test defaults to chi-square or Fisher-z by data type."""

    alpha: float = 0.01
    test: CITest = "auto"

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        from causallearn.search.ConstraintBased.PC import pc

        _check_alpha(self.alpha)
        start = time.perf_counter()
        prepared = prepare(dataset)
        test = _resolve_test(self.test, prepared)
        bk = _knowledge_for(prepared, knowledge, dataset)
        with contextlib.redirect_stdout(io.StringIO()):
            cg = pc(
                prepared.data,
                self.alpha,
                test,
                stable=True,
                show_progress=False,
                node_names=list(prepared.names),
                background_knowledge=bk,
            )
        graph = CausalGraph.from_causallearn(cg.G, list(prepared.names))
        params = {"alpha": self.alpha, "test": test}
        return finish(graph, dataset, "pc", start, params, knowledge, prepared)


@dataclass(frozen=True)
class FCI:
    """Fast Causal Inference (causal-learn): a PAG that allows latent confounders (circle marks stay open)."""

    alpha: float = 0.01
    test: CITest = "auto"

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        from causallearn.search.ConstraintBased.FCI import fci

        _check_alpha(self.alpha)
        start = time.perf_counter()
        prepared = prepare(dataset)
        test = _resolve_test(self.test, prepared)
        bk = _knowledge_for(prepared, knowledge, dataset)
        with contextlib.redirect_stdout(io.StringIO()):
            pag, _ = fci(
                prepared.data,
                test,
                self.alpha,
                background_knowledge=bk,
                show_progress=False,
                node_names=list(prepared.names),
            )
        graph = CausalGraph.from_causallearn(pag, list(prepared.names))
        params = {"alpha": self.alpha, "test": test}
        return finish(graph, dataset, "fci", start, params, knowledge, prepared)


@dataclass(frozen=True)
class GES:
    """Greedy equivalence search (causal-learn) with BIC for continuous data and BDeu for discrete data.

    causal-learn's GES takes no background knowledge, so constraints are enforced on its output (and reported).
    """

    score: Score = "auto"

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        from causallearn.search.ScoreBased.GES import ges

        start = time.perf_counter()
        prepared = prepare(dataset)
        score = _resolve_score(self.score, prepared)
        if knowledge is not None:
            knowledge.check_names(dataset.names)
        score_func = {"bic": "local_score_BIC", "bdeu": "local_score_BDeu"}[score]
        with contextlib.redirect_stdout(io.StringIO()):
            record = ges(prepared.data, score_func=score_func, node_names=list(prepared.names))
        graph = CausalGraph.from_causallearn(record["G"], list(prepared.names))
        return finish(graph, dataset, "ges", start, {"score": score}, knowledge, prepared)


@dataclass(frozen=True)
class DirectLiNGAM:
    """DirectLiNGAM (the optional ``lingam`` package): a full DAG for continuous data with non-Gaussian noise.

    Raises :class:`DependencyMissingError` when lingam is not installed (it is not a dependency of causalbridge).
    """

    seed: int = 0

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        if importlib.util.find_spec("lingam") is None:
            raise DependencyMissingError("lingam", "DirectLiNGAM")
        import lingam

        start = time.perf_counter()
        prepared = prepare(dataset)
        if prepared.discrete or prepared.mixed:
            raise InputError("DirectLiNGAM needs continuous data (linear non-Gaussian model)", where="dataset")
        prior = None
        if knowledge is not None and not knowledge.is_empty:
            knowledge.check_names(dataset.names)
            prior = _lingam_prior(knowledge, prepared.names)
        model = lingam.DirectLiNGAM(random_state=self.seed, prior_knowledge=prior)
        model.fit(prepared.data)
        weights = np.asarray(model.adjacency_matrix_)  # weights[i, j] != 0 means j -> i
        edges = [
            (prepared.names[j], prepared.names[i])
            for i in range(len(prepared.names))
            for j in range(len(prepared.names))
            if i != j and weights[i, j] != 0
        ]
        graph = CausalGraph.from_edges(directed=edges, nodes=prepared.names)
        return finish(graph, dataset, "direct-lingam", start, {"seed": self.seed}, knowledge, prepared)


def _lingam_prior(knowledge: Knowledge, names: tuple[str, ...]) -> np.ndarray:
    """lingam's prior-knowledge matrix: ``[i, j] = 1`` j reaches i, ``0`` it does not, ``-1`` unknown."""
    index = {n: i for i, n in enumerate(names)}
    prior = -np.ones((len(names), len(names)), dtype=int)
    for u, v in knowledge.required:
        if u in index and v in index:
            prior[index[v], index[u]] = 1
    for u in names:
        for v in names:
            if u != v and knowledge.is_forbidden(u, v):
                prior[index[v], index[u]] = 0
    return prior
