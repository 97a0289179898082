"""How the hybrid's ``min_posterior`` trades safety (a model at chance moves nothing) against gains (a good model
helps), on the grid of benchmarks/discovery.py. Writes docs/benchmarks/discovery_threshold.md.

For every network, sample size, seed and data-only base (PC, GES; read from the cache that
benchmarks/discovery.py fills, computed when missing), the hybrid orients the same base graph with simulated
experts at accuracy 1/3 (chance on all three answers), 0.5 and 0.8, at each threshold. Reported: SHD against the
true DAG, and how many edges the model's answers moved (orientations plus turned-around arrows) at chance.

    PYTHONHASHSEED=0 .venv/bin/python benchmarks/discovery_threshold.py
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from discovery import NETWORKS, data_only  # noqa: E402

from causalbridge.data import load_network  # noqa: E402
from causalbridge.discover import Hybrid, LLMOrienter, Precomputed  # noqa: E402
from causalbridge.llm import SimulatedExpert  # noqa: E402
from causalbridge.metrics import shd  # noqa: E402

THRESHOLDS = (0.6, 0.7, 0.75, 0.85)
ACCURACIES = (1 / 3, 0.5, 0.8)


def run(args: argparse.Namespace) -> tuple[list[dict[str, object]], float]:
    rows: list[dict[str, object]] = []
    started = time.perf_counter()
    for name in args.networks:
        net = load_network(name)
        for n in args.samples:
            for seed in range(args.seeds):
                data = net.sample(n, seed=seed)
                for base in data_only(net, data, n, seed, args.cache_dir, ges=True):
                    row: dict[str, object] = {
                        "network": name,
                        "n": n,
                        "seed": seed,
                        "base": base.method,
                        "data": shd(base.graph, net.graph),
                    }
                    for mp in THRESHOLDS:
                        for accuracy in ACCURACIES:
                            expert = SimulatedExpert(net.graph, accuracy=accuracy, seed=seed, network=name)
                            orienter = LLMOrienter(expert, domain=net.domain, seed=seed, min_posterior=mp)
                            result = Hybrid(data=Precomputed(base), orient=orienter).discover(data)
                            d = result.diagnostics
                            row[f"shd {mp} {accuracy:.2f}"] = shd(result.graph, net.graph)
                            row[f"moved {mp} {accuracy:.2f}"] = int(d["oriented_by_llm"]) + int(d["flipped_by_llm"])
                    rows.append(row)
        print(f"{name}: done", file=sys.stderr, flush=True)
    return rows, time.perf_counter() - started


def mean(values: list[float]) -> float:
    return statistics.fmean(values)


def render(rows: list[dict[str, object]], wall: float, args: argparse.Namespace) -> str:
    cells = sorted(
        {(str(r["network"]), int(str(r["n"])), str(r["base"])) for r in rows},
        key=lambda c: (NETWORKS.index(c[0]) if c[0] in NETWORKS else 99, c[1], c[2]),
    )

    def group(cell: tuple[str, int, str]) -> list[dict[str, object]]:
        return [r for r in rows if (r["network"], r["n"], r["base"]) == cell]

    def avg(g: list[dict[str, object]], key: str) -> float:
        return mean([float(str(r[key])) for r in g])

    best = {
        (net, n): min(avg(group((net, n, b)), "data") for b in ("pc", "ges") if group((net, n, b)))
        for net, n, _ in cells
    }
    lines = [
        "# Hybrid discovery: the evidence threshold (`min_posterior`)",
        "",
        f"Date {date.today().isoformat()} · command `PYTHONHASHSEED=0 .venv/bin/python "
        f"benchmarks/discovery_threshold.py` · machine {platform.machine()}, 2 cores · wall time {wall:.0f} s · "
        f"{args.seeds} seeds, networks {', '.join(args.networks)}, n = {', '.join(map(str, args.samples))}.",
        "",
        "The hybrid applies a model's orientation only when its posterior reaches `min_posterior` (default 0.85). "
        "SHD against the true DAG rewards a low threshold: orienting an undirected edge wrongly costs nothing "
        "(an undirected and a reversed edge both cost 1) and turning an arrow around is an even bet at 0.5. But "
        "a low threshold lets a model at chance move edges (each then labelled an LLM decision, with a "
        "probability that means little), which the issue forbids. This table measures the trade.",
        "",
        "## Summary over all cells",
        "",
        "| min_posterior | edges moved per run by a model at chance (accuracy 1/3) | runs at chance that moved "
        "anything | cells with hybrid SHD ≤ 0.5 × best data-only at accuracy 0.8 | cells with SHD ≤ 1.05 × its "
        "base at accuracy 0.5 | mean SHD at 0.8 / its base |",
        "|---|---|---|---|---|---|",
    ]
    for mp in THRESHOLDS:
        moved = [float(str(r[f"moved {mp} 0.33"])) for r in rows]
        halved = sum(avg(group(c), f"shd {mp} 0.80") <= 0.5 * best[(c[0], c[1])] for c in cells)
        safe = sum(avg(group(c), f"shd {mp} 0.50") <= 1.05 * avg(group(c), "data") for c in cells)
        ratio = mean([avg(group(c), f"shd {mp} 0.80") / max(avg(group(c), "data"), 1e-9) for c in cells])
        lines.append(
            f"| {mp} | {mean(moved):.2f} | {sum(m > 0 for m in moved)} of {len(moved)} | {halved} of {len(cells)} "
            f"| {safe} of {len(cells)} | {ratio:.2f} |"
        )
    lines += [
        "",
        "## Per cell (means over seeds)",
        "",
        "SHD of the data-only base, then for each threshold: SHD at accuracy 0.5 and 0.8, and (in brackets) the "
        "edges a model at chance moved, summed over seeds.",
        "",
        "| network | n | base | data SHD | best data-only | "
        + " | ".join(f"@{mp}: 0.5 / 0.8 [chance]" for mp in THRESHOLDS)
        + " |",
        "|" + "---|" * (5 + len(THRESHOLDS)),
    ]
    for c in cells:
        g = group(c)
        parts = [
            f"{avg(g, f'shd {mp} 0.50'):.1f} / {avg(g, f'shd {mp} 0.80'):.1f} "
            f"[{sum(int(str(r[f'moved {mp} 0.33'])) for r in g)}]"
            for mp in THRESHOLDS
        ]
        lines.append(
            f"| {c[0]} | {c[1]} | {c[2]} | {avg(g, 'data'):.1f} | {best[(c[0], c[1])]:.1f} | "
            + " | ".join(parts)
            + " |"
        )
    lines += [
        "",
        "## Reading it",
        "",
        "* The default stays at 0.85: it is the only threshold here at which a model at chance moved no edge in any "
        "run, which is what the issue asks of a chance-level model. Lower thresholds buy real gains with a good "
        "model (see the last column) at the price of a few random orientations when the model knows nothing.",
        "* Choose a lower one (`--min-posterior 0.7`, `LLMOrienter(min_posterior=0.7)`) when the model is known to "
        "be good (graded `--known` edges show it) and a wrong arrow costs no more than a missing one.",
        "* Even the lowest threshold cannot reach half the best data-only SHD where the data's skeleton is wrong "
        "(insurance, alarm at n = 1000): the hybrid only orients the edges the data found (see discovery.md).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=lambda s: s.split(","), default=list(NETWORKS))
    parser.add_argument("--samples", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 5000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cache-dir", type=Path, default=Path(".causalbridge-cache/discovery-benchmark"))
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks/discovery_threshold.md"))
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    rows, wall = run(args)
    args.out.write_text(render(rows, wall, args), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
