"""Asking a model for minimal counterfactual edits, and reading the edit out of its reply.

Each (example, target label) pair becomes one prompt: *flip* when the target differs from the example's label
("rewrite the hypothesis so that the label becomes contradiction, changing as few words as possible"), *keep*
when it is the same ("a small change that keeps the label"). With ``candidates > 1`` the model is sampled that
many times (seeds ``seed, seed + 1, ...``) and the filters pick among the candidates, as DISCO over-generates
and filters; a single candidate is decoded greedily.

Templates are versioned files ``causalbridge/prompts/counterfactual_<step>_v1.txt``; the version is recorded in
every output line, so a run is never resumed with different prompts.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from causalbridge.counterfactual.examples import Example, TaskKind
from causalbridge.errors import InputError
from causalbridge.llm.aio import gather_all
from causalbridge.llm.types import Backend, Completion, GenerationParams

PROMPT_VERSION = "v1"
SAMPLE_TEMPERATURE = 0.7
_PREFIX = re.compile(
    r"^(?:(?:here is|here's)[^:\n]*:|(?:the\s+)?(?:rewritten|new|edited|modified|revised)?\s*"
    r"(?:hypothesis|premise|text|sentence|version|answer)\s*:)\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class EditTask:
    """One edit to ask for: ``example``'s ``field`` rewritten towards ``target``."""

    example: Example
    field: str
    target: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.example.id, self.target)

    @property
    def mode(self) -> str:
        return "keep" if self.target == self.example.label else "flip"

    @property
    def original(self) -> str:
        return self.example.field(self.field)


@functools.cache
def load_template(name: str) -> string.Template:
    """The template ``causalbridge/prompts/<name>.txt`` (read once per process)."""
    path = resources.files("causalbridge").joinpath("prompts", f"{name}.txt")
    if not path.is_file():
        raise InputError(f"no prompt template {name!r}", where=f"causalbridge/prompts/{name}.txt")
    return string.Template(path.read_text(encoding="utf-8").rstrip("\n"))


def task_text(kind: TaskKind, labels: Sequence[str]) -> str:
    return f"{kind.description} Labels: {', '.join(labels)}."


def example_text(fields: Mapping[str, str]) -> str:
    return "\n".join(f"{name.capitalize()}: {value}" for name, value in fields.items())


def edit_prompt(task: EditTask, kind: TaskKind, labels: Sequence[str]) -> str:
    return load_template(f"counterfactual_{task.mode}_{PROMPT_VERSION}").substitute(
        task=task_text(kind, labels),
        example=example_text(dict(task.example.fields)),
        label=task.example.label,
        field=task.field,
        target=task.target,
    )


def judge_prompt(fields: Mapping[str, str], kind: TaskKind, labels: Sequence[str]) -> str:
    return load_template(f"counterfactual_judge_{PROMPT_VERSION}").substitute(
        task=task_text(kind, labels), example=example_text(fields)
    )


def fluency_prompt() -> str:
    return load_template(f"counterfactual_fluency_{PROMPT_VERSION}").template


def clean_edit(reply: str, original: str) -> str | None:
    """The edited text in a reply: its first non-empty line (unless the original spans lines), without lead-ins
    such as "Rewritten hypothesis:" and without wrapping quotes; None when nothing is left."""
    text = reply.strip()
    if "\n" not in original:
        text = next((line.strip() for line in text.splitlines() if line.strip()), "")
    for _ in range(2):  # "Here is the rewritten text: Hypothesis: ..." has two lead-ins
        text = _PREFIX.sub("", text, count=1).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`":
        text = text[1:-1].strip()
    text = text.strip("`").strip()
    return text or None


def max_tokens_for(original: str) -> int:
    """Room for a rewrite a little longer than the original (about 1.3 tokens per word), within [32, 512]."""
    return max(32, min(512, 3 * len(original.split()) + 16))


async def generate_edits(
    backend: Backend,
    tasks: Sequence[EditTask],
    kind: TaskKind,
    labels: Sequence[str],
    *,
    candidates: int = 1,
    seed: int = 0,
) -> list[list[tuple[str | None, Completion]]]:
    """For each task, ``candidates`` cleaned edits (None where the reply held no text) with the raw completion."""
    if candidates < 1:
        raise InputError(f"must be >= 1, got {candidates}", where="candidates")
    prompts = [edit_prompt(task, kind, labels) for task in tasks]
    limit = max((max_tokens_for(t.original) for t in tasks), default=32)
    if candidates == 1:
        rounds = [GenerationParams(max_tokens=limit, temperature=0.0)]
    else:
        rounds = [
            GenerationParams(max_tokens=limit, temperature=SAMPLE_TEMPERATURE, seed=seed + i) for i in range(candidates)
        ]
    replies = await gather_all(backend.complete(prompts, params) for params in rounds)
    out: list[list[tuple[str | None, Completion]]] = []
    for i, task in enumerate(tasks):
        row = []
        for round_replies in replies:
            completion = round_replies[i]
            usable = completion.finish_reason not in ("abstain", "refusal", "content_filter")
            row.append((clean_edit(completion.text, task.original) if usable else None, completion))
        out.append(row)
    return out
