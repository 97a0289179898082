"""``causalbridge discover``: learn a causal graph from data, from a model's knowledge, or from both.

Examples:
  causalbridge discover data.csv --describe vars.yaml --method hybrid --llm local:smollm2 --out result.json
  causalbridge discover --network alarm --samples 5000 --seed 0 --method hybrid \
      --llm "simulated:alarm?accuracy=0.8" --json
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from causalbridge.cli.console import err, finish, out, verbosity
from causalbridge.cli.options import AsJson, CacheDir, MissingCells, NoCache, llm_help, missing_policy
from causalbridge.errors import InputError

if TYPE_CHECKING:
    from causalbridge.data import CausalDataset, Network
    from causalbridge.discover import Discoverer, DiscoveryResult, Knowledge
    from causalbridge.llm import Backend


@dataclass(frozen=True)
class Settings:
    """Everything a method builder may need, resolved from the command line."""

    alpha: float
    test: str
    data_method: str
    backend: Backend | None
    domain: str
    scope: str
    min_posterior: float
    seed: int
    progress: bool


def _data_method(name: str, s: Settings) -> Discoverer:
    from causalbridge.discover import FCI, GES, PC, DirectLiNGAM

    builders: dict[str, Callable[[], Discoverer]] = {
        "pc": lambda: PC(alpha=s.alpha, test=s.test),  # type: ignore[arg-type]
        "fci": lambda: FCI(alpha=s.alpha, test=s.test),  # type: ignore[arg-type]
        "ges": lambda: GES(),
        "lingam": lambda: DirectLiNGAM(seed=s.seed),
    }
    return builders[name]()


def _need_backend(s: Settings, method: str) -> Backend:
    if s.backend is None:
        raise InputError(f"method {method!r} asks a model: give one with --llm (e.g. local:smollm2)", where="--llm")
    return s.backend


def _build(method: str, s: Settings) -> Discoverer:
    """The one registry from method names to objects (strings exist only here, at the command line)."""
    from causalbridge.discover import BreadthFirstLLM, Hybrid, LLMOrienter, PairwiseLLM, WholeGraphLLM

    if method in DATA_METHODS:
        return _data_method(method, s)
    backend = _need_backend(s, method)
    if method == "pairwise":
        return PairwiseLLM(backend, domain=s.domain, progress=s.progress)
    if method == "bfs":
        return BreadthFirstLLM(backend, domain=s.domain, progress=s.progress)
    if method == "whole-graph":
        return WholeGraphLLM(backend, domain=s.domain, progress=s.progress)
    if s.data_method not in ("pc", "ges"):
        raise InputError(f"the hybrid orients a CPDAG: --data-method must be pc or ges, not {s.data_method!r}")
    orienter = LLMOrienter(
        backend,
        domain=s.domain,
        scope=s.scope,  # type: ignore[arg-type]
        min_posterior=s.min_posterior,
        seed=s.seed,
        progress=s.progress,
    )
    return Hybrid(data=_data_method(s.data_method, s), orient=orienter)


DATA_METHODS = ("pc", "fci", "ges", "lingam")
LLM_METHODS = ("pairwise", "bfs", "whole-graph", "hybrid")
METHODS = DATA_METHODS + LLM_METHODS


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    v = value.strip().lower()
    if v not in allowed:
        raise InputError(f"unknown value {value!r}; choose one of: {', '.join(allowed)}", where=option)
    return v


def _load(
    data: Path | None, describe: Path | None, network: str | None, samples: int, seed: int, missing: str = "error"
) -> tuple[CausalDataset, Network | None, list[str]]:
    """The dataset (from a file or sampled from a bundled network) and the warnings reading it raised."""
    from causalbridge.data import load_network, read_dataset

    if (data is None) == (network is None):
        raise InputError("give either a data file or --network NAME (not both)", where="discover")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if network is not None:
            if describe is not None:
                raise InputError("--describe is for data files; bundled networks carry their descriptions")
            if samples < 1:
                raise InputError(f"--samples must be at least 1, got {samples}", where="--samples")
            net = load_network(network)
            dataset, found = net.sample(samples, seed=seed), net
        else:
            assert data is not None
            dataset, found = read_dataset(data, describe, missing=missing_policy(missing)), None
    messages = list(dict.fromkeys(str(w.message) for w in caught))
    return dataset, found, messages


def truth_scores(result: DiscoveryResult, network: Network) -> dict[str, Any]:
    """The scores ``discover --network`` prints (and the demo reports): SHD, F1s and queries against the truth."""
    from causalbridge.metrics import directed_scores, shd, skeleton_scores

    truth = network.graph
    directed = directed_scores(result.graph, truth)
    return {
        "shd_vs_dag": shd(result.graph, truth, against="dag"),
        "shd_vs_cpdag": shd(result.graph, truth, against="cpdag"),
        "skeleton_f1": round(skeleton_scores(result.graph, truth).f1, 4),
        "directed_f1": round(directed.f1, 4),
        "directed_precision": round(directed.precision, 4),
        "llm_queries": result.queries,
        "undirected_cpdag_edges_plus_n": result.diagnostics.get("query_bound"),
    }


def _print(result: DiscoveryResult, scores: dict[str, Any] | None) -> None:
    table = Table("source", "edge", "target", "provenance", "probability", title=f"{result.method}: edges")
    for e in result.graph.edges:
        info = result.info(e.u, e.v)
        arrow = "->" if e.is_directed else ("--" if e.is_undirected else str(e).split()[1])
        prob = "" if info is None or info.probability is None else f"{info.probability:.2f}"
        table.add_row(e.u, arrow, e.v, info.provenance.value if info else "", prob)
    out.print(table)
    if scores is not None:
        st = Table("metric", "value", title="against the network's true graph")
        for key, value in scores.items():
            if value is not None:
                st.add_row(key, str(value))
        out.print(st)
    if verbosity.level >= 0:
        for note in result.notes:
            out.print(f"[dim]note:[/] {escape(note)}")


def discover_command(
    data: Annotated[Path | None, typer.Argument(help="CSV/TSV/parquet file, one column per variable.")] = None,
    describe: Annotated[
        Path | None, typer.Option("--describe", "-d", help="YAML/JSON file describing the columns.")
    ] = None,
    missing: MissingCells = "error",
    network: Annotated[str | None, typer.Option("--network", help="Sample a bundled network instead.")] = None,
    samples: Annotated[int, typer.Option("--samples", help="Rows to sample with --network.")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Seed for sampling and question order.")] = 0,
    method: Annotated[str, typer.Option("--method", "-m", help=f"One of: {', '.join(METHODS)}.")] = "pc",
    data_method: Annotated[str, typer.Option("--data-method", help="Data step of the hybrid: pc or ges.")] = "pc",
    llm: Annotated[
        str | None, typer.Option("--llm", help=llm_help("Needed by the LLM-only methods and the hybrid."))
    ] = None,
    known: Annotated[
        Path | None, typer.Option("--known", help="CSV of known edges: source,target[,kind (-> or !->)].")
    ] = None,
    tiers: Annotated[str | None, typer.Option("--tiers", help='Tiers, earliest first: "a,b;c;d,e".')] = None,
    domain: Annotated[str | None, typer.Option("--domain", help="One sentence about the study, for prompts.")] = None,
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level of PC/FCI tests.")] = 0.01,
    test: Annotated[str, typer.Option("--test", help="auto, chisq, gsq, fisherz or kci.")] = "auto",
    scope: Annotated[str, typer.Option("--scope", help="Hybrid: 'undirected' or 'all' edges.")] = "all",
    min_posterior: Annotated[float, typer.Option("--min-posterior", help="Hybrid: evidence needed.")] = 0.85,
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write the result as JSON here.")] = None,
    as_json: AsJson = False,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
) -> None:
    """Discover a causal graph: data-only (pc, fci, ges, lingam), LLM-only (pairwise, bfs, whole-graph) or hybrid.

    Example: causalbridge discover --network asia --samples 2000 --method hybrid --llm "simulated:asia?accuracy=0.8"
    """
    from causalbridge.discover import Knowledge, parse_tiers, read_knowledge
    from causalbridge.llm import make_backend
    from causalbridge.llm.types import Usage

    method = _choice(method, METHODS, "--method")
    dataset, net, messages = _load(data, describe, network, samples, seed, missing)
    for message in messages:
        err.print(f"[yellow]warning:[/] {escape(message)}", soft_wrap=True)
    knowledge: Knowledge | None = read_knowledge(known, dataset.names) if known is not None else None
    if tiers is not None:
        tiered = Knowledge(tiers=parse_tiers(tiers, dataset.names))
        knowledge = knowledge.merged(tiered) if knowledge is not None else tiered
    if method in DATA_METHODS and llm is not None:
        err.print(f"[yellow]warning:[/] --llm is ignored by the data-only method {method!r}")
    backend = make_backend(llm, cache_dir=cache_dir, no_cache=no_cache) if llm and method in LLM_METHODS else None
    settings = Settings(
        alpha=alpha,
        test=_choice(test, ("auto", "chisq", "gsq", "fisherz", "kci"), "--test"),
        data_method=_choice(data_method, DATA_METHODS, "--data-method"),
        backend=backend,
        domain=domain if domain is not None else (net.domain if net is not None else ""),
        scope=_choice(scope, ("undirected", "all"), "--scope"),
        min_posterior=min_posterior,
        seed=seed,
        progress=not as_json and verbosity.level >= 0,
    )
    result = _build(method, settings).discover(dataset, knowledge)
    scores = truth_scores(result, net) if net is not None else None
    payload = {**result.to_dict(), "scores": scores, "network": network, "samples": samples if net else None}
    if out_file is not None:
        try:
            out_file.write_text(json.dumps(payload, indent=2, default=str))
        except OSError as exc:
            raise InputError(f"cannot write the result: {exc}", where=str(out_file)) from None
    if as_json:
        out.print_json(json.dumps(payload, default=str))
    else:
        _print(result, scores)
    usage = (result.usage or Usage()) if backend is not None else None
    written = [out_file] if out_file is not None else []
    finish(usage, written, model=backend.name if backend is not None else None, to_stderr=as_json)
