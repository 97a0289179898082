"""The three filters an edit must pass to be kept: it changes little, it reads fluently, and a judge agrees.

* **Edit distance**: token-level Levenshtein distance divided by the longer token count (0 = unchanged, 1 =
  rewritten). Kept when ``0 < ratio <= max_edit``: an unchanged text is no counterfactual, a rewrite is not minimal.
* **Fluency**, by one of two methods, and the record says which:

  - ``logprob`` (a backend with log-probabilities): the model is shown both texts and scores each as its reply;
    the score is ``(ln p(edit) - ln p(original)) / tokens``, averaged over both orders of the two options so that
    position bias cancels. It is the edit's log-likelihood per token *relative to the original*: 0 means "as
    natural as the original", -1 "one nat per token less likely". The Backend protocol exposes option
    log-probabilities only through ``choose`` (normalised over the options), and that ratio is exactly what
    survives the normalisation; an absolute per-token log-probability does not.
  - ``heuristic`` (no log-probabilities): the share of simple checks the edit passes (a letter in it, length
    within half to twice the original, no word said three times running, no leftover instructions, balanced
    brackets and quotes, sentence-final punctuation kept). It catches broken output, not subtle disfluency.
* **Judge**: any backend ``choose``-s a label for the edited example; the edit is kept when the judge's most
  probable label is the intended one and its probability is at least ``min_judge``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from causalbridge.errors import InputError
from causalbridge.llm.types import Backend, Choice, Usage

FluencyMethod = Literal["logprob", "heuristic"]
_TOKEN = re.compile(r"\w+|[^\w\s]")
_LEFTOVER = re.compile(r"\b(?:rewritten|original (?:text|hypothesis|premise)|label\s*:)", re.IGNORECASE)
_FLOOR = 1e-9  # probability floor, so an option given no mass scores a finite, very low log-likelihood


@dataclass(frozen=True, slots=True)
class FilterSettings:
    """Thresholds. ``min_fluency`` applies to the logprob method (nats per token relative to the original),
    ``min_heuristic`` to the heuristic one (share of checks passed)."""

    max_edit: float = 0.3
    min_fluency: float = -1.0
    min_heuristic: float = 1.0
    min_judge: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 < self.max_edit <= 1.0:
            raise InputError(f"must be in (0, 1], got {self.max_edit}", where="max_edit")
        if not 0.0 <= self.min_heuristic <= 1.0:
            raise InputError(f"must be in [0, 1], got {self.min_heuristic}", where="min_heuristic")
        if not 0.0 <= self.min_judge <= 1.0:
            raise InputError(f"must be in [0, 1], got {self.min_judge}", where="min_judge")
        if not math.isfinite(self.min_fluency):
            raise InputError(f"must be a finite number, got {self.min_fluency}", where="min_fluency")

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def tokens(text: str) -> list[str]:
    """Words and punctuation marks, lower-cased: a change of case alone is not an edit."""
    return _TOKEN.findall(text.lower())


def levenshtein(a: Sequence[str], b: Sequence[str]) -> int:
    """The number of token insertions, deletions and substitutions that turn ``a`` into ``b``."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def edit_ratio(original: str, edited: str) -> float:
    """Token-level Levenshtein distance over the longer length, in [0, 1]."""
    a, b = tokens(original), tokens(edited)
    longest = max(len(a), len(b))
    return 0.0 if longest == 0 else levenshtein(a, b) / longest


@dataclass(frozen=True, slots=True)
class FluencyScore:
    value: float
    method: FluencyMethod
    detail: str = ""


def heuristic_fluency(original: str, edited: str) -> FluencyScore:
    """The share of the checks in the module docstring that ``edited`` passes; ``detail`` names the failures."""
    words = [t for t in tokens(edited) if t.isalnum()]
    n_orig = max(1, len(tokens(original)))
    n_edit = len(tokens(edited))
    checks = {
        "has letters": any(c.isalpha() for c in edited),
        "length close to the original": 0.5 <= n_edit / n_orig <= 2.0,
        "no word three times running": not any(words[i] == words[i + 1] == words[i + 2] for i in range(len(words) - 2)),
        "no leftover instructions": _LEFTOVER.search(edited) is None,
        "balanced brackets and quotes": _balanced(edited),
        "final punctuation kept": original.rstrip()[-1:] not in ".!?" or edited.rstrip()[-1:] in ".!?",
    }
    failed = [name for name, ok in checks.items() if not ok]
    detail = "failed: " + ", ".join(failed) if failed else "all checks passed"
    return FluencyScore(sum(checks.values()) / len(checks), "heuristic", detail)


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return False
    return depth == 0 and text.count('"') % 2 == 0


async def logprob_fluency(backend: Backend, prompt: str, original: str, edited: str) -> tuple[FluencyScore, Usage]:
    """Relative log-likelihood per token of ``edited`` against ``original`` (see the module docstring).

    Falls back to :func:`heuristic_fluency` when the backend answered by sampling instead of log-probabilities.
    """
    forward = await backend.choose([prompt], (edited, original))
    backward = await backend.choose([prompt], (original, edited))
    usage = forward[0].usage + backward[0].usage
    if any(c.method != "logprobs" for c in (*forward, *backward)):
        fallback = heuristic_fluency(original, edited)
        detail = f"{backend.name} gave no log-probabilities; {fallback.detail}"
        return FluencyScore(fallback.value, "heuristic", detail), usage
    ratios = [_log_ratio(forward[0], edited, original), _log_ratio(backward[0], edited, original)]
    per_token = sum(ratios) / 2 / max(1, len(tokens(edited)), len(tokens(original)))
    return FluencyScore(per_token, "logprob", f"relative to the original, under {backend.name}"), usage


def _log_ratio(choice: Choice, edited: str, original: str) -> float:
    return math.log(max(_FLOOR, choice.prob(edited))) - math.log(max(_FLOOR, choice.prob(original)))


@dataclass(frozen=True, slots=True)
class JudgeScore:
    """The judge's label for the edited example and its probability for each label (empty when it abstained)."""

    label: str | None
    probs: tuple[tuple[str, float], ...]

    @property
    def abstained(self) -> bool:
        return self.label is None

    def prob(self, label: str) -> float | None:
        return dict(self.probs).get(label)

    @classmethod
    def of(cls, choice: Choice) -> JudgeScore:
        if choice.abstained or not all(math.isfinite(p) for p in choice.probs):
            return cls(None, ())
        return cls(choice.best, tuple(zip(choice.options, choice.probs, strict=True)))


@dataclass(frozen=True, slots=True)
class Verdict:
    """Which filters an edit passed, whether it is kept, and every reason it is not."""

    edit_ok: bool
    fluency_ok: bool
    judge_ok: bool
    reasons: tuple[str, ...]

    @property
    def kept(self) -> bool:
        return self.edit_ok and self.fluency_ok and self.judge_ok

    def to_dict(self) -> dict[str, Any]:
        return {"edit_distance": self.edit_ok, "fluency": self.fluency_ok, "judge": self.judge_ok}


def decide(ratio: float, fluency: FluencyScore, judge: JudgeScore, intended: str, settings: FilterSettings) -> Verdict:
    """Apply the thresholds of ``settings`` to one edit's scores."""
    reasons: list[str] = []
    edit_ok = 0.0 < ratio <= settings.max_edit
    if ratio == 0.0:
        reasons.append("the edit changes nothing")
    elif not edit_ok:
        reasons.append(f"edit distance {ratio:.2f} > {settings.max_edit:g}")
    threshold = settings.min_fluency if fluency.method == "logprob" else settings.min_heuristic
    fluency_ok = fluency.value >= threshold
    if not fluency_ok:
        reasons.append(f"fluency ({fluency.method}) {fluency.value:.3g} < {threshold:g}: {fluency.detail}")
    p = judge.prob(intended)
    judge_ok = judge.label == intended and p is not None and p >= settings.min_judge
    if judge.abstained:
        reasons.append("the judge abstained")
    elif not judge_ok:
        reasons.append(f"the judge says {judge.label!r} (p({intended}) = {p if p is not None else 0:.2f})")
    return Verdict(edit_ok, fluency_ok, judge_ok, tuple(reasons))
