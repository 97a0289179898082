"""Asking a model about pairs of variables: batched ``choose`` calls with a progress bar and usage accounting.

Every question carries a :class:`~causalbridge.llm.CausalClaim`, so the simulated expert can answer it and the
answer can be graded against a known graph; real models read only the rendered text. Answers are kept in the
frame the prompt showed them (``first``, ``second``), because the order a pair is shown in is itself a variable:
asking both orders is how the reliability of a model is measured.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from causalbridge.discover.prompting import DIRECT_CAUSE, DIRECTION, PromptContext
from causalbridge.llm import Answer, CausalClaim, Relation, run_sync
from causalbridge.llm.types import Backend, Choice, GenerationParams, Query, Usage

Role = Literal["ask", "swap", "paraphrase", "known", "pairwise", "cycle"]
DIRECTION_OPTIONS = ("A", "B", "C")
YES_NO = ("yes", "no")


@dataclass(frozen=True, slots=True)
class DirectionRequest:
    """Ask about ``first`` and ``second`` shown in that order, with ``template``; ``role`` says why."""

    first: str
    second: str
    template: str = DIRECTION
    role: Role = "ask"


@dataclass(frozen=True, slots=True)
class PairAnswer:
    """One answer to a three-way direction question, in the prompt's frame.

    ``probs`` are (first -> second, second -> first, no direct edge). ``abstained`` answers (the model's reply
    could not be read) carry uniform probabilities and are never counted as votes.
    """

    first: str
    second: str
    probs: tuple[float, float, float]
    template: str
    prompt: str
    abstained: bool
    role: Role

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.first, self.second))

    def prob(self, u: str, v: str) -> float:
        """The probability this answer gives to ``u -> v`` (u, v in either order of the prompt)."""
        if (u, v) == (self.first, self.second):
            return self.probs[0]
        if (u, v) == (self.second, self.first):
            return self.probs[1]
        raise KeyError(f"this answer is about {self.first} and {self.second}, not {u} and {v}")

    @property
    def p_none(self) -> float:
        return self.probs[2]

    def vote(self, u: str, v: str) -> int | None:
        """+1 for ``u -> v``, -1 for ``v -> u``, 0 for no edge, None for an abstention (in the frame (u, v))."""
        if self.abstained:
            return None
        best = max(range(3), key=self.probs.__getitem__)
        if best == 2:
            return 0
        forward = (best == 0) == ((u, v) == (self.first, self.second))
        return 1 if forward else -1


@dataclass(frozen=True, slots=True)
class YesNoAnswer:
    """P(yes) that ``cause`` directly causes ``effect`` (None when the model abstained)."""

    cause: str
    effect: str
    p_yes: float | None
    prompt: str


def _readable(choice: Choice) -> bool:
    return not choice.abstained and all(math.isfinite(p) for p in choice.probs)


class Asker:
    """Sends batches of questions to one backend, shows a progress bar and adds up what they cost."""

    def __init__(
        self,
        backend: Backend,
        context: PromptContext,
        *,
        progress: bool = False,
        chunk: int = 16,
        label: str = "asking the model",
    ) -> None:
        self.backend = backend
        self.context = context
        self.progress = progress
        self.chunk = max(1, chunk)
        self.label = label
        self.usage = Usage()
        self.abstentions = 0

    def _bar(self, total: int) -> Progress:
        console = Console(stderr=True)
        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not self.progress or not console.is_terminal or total == 0,
        )

    def _chunks(self, total: int, label: str) -> Iterator[tuple[int, int]]:
        with self._bar(total) as bar:
            task = bar.add_task(f"{self.label}: {label}", total=total)
            for start in range(0, total, self.chunk):
                end = min(total, start + self.chunk)
                yield start, end
                bar.advance(task, end - start)

    def directions(self, requests: Sequence[DirectionRequest], label: str = "edge directions") -> list[PairAnswer]:
        """Three-way answers (first -> second, second -> first, neither) to every request, in order."""
        prompts = [self.context.pair(r.template, r.first, r.second) for r in requests]
        out: list[PairAnswer] = []
        for start, end in self._chunks(len(requests), label):
            batch = [
                Query(text, _direction_claim(r.first, r.second))
                for r, text in zip(requests[start:end], prompts[start:end], strict=True)
            ]
            choices = run_sync(self.backend.choose(batch, DIRECTION_OPTIONS))
            for r, text, choice in zip(requests[start:end], prompts[start:end], choices, strict=True):
                self.usage = self.usage + choice.usage
                readable = _readable(choice)
                self.abstentions += 0 if readable else 1
                probs = (choice.probs[0], choice.probs[1], choice.probs[2]) if readable else (1 / 3, 1 / 3, 1 / 3)
                out.append(PairAnswer(r.first, r.second, probs, r.template, text, not readable, r.role))
        return out

    def yes_no(self, pairs: Sequence[tuple[str, str]], label: str = "direct causes") -> list[YesNoAnswer]:
        """P(yes) for "does cause directly cause effect?" for every (cause, effect) pair, in order."""
        prompts = [self.context.pair(DIRECT_CAUSE, a, b) for a, b in pairs]
        out: list[YesNoAnswer] = []
        for start, end in self._chunks(len(pairs), label):
            batch = [
                Query(text, CausalClaim.yes_no(Relation.DIRECT_CAUSE, a, b))
                for (a, b), text in zip(pairs[start:end], prompts[start:end], strict=True)
            ]
            choices = run_sync(self.backend.choose(batch, YES_NO))
            for (a, b), text, choice in zip(pairs[start:end], prompts[start:end], choices, strict=True):
                self.usage = self.usage + choice.usage
                readable = _readable(choice)
                self.abstentions += 0 if readable else 1
                out.append(YesNoAnswer(a, b, choice.probs[0] if readable else None, text))
        return out

    def complete(self, prompts: Sequence[str], max_tokens: int = 96, label: str = "lists") -> list[str]:
        """Greedy free-text replies (for list questions a real model answers in one go)."""
        params = GenerationParams(max_tokens=max_tokens, temperature=0.0)
        out: list[str] = []
        for start, end in self._chunks(len(prompts), label):
            replies = run_sync(self.backend.complete(list(prompts[start:end]), params))
            for reply in replies:
                self.usage = self.usage + reply.usage
                out.append(reply.text)
        return out


def _direction_claim(first: str, second: str) -> CausalClaim:
    return CausalClaim.edge_direction(first, second, {"A": Answer.A_TO_B, "B": Answer.B_TO_A, "C": Answer.NO_EDGE})
