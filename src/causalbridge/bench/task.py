"""A benchmark task is a dataset, a solver and a scorer; this module defines the three roles and what they exchange.

The split follows evaluation harnesses such as inspect_ai: a :class:`Solver` turns items into answers through a
language model (one prompt strategy per solver), a :class:`Scorer` turns finished results into numbers, and the
runner in between only schedules, logs and resumes. Solvers and scorers are Protocols, so a new prompt strategy or
metric is any object with the right method, not a subclass.

:class:`ItemResult` is one line of a run's ``results.jsonl``: everything needed to score an item later (its answer,
the prediction, the probabilities, the order-swapped answer, the meta keys results are broken down by) without
re-reading the dataset, so ``bench report`` works on a run directory alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from causalbridge.bench.items import BenchDataset, BenchItem, Meta
from causalbridge.errors import InputError
from causalbridge.llm.types import Backend, Usage

if TYPE_CHECKING:
    from causalbridge.bench.scorers import Scores

#: Format version of one results line; bump it when a field changes meaning.
RESULT_VERSION = 1

#: The meta keys an item result keeps, so that scores can be broken down by them without the dataset.
BREAKDOWN_KEYS: tuple[str, ...] = ("rung", "query_type", "naming", "template", "variant")


@dataclass(frozen=True, slots=True)
class Solution:
    """What a solver concluded about one item.

    ``probs`` is aligned with the options *as the solver was given them*; ``prediction`` is None when the model
    abstained (no option could be read), because counting a forced pick as an answer would hide position bias.
    """

    prediction: str | None
    probs: tuple[float, ...] | None
    usage: Usage
    method: str | None = None
    abstained: bool = False
    reasoning: str | None = None


@runtime_checkable
class Solver(Protocol):
    """A prompt strategy: ``name`` and ``version`` identify it in run configs (a new template is a new version)."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    async def solve(self, items: Sequence[BenchItem], backend: Backend) -> list[Solution]:
        """One solution per item, in order; items may have different options."""
        ...


@runtime_checkable
class Scorer(Protocol):
    """Turns a run's finished results into scores."""

    def score(self, results: Sequence[ItemResult]) -> Scores: ...


@dataclass(frozen=True, slots=True)
class SwapResult:
    """The answer to the same item asked with its options in reverse order (probabilities realigned)."""

    prediction: str | None
    probs: tuple[float, ...] | None
    abstained: bool


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One finished item: the unit of the resumable log. ``probs`` follow ``options`` (the item's own order)."""

    dataset: str
    id: str
    strategy: str
    model: str
    options: tuple[str, ...]
    answer: str
    prediction: str | None
    probs: tuple[float, ...] | None
    abstained: bool
    method: str | None
    meta: Meta
    usage: Usage
    latency_s: float
    swap: SwapResult | None = None
    reasoning: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What identifies an item across runs and resumes."""
        return (self.dataset, self.id)

    @property
    def correct(self) -> bool:
        return self.prediction is not None and self.prediction == self.answer

    @property
    def confidence(self) -> float | None:
        """The probability given to the predicted option (None without probabilities or a prediction)."""
        if self.probs is None or self.prediction is None:
            return None
        return self.probs[self.options.index(self.prediction)]

    @property
    def consistent(self) -> bool | None:
        """Whether the order-swapped ask gave the same answer; None when not asked or either side abstained."""
        if self.swap is None or self.prediction is None or self.swap.prediction is None:
            return None
        return self.prediction == self.swap.prediction

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        swap = None
        if self.swap is not None:
            swap = {
                "prediction": self.swap.prediction,
                "probs": _probs_dict(self.options, self.swap.probs),
                "abstained": self.swap.abstained,
            }
        return {
            "v": RESULT_VERSION,
            "dataset": self.dataset,
            "id": self.id,
            "strategy": self.strategy,
            "model": self.model,
            "options": list(self.options),
            "answer": self.answer,
            "prediction": self.prediction,
            "correct": self.correct,
            "probs": _probs_dict(self.options, self.probs),
            "abstained": self.abstained,
            "method": self.method,
            "swap": swap,
            "consistent": self.consistent,
            "meta": self.meta.to_plain(),
            "usage": self.usage.to_dict(),
            "latency_s": round(self.latency_s, 6),
            "reasoning": self.reasoning,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str | None = None) -> ItemResult:
        """Read a results line back; anything malformed is an :class:`InputError` naming ``where``."""
        try:
            if data.get("v") != RESULT_VERSION:
                raise ValueError(f"unsupported result version {data.get('v')!r} (expected {RESULT_VERSION})")
            options = tuple(str(o) for o in data["options"])
            swap_data = data.get("swap")
            swap = None
            if swap_data is not None:
                swap = SwapResult(
                    swap_data["prediction"], _probs_tuple(options, swap_data["probs"]), bool(swap_data["abstained"])
                )
            for predicted in (data["prediction"], swap.prediction if swap else None):
                if predicted is not None and predicted not in options:
                    raise ValueError(f"prediction {predicted!r} is not one of the options {list(options)!r}")
            usage = Usage(**{k: v for k, v in dict(data["usage"]).items() if k in Usage.__dataclass_fields__})
            return cls(
                dataset=str(data["dataset"]),
                id=str(data["id"]),
                strategy=str(data["strategy"]),
                model=str(data["model"]),
                options=options,
                answer=str(data["answer"]),
                prediction=data["prediction"],
                probs=_probs_tuple(options, data["probs"]),
                abstained=bool(data["abstained"]),
                method=data.get("method"),
                meta=Meta(data.get("meta") or {}),
                usage=usage,
                latency_s=float(data["latency_s"]),
                swap=swap,
                reasoning=data.get("reasoning"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            detail = f"missing field {err}" if isinstance(err, KeyError) else str(err)
            raise InputError(f"not a valid result line: {detail}", where=where) from None

    @classmethod
    def from_json(cls, text: str, where: str | None = None) -> ItemResult:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"invalid JSON: {err.msg} at column {err.colno}", where=where) from None
        if not isinstance(data, dict):
            raise InputError("a result line must be a JSON object", where=where)
        return cls.from_dict(data, where=where)


def _probs_dict(options: tuple[str, ...], probs: tuple[float, ...] | None) -> dict[str, float] | None:
    if probs is None:
        return None
    return {option: round(float(p), 9) for option, p in zip(options, probs, strict=True)}


def _probs_tuple(options: tuple[str, ...], probs: Any) -> tuple[float, ...] | None:
    if probs is None:
        return None
    if not isinstance(probs, Mapping) or set(probs) != set(options):
        raise ValueError(f"probs must map each option to a number, got {probs!r}")
    values = tuple(float(probs[o]) for o in options)
    if not all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"probabilities must lie in [0, 1], got {values!r}")
    return values


def breakdown_meta(item: BenchItem, keys: Sequence[str] = BREAKDOWN_KEYS) -> Meta:
    """The part of an item's meta a result keeps: the scalar values of ``keys`` (graphs and numbers stay out)."""
    kept = {k: item.meta[k] for k in keys if k in item.meta and isinstance(item.meta[k], str | int | float | bool)}
    return Meta(kept)


@dataclass(frozen=True)
class Task:
    """What to run: a dataset, a solver (prompt strategy) and a scorer; ``name`` defaults to the dataset's."""

    dataset: BenchDataset
    solver: Solver
    scorer: Scorer
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.dataset, BenchDataset):
            raise InputError(f"dataset must be a BenchDataset, got {type(self.dataset).__name__}", where="Task")
        if not isinstance(self.solver, Solver):
            raise InputError(f"{self.solver!r} does not implement the Solver protocol", where="Task.solver")
        if not isinstance(self.scorer, Scorer):
            raise InputError(f"{self.scorer!r} does not implement the Scorer protocol", where="Task.scorer")
        if not self.name:
            object.__setattr__(self, "name", self.dataset.name)
