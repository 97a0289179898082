"""Generate, score, filter and log counterfactual edits for a set of examples, resumably, with a progress bar.

Pending (example, target) pairs are cut into batches. For each batch the generator writes the edits (one
``complete`` call per candidate round), then the judge's ``choose`` over the label set and the fluency scores run
concurrently, and the finished records are appended to the output file before the bar moves. A restarted run
reads the file back and skips every pair already in it. Edits that are empty or identical to the original are
rejected without asking the judge or the fluency model anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from causalbridge.counterfactual.examples import ExampleSet
from causalbridge.counterfactual.filter import (
    FilterSettings,
    FluencyScore,
    JudgeScore,
    decide,
    edit_ratio,
    heuristic_fluency,
    logprob_fluency,
)
from causalbridge.counterfactual.generate import (
    PROMPT_VERSION,
    EditTask,
    fluency_prompt,
    generate_edits,
    judge_prompt,
)
from causalbridge.counterfactual.io import Candidate, CounterfactualRecord, OutputLog
from causalbridge.errors import InputError
from causalbridge.llm.aio import gather_all, run_sync
from causalbridge.llm.types import Backend, Choice, Usage


@dataclass(frozen=True)
class RunSummary:
    """What a run did: pairs selected, already done, done now, and how many of the new ones were kept."""

    path: Path
    selected: int
    resumed: int
    new: int
    kept: int
    fluency_method: str
    usage: Usage
    wall_s: float


def plan_tasks(examples: ExampleSet, target_label: str | None = None, field: str | None = None) -> list[EditTask]:
    """One task per example and target: ``target_label`` for every example (a *keep* edit where it already has
    that label), or by default every label other than the example's own (*flip* edits)."""
    chosen_field = field or examples.kind.edit_field
    if chosen_field not in examples.kind.fields:
        raise InputError(
            f"{examples.kind.name} examples have the fields {', '.join(examples.kind.fields)}, not {chosen_field!r}",
            where="field",
        )
    if target_label is not None and target_label not in examples.labels:
        raise InputError(f"{target_label!r} is not one of the labels {list(examples.labels)}", where="target label")
    tasks = []
    for example in examples:
        targets = [target_label] if target_label is not None else [x for x in examples.labels if x != example.label]
        tasks += [EditTask(example, chosen_field, target) for target in targets]
    return tasks


def pick_fluency_backend(generator: Backend, judge: Backend) -> Backend | None:
    """The generator when it has log-probabilities, else the judge when it has, else None (the heuristic)."""
    for backend in (generator, judge):
        if backend.capabilities.has_logprobs:
            return backend
    return None


def run_counterfactuals(
    examples: ExampleSet,
    generator: Backend,
    judge: Backend,
    out: str | Path,
    *,
    target_label: str | None = None,
    field: str | None = None,
    settings: FilterSettings | None = None,
    fluency: Backend | None | Literal["auto"] = "auto",
    candidates: int = 1,
    seed: int = 0,
    batch_size: int = 8,
    progress: bool = False,
) -> RunSummary:
    """Write one JSON line per (example, target) to ``out``, skipping pairs already there (see the module doc).

    ``fluency`` is the backend whose log-probabilities score fluency: ``"auto"`` picks with
    :func:`pick_fluency_backend`, None always uses the heuristic.
    """
    if batch_size < 1:
        raise InputError(f"must be >= 1, got {batch_size}", where="batch_size")
    chosen = settings if settings is not None else FilterSettings()
    scorer = pick_fluency_backend(generator, judge) if fluency == "auto" else fluency
    tasks = plan_tasks(examples, target_label, field)
    field_name = tasks[0].field if tasks else (field or examples.kind.edit_field)
    run = {
        "generator": generator.name,
        "judge": judge.name,
        "fluency": scorer.name if scorer is not None else "heuristic",
        "prompt_version": PROMPT_VERSION,
        "settings": chosen.to_dict(),
        "candidates": candidates,
        "seed": seed,
        "labels": list(examples.labels),
        "field": field_name,
    }
    log = OutputLog(Path(out))
    done = log.read(run)
    pending = [t for t in tasks if t.key not in done]
    scoring = _Scoring(generator, judge, scorer, examples, chosen, candidates, seed, run)
    start = time.perf_counter()
    kept = 0
    usages: list[Usage] = []
    with log, _progress(progress, len(tasks), len(tasks) - len(pending)) as bar:
        for batch in _batches(pending, batch_size):
            records, usage = run_sync(scoring.batch(batch))
            log.append(records)
            kept += sum(r.kept for r in records)
            usages.append(usage)
            bar.update(bar.task_ids[0], advance=len(batch), kept=f"kept {kept}")
    method = "logprob" if scorer is not None else "heuristic"
    return RunSummary(
        Path(out),
        len(tasks),
        len(tasks) - len(pending),
        len(pending),
        kept,
        method,
        Usage.total(usages),
        time.perf_counter() - start,
    )


@dataclass(frozen=True)
class _Scoring:
    generator: Backend
    judge: Backend
    fluency: Backend | None
    examples: ExampleSet
    settings: FilterSettings
    candidates: int
    seed: int
    run: dict[str, Any]

    async def batch(self, tasks: Sequence[EditTask]) -> tuple[list[CounterfactualRecord], Usage]:
        """Generate, score and decide one batch; returns its records and what it cost."""
        kind, labels = self.examples.kind, self.examples.labels
        generated = await generate_edits(
            self.generator, tasks, kind, labels, candidates=self.candidates, seed=self.seed
        )
        drafts = [_Draft(task, edit, c.usage) for task, row in zip(tasks, generated, strict=True) for edit, c in row]
        scored = [d for d in drafts if d.text is not None and edit_ratio(d.task.original, d.text) > 0]
        prompts = [judge_prompt(d.edited_fields(), kind, labels) for d in scored]

        async def judged() -> list[Choice]:
            return await self.judge.choose(prompts, labels) if prompts else []

        async def fluent() -> list[tuple[FluencyScore, Usage]]:
            return await gather_all(self._fluency(d.task.original, d.edited_text()) for d in scored)

        choices, fluencies = await asyncio.gather(judged(), fluent())
        for draft, choice, (fluency, fluency_usage) in zip(scored, choices, fluencies, strict=True):
            draft.usage = draft.usage + choice.usage + fluency_usage
            draft.candidate = self._candidate(draft.task, draft.edited_text(), fluency, JudgeScore.of(choice))
        records: list[CounterfactualRecord] = []
        for task in tasks:
            mine = [d for d in drafts if d.task is task]
            cands = tuple(d.candidate if d.candidate is not None else _unscored(d.text) for d in mine)
            usage = Usage.total(d.usage for d in mine)
            best = max(cands, key=_rank)
            example = task.example
            records.append(
                CounterfactualRecord(
                    example.id,
                    task.target,
                    example.label,
                    task.mode,
                    task.field,
                    dict(example.fields),
                    best,
                    cands,
                    self.run,
                    usage.to_dict(),
                )
            )
        return records, Usage.total(d.usage for d in drafts)

    async def _fluency(self, original: str, edited: str) -> tuple[FluencyScore, Usage]:
        if self.fluency is None:
            return heuristic_fluency(original, edited), Usage()
        return await logprob_fluency(self.fluency, fluency_prompt(), original, edited)

    def _candidate(self, task: EditTask, edit: str, fluency: FluencyScore, judge: JudgeScore) -> Candidate:
        ratio = edit_ratio(task.original, edit)
        verdict = decide(ratio, fluency, judge, task.target, self.settings)
        return Candidate(
            edit,
            ratio,
            fluency.value,
            fluency.method,
            fluency.detail,
            judge.label,
            judge.prob(task.target),
            judge.probs,
            verdict.to_dict(),
            verdict.kept,
            verdict.reasons,
        )


@dataclass
class _Draft:
    """Mutable working state of one candidate inside a batch (never leaves this module)."""

    task: EditTask
    text: str | None
    usage: Usage
    candidate: Candidate | None = None

    def edited_text(self) -> str:
        assert self.text is not None  # only candidates with text are scored
        return self.text

    def edited_fields(self) -> dict[str, str]:
        return self.task.example.with_field(self.task.field, self.edited_text())


def _unscored(edit: str | None) -> Candidate:
    """A candidate rejected before any model scored it: no text, or the original unchanged."""
    reason = "the generator gave no edit" if edit is None else "the edit changes nothing"
    ratio = None if edit is None else 0.0
    checks = {"edit_distance": False, "fluency": False, "judge": False}
    return Candidate(edit, ratio, None, None, "", None, None, (), checks, False, (reason,))


def _rank(candidate: Candidate) -> tuple[bool, float, float]:
    """Kept first, then the judge's probability of the intended label, then the smaller edit."""
    return (candidate.kept, candidate.judge_prob or 0.0, -(candidate.edit_distance or 1.0))


def _batches(tasks: Sequence[EditTask], size: int) -> Iterator[Sequence[EditTask]]:
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]


@contextlib.contextmanager
def _progress(enabled: bool, total: int, done: int) -> Iterator[Progress]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[kept]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )
    with bar:
        bar.add_task("counterfactuals", total=total, completed=done, kept="")
        yield bar
