"""Throughput of the OpenAI-compatible backend against a local server with 200 ms latency per request.

Measures (1) 200 distinct requests at concurrency 1 vs 16, and (2) the same 200 requests answered from a warm
sqlite cache vs the cold run that filled it. Writes the table to docs/benchmarks/llm.md.

    .venv/bin/python benchmarks/llm_server.py            # full run (about a minute)
    .venv/bin/python benchmarks/llm_server.py --quick    # 40 requests, for a smoke test
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from causalbridge.llm import GenerationParams, NullCache, SqliteCache, run_sync
from causalbridge.llm.backends.openai_compat import OpenAICompatBackend
from causalbridge.llm.cache import Cache
from causalbridge.llm.scripted_server import ScriptedServer

LATENCY = 0.2
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "llm.md"


def timed_run(base_url: str, prompts: list[str], concurrency: int, cache: Cache) -> tuple[float, int, int]:
    """Wall seconds for one batch of prompts, plus the backend's requests and cache hits."""
    backend = OpenAICompatBackend("bench", base_url=base_url, concurrency=concurrency, cache=cache, timeout=30.0)
    start = time.perf_counter()
    results = run_sync(backend.complete(prompts, GenerationParams(max_tokens=16)))
    elapsed = time.perf_counter() - start
    assert len(results) == len(prompts)
    return elapsed, backend.usage.requests, backend.usage.cache_hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="40 requests, and do not write the doc")
    args = parser.parse_args()
    n = 40 if args.quick else args.requests
    prompts = [f"Question {i}: does variable {i} cause variable {i + 1}?" for i in range(n)]
    rows: list[tuple[str, int, float, int, int]] = []
    with ScriptedServer(latency=LATENCY) as server, tempfile.TemporaryDirectory() as tmp:
        for concurrency in (1, 16):
            elapsed, requests, hits = timed_run(server.base_url, prompts, concurrency, NullCache())
            rows.append((f"no cache, concurrency {concurrency}", concurrency, elapsed, requests, hits))
            print(rows[-1], flush=True)
        cache = SqliteCache(tmp)
        elapsed, requests, hits = timed_run(server.base_url, prompts, 16, cache)
        rows.append(("cold cache, concurrency 16", 16, elapsed, requests, hits))
        print(rows[-1], flush=True)
        warm_runs = sorted(timed_run(server.base_url, prompts, 16, cache) for _ in range(3))
        elapsed, requests, hits = warm_runs[1]  # the median of three: one warm run takes milliseconds
        rows.append(("warm cache (same requests, median of 3)", 16, elapsed, requests, hits))
        print(rows[-1], flush=True)
        cache.close()

    serial, parallel, cold, warm = (row[2] for row in rows)
    speedup, cache_speedup = serial / parallel, cold / warm
    print(f"concurrency 16 vs 1: {speedup:.1f}x; warm vs cold cache: {cache_speedup:.0f}x")
    if args.quick:
        return
    write_doc(rows, n, speedup, cache_speedup, serial / warm)


def write_doc(
    rows: list[tuple[str, int, float, int, int]], n: int, speedup: float, cache_x: float, serial_x: float
) -> None:
    lines = [
        "# LLM layer benchmarks: server concurrency and the answer cache",
        "",
        f"Measured {datetime.date.today().isoformat()} with `.venv/bin/python benchmarks/llm_server.py` on "
        f"{os.cpu_count()} CPU cores (load average {os.getloadavg()[0]:.1f} at the end of the run: the machine was "
        f"shared), Python {platform.python_version()} ({sys.platform}).",
        "",
        f"The server is `causalbridge.llm.scripted_server.ScriptedServer` on 127.0.0.1 (a real HTTP server "
        f"speaking the chat-completions API) with {LATENCY * 1000:.0f} ms of latency per request; the client is "
        "`OpenAICompatBackend` (httpx, keep-alive) asking "
        f"{n} distinct prompts in one batched `complete` call.",
        "",
        "| run | concurrency | wall time (s) | requests sent | cache hits | requests / s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, concurrency, elapsed, requests, hits in rows:
        lines.append(f"| {name} | {concurrency} | {elapsed:.3f} | {requests} | {hits} | {n / elapsed:,.0f} |")
    lines += [
        "",
        f"* Concurrency 16 vs 1: **{speedup:.1f}x** faster (target >= 10x; with {n} requests in waves of 16 the "
        f"ideal is {n / math.ceil(n / 16):.1f}x).",
        f"* Warm cache vs the cold run that filled it: **{cache_x:,.0f}x** faster (target >= 100x); "
        f"vs the serial run without a cache: {serial_x:,.0f}x.",
        "* Every warm-cache result reports `cache_hits=1`, `requests=0` and zero tokens: a cache hit costs nothing.",
        "",
        "Local-model throughput (log-probabilities vs sampling on the embedded model) is in `llm_local.md`.",
        "",
    ]
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
