"""Run a benchmark task against a model: batched, concurrent, logged item by item, and resumable.

The runner owns scheduling and bookkeeping only; what to ask is the solver's job and what it means the scorer's.
Pending items are cut into batches (one ``choose`` call per batch, so local models pad and run them together and
servers get concurrent requests), at most ``concurrency`` batches are in flight, and each finished batch is
appended to ``results.jsonl`` (whole lines, flushed) before the progress bar moves. On start the log is read back
and every ``(dataset, id)`` already in it is skipped, so a run killed at any point continues where it stopped,
without asking a finished item again or writing it twice. Caching is the backend's: a resumed run whose last
batch died in flight finds those model answers in the cache.

With ``order_swap`` every item is also asked with its options in reverse order, to measure position bias
(order-swap consistency); this doubles the model calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from causalbridge.bench.items import BenchDataset, BenchItem
from causalbridge.bench.runlog import RESULTS_FILE, ResultLog, RunConfig, dataset_hash, prepare_run_dir
from causalbridge.bench.scorers import Scores
from causalbridge.bench.task import ItemResult, Solution, Solver, SwapResult, Task, breakdown_meta
from causalbridge.errors import InputError
from causalbridge.llm.aio import gather_all, run_sync
from causalbridge.llm.types import Backend


@dataclass(frozen=True)
class RunSummary:
    """What a call to the runner did: how many items were selected, already done, and newly answered."""

    run_dir: Path
    config: RunConfig
    selected: int
    resumed: int
    new: int
    scores: Scores
    wall_s: float

    @property
    def results_path(self) -> Path:
        return self.run_dir / RESULTS_FILE


def select_items(dataset: BenchDataset, limit: int | None, seed: int = 0) -> tuple[BenchItem, ...]:
    """All items, or ``limit`` of them drawn with ``seed``, kept in dataset order.

    The draw takes a prefix of one seeded permutation, so a larger ``limit`` with the same seed is a superset of
    a smaller one: a run can be extended from 100 to 500 items and keep its first 100 answers.
    """
    if limit is None:
        return dataset.items
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError(f"must be a positive whole number, got {limit!r}", where="--limit")
    if limit >= len(dataset):
        return dataset.items
    order = list(range(len(dataset)))
    random.Random(seed).shuffle(order)
    return tuple(dataset.items[i] for i in sorted(order[:limit]))


def _realign(swapped: BenchItem, original: BenchItem, probs: tuple[float, ...] | None) -> tuple[float, ...] | None:
    if probs is None:
        return None
    by_option = dict(zip(swapped.options, probs, strict=True))
    return tuple(by_option[o] for o in original.options)


def _check(solutions: list[Solution], batch: Sequence[BenchItem], solver: Solver) -> None:
    if len(solutions) != len(batch):
        raise RuntimeError(f"solver {solver.name} returned {len(solutions)} solutions for {len(batch)} items")


async def solve_batch(
    solver: Solver, backend: Backend, batch: Sequence[BenchItem], model: str, order_swap: bool
) -> list[ItemResult]:
    """Ask one batch (and its option-reversed twin) and turn the answers into log lines."""
    start = time.perf_counter()
    swapped_items = [item.reversed_options() for item in batch] if order_swap else []
    if order_swap:
        solutions, swaps = await gather_all([solver.solve(batch, backend), solver.solve(swapped_items, backend)])
        _check(swaps, batch, solver)
    else:
        solutions, swaps = await solver.solve(batch, backend), []
    _check(solutions, batch, solver)
    latency = (time.perf_counter() - start) / max(1, len(batch))
    results = []
    for i, (item, solution) in enumerate(zip(batch, solutions, strict=True)):
        usage, swap = solution.usage, None
        if order_swap:
            twin = swaps[i]
            usage = usage + twin.usage
            swap = SwapResult(twin.prediction, _realign(swapped_items[i], item, twin.probs), twin.abstained)
        results.append(
            ItemResult(
                dataset=item.dataset,
                id=item.id,
                strategy=solver.name,
                model=model,
                options=item.options,
                answer=item.answer,
                prediction=solution.prediction,
                probs=solution.probs,
                abstained=solution.abstained,
                method=solution.method,
                meta=breakdown_meta(item),
                usage=usage,
                latency_s=latency,
                swap=swap,
                reasoning=solution.reasoning,
            )
        )
    return results


def _batches(items: Sequence[BenchItem], size: int) -> Iterator[Sequence[BenchItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextlib.contextmanager
def _progress(enabled: bool, total: int, done: int, title: str) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[accuracy]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        transient=False,
    )
    progress.add_task(title, total=total, completed=done, accuracy="")
    with progress:
        yield progress


async def run_task_async(
    task: Task,
    backend: Backend,
    run_dir: str | Path,
    *,
    batch_size: int = 16,
    concurrency: int = 2,
    order_swap: bool = True,
    limit: int | None = None,
    seed: int = 0,
    progress: bool = True,
    dataset_spec: str | None = None,
) -> RunSummary:
    """Answer every selected item not yet in ``run_dir``'s log, then score everything the log holds.

    Raises :class:`InputError` when ``run_dir`` holds a run with another model, strategy, prompt version,
    dataset, order-swap setting or sample seed. Interrupting (Ctrl-C, cancellation) loses only the batches in
    flight; everything logged so far is kept for the next call.
    """
    if batch_size < 1 or concurrency < 1:
        raise InputError(f"batch size and concurrency must be >= 1, got {batch_size} and {concurrency}")
    started = time.perf_counter()
    out = Path(run_dir)
    selected = select_items(task.dataset, limit, seed)
    config = prepare_run_dir(
        out,
        RunConfig(
            model=backend.name,
            strategy=task.solver.name,
            prompt_version=task.solver.version,
            dataset=task.dataset.name,
            dataset_hash=dataset_hash(task.dataset),
            order_swap=order_swap,
            sample_seed=None if limit is None or limit >= len(task.dataset) else seed,
            dataset_spec=dataset_spec if dataset_spec is not None else task.dataset.source,
            dataset_size=len(task.dataset),
            limit=limit,
        ),
    )
    log = ResultLog(out / RESULTS_FILE)
    done = log.read(repair=True)
    pending = [item for item in selected if (item.dataset, item.id) not in done]
    resumed = len(selected) - len(pending)
    tally = [sum(r.correct for r in done.values()), len(done)]
    gate = asyncio.Semaphore(concurrency)
    title = f"{task.name} · {task.solver.name} · {backend.name}"
    with log, _progress(progress, len(selected), resumed, title) as bar:
        bar_id = bar.task_ids[0]

        async def one(batch: Sequence[BenchItem]) -> int:
            async with gate:
                results = await solve_batch(task.solver, backend, batch, backend.name, order_swap)
            log.append(results)  # synchronous: a cancellation cannot land between writing and counting
            for result in results:
                done[result.key] = result
            tally[0] += sum(r.correct for r in results)
            tally[1] += len(results)
            bar.update(bar_id, advance=len(results), accuracy=f"acc {tally[0] / tally[1]:.1%}")
            return len(results)

        counts = await gather_all(one(batch) for batch in _batches(pending, batch_size))
    return RunSummary(
        run_dir=out,
        config=config,
        selected=len(selected),
        resumed=resumed,
        new=sum(counts),
        scores=task.scorer.score(list(done.values())),
        wall_s=time.perf_counter() - started,
    )


def run_task(
    task: Task,
    backend: Backend,
    run_dir: str | Path,
    *,
    batch_size: int = 16,
    concurrency: int = 2,
    order_swap: bool = True,
    limit: int | None = None,
    seed: int = 0,
    progress: bool = True,
    dataset_spec: str | None = None,
) -> RunSummary:
    """:func:`run_task_async` from synchronous code (also inside a running event loop, e.g. Jupyter)."""
    return run_sync(
        run_task_async(
            task,
            backend,
            run_dir,
            batch_size=batch_size,
            concurrency=concurrency,
            order_swap=order_swap,
            limit=limit,
            seed=seed,
            progress=progress,
            dataset_spec=dataset_spec,
        )
    )
