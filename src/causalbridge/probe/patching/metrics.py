"""Metrics: what a patching run measures, always on the logits of the final position.

A metric is any callable from a ``(batch, vocab)`` tensor of final-position logits to a ``(batch,)`` tensor,
so that a whole batch of patched runs is scored in one call. The three below cover the usual choices: the
probability of the answer (Meng et al. 2022), its log-probability, and the logit difference between the
correct and an incorrect answer (Wang et al. 2022), which is linear in the residual stream and therefore the
better-behaved choice when effects are summed or compared across sites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import torch

from causalbridge.errors import InputError


@runtime_checkable
class Metric(Protocol):
    """Scores a batch of runs from their final-position logits: ``(batch, vocab) -> (batch,)``."""

    def __call__(self, logits: torch.Tensor) -> torch.Tensor: ...


@dataclass(frozen=True)
class AnswerProbability:
    """The probability of one answer token at the final position."""

    token_id: int
    answer: str = ""

    @property
    def name(self) -> str:
        return f"P({self.answer or self.token_id!r})"

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.softmax(logits.double(), dim=-1)[:, self.token_id]


@dataclass(frozen=True)
class AnswerLogProb:
    """The log-probability of one answer token at the final position."""

    token_id: int
    answer: str = ""

    @property
    def name(self) -> str:
        return f"log P({self.answer or self.token_id!r})"

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(logits.double(), dim=-1)[:, self.token_id]


@dataclass(frozen=True)
class LogitDifference:
    """The logit of the correct answer minus the logit of the incorrect one (the corrupted run's answer)."""

    correct_id: int
    incorrect_id: int
    correct: str = ""
    incorrect: str = ""

    @property
    def name(self) -> str:
        return f"logit({self.correct or self.correct_id!r}) - logit({self.incorrect or self.incorrect_id!r})"

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        return logits[:, self.correct_id].double() - logits[:, self.incorrect_id].double()


def answer_token_id(tokenizer: Any, answer: str) -> int:
    """The single token id of ``answer`` (mind the leading space: ``" Paris"``, not ``"Paris"``).

    A multi-token answer is refused rather than truncated to its first token, because the first token of
    " Washington" and " Wash" is the same and the metric would quietly measure something else.
    """
    ids = list(tokenizer(answer, add_special_tokens=False)["input_ids"])
    if len(ids) != 1:
        pieces = [tokenizer.decode([token]) for token in ids]
        raise InputError(
            f"the answer must be exactly one token, but the tokenizer splits it into {len(ids)}: {pieces!r}"
            + (" (answers usually need a leading space, e.g. ' Paris')" if answer[:1] != " " else ""),
            where=f"answer {answer!r}",
        )
    return int(ids[0])


def answer_probability(tokenizer: Any, answer: str) -> AnswerProbability:
    """Metric: probability of ``answer`` at the final position."""
    return AnswerProbability(answer_token_id(tokenizer, answer), answer)


def answer_log_prob(tokenizer: Any, answer: str) -> AnswerLogProb:
    """Metric: log-probability of ``answer`` at the final position."""
    return AnswerLogProb(answer_token_id(tokenizer, answer), answer)


def logit_difference(tokenizer: Any, correct: str, incorrect: str) -> LogitDifference:
    """Metric: logit of ``correct`` minus logit of ``incorrect`` at the final position."""
    correct_id, incorrect_id = answer_token_id(tokenizer, correct), answer_token_id(tokenizer, incorrect)
    return LogitDifference(correct_id, incorrect_id, correct, incorrect)


def metric_name(metric: Metric) -> str:
    """A label for reports: the metric's ``name`` when it has one, else its function or class name."""
    name = getattr(metric, "name", None)
    if isinstance(name, str) and name:
        return name
    return str(getattr(metric, "__name__", type(metric).__name__))


def score(metric: Metric, logits: torch.Tensor) -> torch.Tensor:
    """Apply ``metric`` and check it returned one number per run, so a wrong metric fails here, not in numpy."""
    values = metric(logits)
    if not isinstance(values, torch.Tensor) or values.shape != (logits.shape[0],):
        shape = tuple(values.shape) if isinstance(values, torch.Tensor) else type(values).__name__
        raise InputError(
            f"a metric must map (batch, vocab) logits to a (batch,) tensor; it returned {shape} "
            f"for logits of shape {tuple(logits.shape)}",
            where=f"metric {metric_name(metric)}",
        )
    return values.detach().double().cpu()
