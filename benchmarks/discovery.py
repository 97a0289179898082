"""Benchmark causal discovery: data-only (PC, GES), LLM-only (pairwise, BFS) and hybrid, against bundled networks.

Writes docs/benchmarks/discovery.md. Every run samples ``n`` rows from a network's CPTs (seeded), runs the data
methods once, and reuses their output for the hybrid at every simulated accuracy, so the LLM's effect is
measured on the same data-only graph. LLM-only methods do not read the data, so they run once per seed.

    PYTHONHASHSEED=0 OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/discovery.py

Options trim the grid (``--networks asia,sachs --samples 1000 --seeds 1 --no-embedded``); finished data-only
runs are kept in ``--cache-dir`` (a pickle per run, and the LLM answer cache) so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from causalbridge.data import CausalDataset, Network, load_network
from causalbridge.discover import (
    GES,
    PC,
    BreadthFirstLLM,
    Discoverer,
    DiscoveryResult,
    Hybrid,
    LLMOrienter,
    PairwiseLLM,
    Precomputed,
)
from causalbridge.llm import Backend, SimulatedExpert, make_backend
from causalbridge.metrics import directed_scores, shd, skeleton_scores

NETWORKS = ("asia", "sachs", "child", "insurance", "alarm")
ACCURACIES = (1.0, 0.9, 0.8, 0.65, 0.5)
EMBEDDED_NETWORKS = ("asia", "sachs")


@dataclass(frozen=True)
class Row:
    """One scored run."""

    network: str
    n: int | None
    seed: int
    method: str
    llm: str
    shd: int
    shd_cpdag: int
    skeleton_f1: float
    directed_f1: float
    queries: int
    bound: int | None
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def score(net: Network, result: DiscoveryResult, n: int | None, seed: int, llm: str, seconds: float) -> Row:
    truth = net.graph
    return Row(
        network=net.name,
        n=n,
        seed=seed,
        method=result.method,
        llm=llm,
        shd=shd(result.graph, truth),
        shd_cpdag=shd(result.graph, truth, against="cpdag"),
        skeleton_f1=skeleton_scores(result.graph, truth).f1,
        directed_f1=directed_scores(result.graph, truth).f1,
        queries=result.queries,
        bound=result.diagnostics.get("query_bound"),
        seconds=seconds,
        extra={k: v for k, v in result.diagnostics.items() if isinstance(v, int | float)},
    )


def timed(method: Discoverer, data: CausalDataset) -> tuple[DiscoveryResult, float]:
    start = time.perf_counter()
    result = method.discover(data)
    return result, time.perf_counter() - start


def data_only(net: Network, data: CausalDataset, n: int, seed: int, cache: Path, ges: bool) -> list[DiscoveryResult]:
    """PC (and GES) on one sample, from the cache when an earlier run finished them."""
    results = []
    for name, method in (("pc", PC(alpha=0.01)), ("ges", GES())):
        if name == "ges" and not ges:
            continue
        path = cache / f"{net.name}-{n}-{seed}-{name}.pkl"
        if path.exists():
            results.append(pickle.loads(path.read_bytes()))
            continue
        result = method.discover(data)
        path.write_bytes(pickle.dumps(result))
        results.append(result)
        log(f"  {name} on {net.name} n={n} seed={seed}: {result.runtime_seconds:.1f} s")
    return results


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_grid(args: argparse.Namespace, cache: Path) -> list[Row]:
    rows: list[Row] = []
    for name in args.networks:
        net = load_network(name)
        names_only = net.sample(1, seed=0)  # LLM-only methods read the variables, not the rows
        for seed in range(args.seeds):
            for accuracy in ACCURACIES:
                expert = SimulatedExpert(net.graph, accuracy=accuracy, seed=seed, network=name)
                label = f"simulated {accuracy:g}"
                for method in (PairwiseLLM(expert, domain=net.domain), BreadthFirstLLM(expert, domain=net.domain)):
                    result, seconds = timed(method, names_only)
                    rows.append(score(net, result, None, seed, label, seconds))
            for n in args.samples:
                data = net.sample(n, seed=seed)
                for base in data_only(net, data, n, seed, cache, ges=name not in args.no_ges):
                    rows.append(score(net, base, n, seed, "", base.runtime_seconds))
                    for accuracy in ACCURACIES:
                        expert = SimulatedExpert(net.graph, accuracy=accuracy, seed=seed, network=name)
                        hybrid = Hybrid(
                            data=Precomputed(base), orient=LLMOrienter(expert, domain=net.domain, seed=seed)
                        )
                        result, seconds = timed(hybrid, data)
                        rows.append(score(net, result, n, seed, f"simulated {accuracy:g}", seconds))
        log(f"{name}: done")
    return rows


def run_embedded(args: argparse.Namespace, cache: Path) -> list[Row]:
    """The real embedded model (deterministic: log-probabilities), on seed 0 of each sample size."""
    backend: Backend = make_backend("local:smollm2", cache_dir=cache / "llm")
    rows: list[Row] = []
    for name in EMBEDDED_NETWORKS:
        if name not in args.networks:
            continue
        net = load_network(name)
        for n in args.samples:
            data = net.sample(n, seed=0)
            (pc, *_) = data_only(net, data, n, 0, cache, ges=False)
            hybrid = Hybrid(data=Precomputed(pc), orient=LLMOrienter(backend, domain=net.domain, seed=0))
            result, seconds = timed(hybrid, data)
            rows.append(score(net, result, n, 0, "local:smollm2", seconds))
        names_only = net.sample(1, seed=0)
        result, seconds = timed(PairwiseLLM(backend, domain=net.domain), names_only)
        rows.append(score(net, result, None, 0, "local:smollm2", seconds))
        if name == "asia" and args.embedded_bfs:
            result, seconds = timed(BreadthFirstLLM(backend, domain=net.domain), names_only)
            rows.append(score(net, result, None, 0, "local:smollm2", seconds))
        log(f"embedded model on {name}: done")
    return rows


# ---------------------------------------------------------------------------------------------- the report
def mean(values: Iterable[float]) -> float:
    return statistics.fmean(list(values))


def cell(values: list[float], digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def select(rows: list[Row], **where: Any) -> list[Row]:
    return [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]


def table(rows: list[Row], keys: list[tuple[Any, ...]], header: list[str], label: Callable[..., list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key in keys:
        group = [r for r in rows if (r.network, r.n, r.method, r.llm) == key]
        if not group:
            continue
        lines.append("| " + " | ".join(label(key, group)) + " |")
    return "\n".join(lines)


def standard(key: tuple[Any, ...], group: list[Row]) -> list[str]:
    network, n, method, llm = key
    bound = [float(r.bound) for r in group if r.bound is not None]
    return [
        network,
        str(n) if n else "-",
        method,
        llm or "-",
        cell([r.shd for r in group]),
        cell([r.shd_cpdag for r in group]),
        cell([r.skeleton_f1 for r in group], 2),
        cell([r.directed_f1 for r in group], 2),
        cell([r.queries for r in group], 0),
        cell(bound, 0) if bound else "-",
        cell([r.seconds for r in group], 2),
    ]


HEADER = ["network", "n", "method", "LLM", "SHD", "SHD vs CPDAG", "skeleton F1", "directed F1", "queries",
          "u + n", "wall s"]  # fmt: skip


def ordered_keys(rows: list[Row]) -> list[tuple[Any, ...]]:
    seen: dict[tuple[Any, ...], None] = {}
    for r in rows:
        seen.setdefault((r.network, r.n, r.method, r.llm))
    return list(seen)


def skeleton_floor(cache: Path, network: str, n: int, method: str, seeds: int) -> float | None:
    """The SHD an orientation-only hybrid cannot go below: the data's missing plus extra adjacencies."""
    truth = load_network(network).graph.skeleton()
    errors = []
    for seed in range(seeds):
        path = cache / f"{network}-{n}-{seed}-{method}.pkl"
        if not path.exists():
            return None
        graph = pickle.loads(path.read_bytes()).graph
        errors.append(len(graph.skeleton() ^ truth))
    return mean(errors)


def targets(rows: list[Row], args: argparse.Namespace) -> tuple[list[str], dict[str, int]]:
    header = ("| network | n | best data-only SHD | hybrid base | skeleton floor | hybrid SHD @0.8 | ≤ 0.5×? | "
              "SHD @0.5 vs its base | ≤ 1.05×? | max queries / (u + n) |")  # fmt: skip
    out = [header, "|---|---|---|---|---|---|---|---|---|---|"]
    tally = {"half": 0, "half_of": 0, "coin": 0, "coin_of": 0, "bound": 0, "bound_of": 0}
    for name in args.networks:
        for n in args.samples:
            data = {m: mean(r.shd for r in select(rows, network=name, n=n, method=m, llm="")) for m in ("pc", "ges")
                    if select(rows, network=name, n=n, method=m, llm="")}  # fmt: skip
            if not data:
                continue
            best = min(data.values())
            for base in data:
                hybrid = select(rows, network=name, n=n, method=f"hybrid-{base}")
                at8 = mean(r.shd for r in hybrid if r.llm == "simulated 0.8")
                at5 = mean(r.shd for r in hybrid if r.llm == "simulated 0.5")
                ratio = max(r.queries / r.bound for r in hybrid if r.bound)
                floor = skeleton_floor(args.cache_dir, name, n, base, args.seeds)
                half, coin = at8 <= 0.5 * best, at5 <= 1.05 * data[base]
                tally["half"] += half
                tally["coin"] += coin
                tally["bound"] += ratio <= 1.0
                for key in ("half_of", "coin_of", "bound_of"):
                    tally[key] += 1
                out.append(
                    f"| {name} | {n} | {best:.1f} | {base} | {'-' if floor is None else f'{floor:.1f}'} | {at8:.1f} "
                    f"| {'yes' if half else 'no'} | {at5:.1f} vs {data[base]:.1f} | {'yes' if coin else 'no'} "
                    f"| {ratio:.2f} |"
                )
    return out, tally


COMMENTARY = """
### How to read the targets

* *Skeleton floor* is the number of node pairs where the data-only graph has a missing or extra edge. The hybrid
  only orients (and, with strong evidence, turns around) edges the data found, so its SHD cannot go below this
  floor whatever the model knows: on insurance (both bases) and alarm with PC at n = 1000 the floor alone is
  above half the better data-only SHD, so the 0.5x target is out of reach for any orientation-only method there.
  Finding missing edges would need questions about non-adjacent pairs, which the query bound (u + n) does not
  allow. Where the floor is low and the data's arrows are right (GES on asia, and on sachs and child at
  n = 5000), the simulated expert at accuracy 1.0 gets close to it, and the gap at 0.8 is the price of the
  caution described next. With PC much of what remains is data arrows pointing the wrong way: the model may turn
  one around only when its evidence beats the data's, and the probe budget reaches only some of them.
* The simulated expert at accuracy 0.5 picks the right one of three answers half the time, so when it names a
  direction it is right 2/3 of the time: better than a coin on directions. The hybrid still leaves the data's
  graph (almost) as it was, because one vote of a 2/3-reliable judge is worth posterior 0.67 and even two
  consistent ones only 0.80, below the 0.85 an orientation needs. A judge truly at chance (accuracy 1/3, or the
  embedded model, which always names the first-listed variable as the cause) contradicts itself when the order
  of the two variables is swapped, is estimated at chance, and changes nothing (tests/discover/test_hybrid.py).
  The SHD-vs-DAG part of this target is weak by construction: orienting an undirected edge never raises it.
* The hybrid is conservative on purpose: with only n probe questions, a model's reliability is often not
  established (the posterior probability that it is at chance stays above a few percent), and then nothing it
  says is applied. This is why accuracy 0.8 helps much less than 1.0 on small networks (asia has 8 variables,
  so at most 8 probes) and why results vary between seeds (in the run above, sachs n=5000 with GES: one seed of
  three oriented 8 of 17 edges at accuracy 0.8, the other two none). Known edges (`--known`) are the strongest
  probes: each is graded directly.
* LLM-only pairwise asks n(n-1) questions (56, 110, 380, 702 and 1332 for the five networks): every one of the
  n(n-1)/2 pairs in both orders. Its errors grow with the number of *non*-edges, so even a 0.8-accurate expert
  gives an SHD of about 70 on alarm. Breadth-first search with the simulated expert asks one yes/no question per
  candidate effect (the expert cannot read list answers), which is also O(n^2); with a real model it asks
  n + 1 list questions (9 on asia in the embedded-model table).

### What was cut, and why

* Nothing from the simulated grid: every network, both sample sizes, 3 seeds, PC and GES, five accuracies.
  GES is the slow part (about 90 s per run on alarm at n = 1000 and 120 s at n = 5000 on this shared 2-core
  machine); the whole run took the wall time above.
* The embedded model runs on seed 0 only (it is deterministic: options are scored by log-probabilities), with
  the PC-based hybrid and pairwise on asia and sachs, and breadth-first on asia only. Whole-graph discovery with
  it is not benchmarked: one structured answer took 425 s here and did not parse (an abstention), which the
  tests cover with a scripted server instead.
"""


def report(rows: list[Row], args: argparse.Namespace, wall: float, argv: list[str]) -> str:
    data_rows = [r for r in rows if r.method in ("pc", "ges")]
    hybrid_rows = [r for r in rows if r.method.startswith("hybrid") and r.llm.startswith("simulated")]
    llm_rows = [r for r in rows if r.method.startswith("llm-") and r.llm.startswith("simulated")]
    embedded = [r for r in rows if r.llm == "local:smollm2"]
    table_lines, tally = targets(rows, args)
    lines = [
        "# Causal discovery benchmark",
        "",
        f"Date {date.today().isoformat()} · command `PYTHONHASHSEED=0 OMP_WAIT_POLICY=PASSIVE .venv/bin/python "
        f"benchmarks/discovery.py {' '.join(argv)}` · machine {platform.machine()}, {os.cpu_count()} cores, shared "
        f"with other jobs (load average 6-11 during the run) · total wall time {wall / 60:.1f} min.",
        "",
        f"Networks {', '.join(args.networks)}; n = {', '.join(map(str, args.samples))} rows; {args.seeds} seeds "
        "(mean ± standard deviation over seeds). SHD counts node pairs that differ (a reversed or undirected edge "
        "costs 1) against the true DAG, and against its CPDAG in the next column. LLM answers come from the "
        "SIMULATED expert (right with probability `accuracy` on each three-way question, seeded) unless the LLM "
        "column says `local:smollm2`. `u + n` is the hybrid's query bound: undirected edges of the data-only "
        "graph plus the number of variables.",
        "",
        "## Data only",
        "",
        table(data_rows, ordered_keys(data_rows), HEADER, standard),
        "",
        "## Hybrid (the data-only graph of each row above, oriented with the simulated expert's answers)",
        "",
        table(hybrid_rows, ordered_keys(hybrid_rows), HEADER, standard),
        "",
        "## LLM only (no data; pairwise asks n(n-1) questions: every one of the n(n-1)/2 pairs in both orders)",
        "",
        table(llm_rows, ordered_keys(llm_rows), HEADER, standard),
        "",
        "## The embedded model (SmolLM2-135M, at chance on causal directions)",
        "",
        table(embedded, ordered_keys(embedded), HEADER, standard) if embedded else "Not run (`--no-embedded`).",
        "",
        "## Targets",
        "",
        f"* hybrid SHD <= 0.5 x the better of PC/GES at accuracy 0.8: met in {tally['half']} of {tally['half_of']} "
        "(network, n, hybrid base) cells;",
        f"* hybrid SHD <= 1.05 x its data-only base at accuracy 0.5: met in {tally['coin']} of {tally['coin_of']};",
        f"* hybrid queries <= undirected CPDAG edges + n in every run: met in {tally['bound']} of "
        f"{tally['bound_of']} cells (the last column is the largest ratio over seeds and accuracies);",
        "* pairwise needs n(n-1)/2 pairs (asked in both orders: n(n-1) questions), as the LLM-only table shows.",
        "",
        *table_lines,
        COMMENTARY,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--networks", type=lambda s: s.split(","), default=list(NETWORKS))
    parser.add_argument("--samples", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 5000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--no-ges", type=lambda s: s.split(","), default=[], help="networks to run without GES")
    parser.add_argument("--no-embedded", action="store_true")
    parser.add_argument("--embedded-bfs", action="store_true", help="also BFS with the embedded model on asia")
    parser.add_argument("--cache-dir", type=Path, default=Path(".causalbridge-cache/discovery-benchmark"))
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks/discovery.md"))
    parser.add_argument("--notes", type=Path, default=None, help="markdown appended to the report (cuts, findings)")
    parser.add_argument("--from-rows", action="store_true", help="re-render the last run's saved rows")
    args = parser.parse_args(argv)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    saved = args.cache_dir / "rows.pkl"
    if args.from_rows:  # re-render the last run's report (with new notes) without running anything again
        run = pickle.loads(saved.read_bytes())
    else:
        start = time.perf_counter()
        rows = run_grid(args, args.cache_dir)
        if not args.no_embedded:
            rows += run_embedded(args, args.cache_dir)
        run = {"rows": rows, "wall": time.perf_counter() - start, "argv": sys.argv[1:]}
        saved.write_bytes(pickle.dumps(run))
    text = report(run["rows"], args, run["wall"], run["argv"])
    if args.notes is not None:
        text += "\n" + args.notes.read_text()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
