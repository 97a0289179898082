"""Scores for a benchmark run: accuracy with Wilson intervals overall and by slice, F1, consistency, calibration.

Conventions (fixed here so every report means the same thing):

* An abstention (no option readable) counts as a wrong answer in accuracy, and is reported as its own rate:
  dropping abstentions would reward a model for refusing the hard items.
* Slices are the meta keys results keep (:data:`causalbridge.bench.task.BREAKDOWN_KEYS`: rung, query type,
  naming mode, Corr2Cause template, CLadder variant) plus the dataset; a slice appears only where items have it.
* F1 treats "yes" as the positive class, per dataset of yes/no items. It matters most for Corr2Cause, where "yes"
  is rare and always answering "no" scores a high accuracy but F1 = 0.
* Order-swap consistency is the share of items whose answer did not change when the options were asked in
  reverse order (items where either ask abstained are left out); a model that always picks the first option
  scores 0.
* Expected calibration error uses the probability of the predicted option against whether it was right, over
  10 equal-width bins, on items with probabilities (abstentions excluded).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from causalbridge.bench.items import YES_NO
from causalbridge.bench.task import BREAKDOWN_KEYS, ItemResult
from causalbridge.llm.types import Usage
from causalbridge.metrics import PRF, AccuracyInterval, accuracy_with_interval, expected_calibration_error

SliceValue = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Accuracy for each value of one key, in a stable order (numbers ascending, then text)."""

    key: str
    rows: tuple[tuple[SliceValue, AccuracyInterval], ...]


@dataclass(frozen=True)
class Scores:
    """Everything a report shows about a run."""

    n: int
    accuracy: AccuracyInterval | None
    breakdowns: tuple[Breakdown, ...] = ()
    f1_yes: tuple[tuple[str, PRF], ...] = ()
    swap_asked: int = 0
    consistency: AccuracyInterval | None = None
    swap_accuracy: AccuracyInterval | None = None
    ece: float | None = None
    ece_items: int = 0
    ece_bins: int = 10
    abstained: int = 0
    first_option_rate: float | None = None
    chance: float | None = None
    usage: Usage = field(default_factory=Usage)
    mean_latency_s: float = 0.0

    @property
    def abstention_rate(self) -> float:
        return self.abstained / self.n if self.n else 0.0

    def breakdown(self, key: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": _interval(self.accuracy),
            "by": {b.key: [{"value": v, **(_interval(a) or {})} for v, a in b.rows] for b in self.breakdowns},
            "f1_yes": {
                name: {"precision": p.precision, "recall": p.recall, "f1": p.f1, "tp": p.tp, "fp": p.fp, "fn": p.fn}
                for name, p in self.f1_yes
            },
            "order_swap": {
                "asked": self.swap_asked,
                "consistency": _interval(self.consistency),
                "accuracy_swapped": _interval(self.swap_accuracy),
            },
            "calibration": {"ece": self.ece, "items": self.ece_items, "bins": self.ece_bins},
            "abstained": self.abstained,
            "abstention_rate": self.abstention_rate,
            "first_option_rate": self.first_option_rate,
            "chance": self.chance,
            "usage": self.usage.to_dict(),
            "mean_latency_s": self.mean_latency_s,
        }


def _interval(a: AccuracyInterval | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"accuracy": a.accuracy, "low": a.low, "high": a.high, "correct": a.correct, "n": a.n}


def _order(value: SliceValue) -> tuple[int, float, str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def accuracy_by(results: Sequence[ItemResult], key: str, confidence: float = 0.95) -> Breakdown | None:
    """Accuracy per value of ``key`` (``"dataset"`` or a meta key); None when no result has the key."""
    groups: dict[SliceValue, list[bool]] = defaultdict(list)
    for r in results:
        value: Any = r.dataset if key == "dataset" else r.meta.get(key)
        if value is None or not isinstance(value, str | int | float | bool):
            continue
        groups[value].append(r.correct)
    if not groups:
        return None
    rows = tuple((v, accuracy_with_interval(groups[v], confidence)) for v in sorted(groups, key=_order))
    return Breakdown(key, rows)


def f1_yes(results: Sequence[ItemResult]) -> PRF:
    """Precision / recall / F1 of answering "yes" (an abstention on a "yes" item is a miss)."""
    tp = sum(1 for r in results if r.prediction == "yes" and r.answer == "yes")
    fp = sum(1 for r in results if r.prediction == "yes" and r.answer != "yes")
    fn = sum(1 for r in results if r.prediction != "yes" and r.answer == "yes")
    return PRF.from_counts(tp, fp, fn)


def calibration(results: Sequence[ItemResult], bins: int = 10) -> tuple[float | None, int]:
    """ECE of the predicted option's probability, and how many items it covers."""
    pairs = [(r.confidence, r.correct) for r in results if r.confidence is not None]
    if not pairs:
        return None, 0
    return float(expected_calibration_error([p for p, _ in pairs], [c for _, c in pairs], bins)), len(pairs)


@dataclass(frozen=True)
class BenchScorer:
    """The default scorer: every number in :class:`Scores`, at ``confidence`` and with ``bins`` ECE bins."""

    confidence: float = 0.95
    bins: int = 10
    keys: tuple[str, ...] = ("dataset", *BREAKDOWN_KEYS)

    def score(self, results: Sequence[ItemResult]) -> Scores:
        if not results:
            return Scores(n=0, accuracy=None)
        breakdowns = tuple(b for key in self.keys if (b := accuracy_by(results, key, self.confidence)) is not None)
        by_dataset: dict[str, list[ItemResult]] = defaultdict(list)
        for r in results:
            by_dataset[r.dataset].append(r)
        f1 = tuple(
            (name, f1_yes(rs))
            for name, rs in sorted(by_dataset.items())
            if all(set(r.options) == set(YES_NO) for r in rs)
        )
        swapped = [r for r in results if r.swap is not None]
        agree = [c for r in swapped if (c := r.consistent) is not None]
        swap_correct = [r.swap.prediction == r.answer for r in swapped if r.swap is not None]
        ece, ece_items = calibration(results, self.bins)
        answered = [r for r in results if r.prediction is not None]
        first = sum(1 for r in answered if r.prediction == r.options[0]) / len(answered) if answered else None
        return Scores(
            n=len(results),
            accuracy=accuracy_with_interval([r.correct for r in results], self.confidence),
            breakdowns=breakdowns,
            f1_yes=f1,
            swap_asked=len(swapped),
            consistency=accuracy_with_interval(agree, self.confidence) if agree else None,
            swap_accuracy=accuracy_with_interval(swap_correct, self.confidence) if swap_correct else None,
            ece=ece,
            ece_items=ece_items,
            ece_bins=self.bins,
            abstained=sum(1 for r in results if r.prediction is None),
            first_option_rate=first,
            chance=sum(1.0 / len(r.options) for r in results) / len(results),
            usage=Usage.total(r.usage for r in results),
            mean_latency_s=sum(r.latency_s for r in results) / len(results),
        )
