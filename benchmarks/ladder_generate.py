"""Time the ladder generator and write the generation section of docs/benchmarks/bench.md.

For each naming mode: generate N questions (default 10,000) with exact answers, report the wall time and
items/s, the yes/no balance, and (for the first mode) the distribution by rung, query type and template. Only the
"## Ladder generation" section of the file is replaced, so other sections (model accuracy, written by the runner
benchmark) survive a re-run.

Usage: .venv/bin/python benchmarks/ladder_generate.py [--n 10000] [--seed 0] [--out docs/benchmarks/bench.md]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import sys
import time
from collections import Counter
from pathlib import Path

from causalbridge.bench import BenchDataset
from causalbridge.bench.generate.ladder import QUERY_TYPES, RUNGS, generate_ladder

ROOT = Path(__file__).resolve().parents[1]
MODES = ("story", "commonsense", "anticommonsense", "nonsense", "symbolic")
SECTION = "## Ladder generation"
ACCURACY = "## Model accuracy"


def timed(n: int, seed: int, naming: str) -> tuple[BenchDataset, float]:
    start = time.perf_counter()
    ds = generate_ladder(n, seed=seed, naming=naming)
    return ds, time.perf_counter() - start


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def section(n: int, seed: int, runs: list[tuple[str, BenchDataset, float]], command: str) -> str:
    today = datetime.date.today().isoformat()
    cores = os.cpu_count()
    load = os.getloadavg()[0]
    lines = [
        SECTION,
        "",
        f"Measured {today} with `{command}` on {cores} CPU cores, Python {platform.python_version()} "
        f"({sys.platform}); one process, no parallelism; load average {load:.1f} at the end of the run "
        "(the machine was shared with other jobs, so these times are upper bounds).",
        "",
        f"`generate_ladder(n={n:,}, seed={seed}, naming=...)` over all eight built-in templates, all three rungs, "
        "`balanced=True`. Every answer is computed exactly by `DiscreteSCM` (rung 3 under the monotone coupling) "
        "and is checked, at generation time, to follow from the rounded numbers printed in the question.",
        "",
        "| naming | questions | wall time (s) | questions / s | models drawn | yes | no |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for naming, ds, seconds in runs:
        answers = ds.answer_counts()
        models = len({it.meta["model"] for it in ds})
        lines.append(
            f"| {naming} | {len(ds):,} | {seconds:.1f} | {len(ds) / seconds:,.0f} | {models:,} | "
            f"{answers['yes']:,} | {answers['no']:,} |"
        )
    worst = max(seconds for _, _, seconds in runs)
    verdict = "meets" if worst <= 60 else "misses"
    lines += ["", f"Slowest mode: **{worst:.1f} s** for {n:,} questions ({verdict} the 60 s target).", ""]
    naming, ds, _ = runs[0]
    total = len(ds)
    lines += [f"Distribution of the `{naming}` run:", "", "| rung | query type | questions | share | yes | no |"]
    lines.append("|---:|---|---:|---:|---:|---:|")
    for q in QUERY_TYPES:
        subset = [it for it in ds if it.meta["query_type"] == q]
        answers = Counter(it.answer for it in subset)
        lines.append(
            f"| {RUNGS[q]} | {q} | {len(subset):,} | {pct(len(subset), total)} | {answers['yes']:,} | "
            f"{answers['no']:,} |"
        )
    rungs = ds.counts("rung")
    lines += [
        "",
        "By rung: " + ", ".join(f"rung {r}: {rungs[r]:,} ({pct(rungs[r], total)})" for r in sorted(rungs)) + ".",
        "",
        "By template: "
        + ", ".join(f"{t} {c:,}" for t, c in sorted(ds.counts("template").items(), key=lambda kv: str(kv[0])))
        + ".",
        "",
        "Each model is asked every query type its template supports (as CLadder does), so the mix follows the "
        "templates: marginal and correlation apply everywhere, NDE only to mediation and diamond, explaining "
        "away and collider bias only to the collider. Query types dropped for a model (value within 0.01 of "
        "its threshold, or the rounded numbers would point the other way) make some types slightly rarer.",
        "",
    ]
    return "\n".join(lines)


def write(out: Path, text: str) -> None:
    """Replace the generation section of ``out`` (create the file with an accuracy heading if needed)."""
    if out.exists():
        old = out.read_text(encoding="utf-8")
        pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
        new = pattern.sub(lambda _: text + "\n", old) if pattern.search(old) else old.rstrip() + "\n\n" + text
    else:
        new = (
            "# Causal-reasoning benchmarks\n\n"
            f"{text}\n{ACCURACY}\n\n"
            "Accuracy of LLMs on generated and real benchmark items (written by the runner benchmark).\n"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modes", nargs="+", default=list(MODES))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "bench.md")
    args = parser.parse_args()
    runs = []
    for naming in args.modes:
        ds, seconds = timed(args.n, args.seed, naming)
        print(f"{naming}: {len(ds)} questions in {seconds:.1f} s ({len(ds) / seconds:.0f}/s)", flush=True)
        runs.append((naming, ds, seconds))
    command = ".venv/bin/python benchmarks/ladder_generate.py" + (f" --n {args.n}" if args.n != 10_000 else "")
    write(args.out, section(args.n, args.seed, runs, command))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
