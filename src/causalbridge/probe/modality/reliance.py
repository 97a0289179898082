"""Modality reliance: does a vision-language model answer from the picture or from the text?

Each item is a picture, a question with answer options, and optionally a piece of text evidence (``context``)
that may agree or conflict with the picture. The probe intervenes on one modality at a time and measures how
far the answer distribution moves from the clean one:

* image: ``blank`` (a flat grey picture of the same size), ``noise`` (seeded Gaussian noise, sigma in 0..255
  units), ``swap`` (another item's picture; partners form a seeded derangement, so no item keeps its own);
* text: ``remove`` (the context left out; the question stays) and ``swap`` (another item's context).

Per item and intervention the *shift* is the total-variation distance between the clean and the intervened
answer distributions (0 = unchanged, 1 = completely different) and the *drop* is how much probability the
clean answer loses. Means over items get stratified bootstrap intervals. The verdict compares the two swaps,
which are the like-for-like interventions (each replaces one modality's evidence with other valid evidence):
the paired difference of image-swap and text-swap shifts, with its interval, says which modality the answers
follow -- or that this many items cannot tell.

Items are asked a few at a time (at least :data:`ITEMS_PER_CALL`, more when the backend runs many requests at
once), so that a ``progress`` callback can follow a long run; batching never changes an answer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from causalbridge.errors import InputError
from causalbridge.llm.aio import run_sync
from causalbridge.llm.types import Choice, Usage
from causalbridge.probe.modality.images import Image, blank, noised
from causalbridge.probe.modality.vision import VisionBackend, VisionPrompt
from causalbridge.probe.stats import Interval, IntervalMethod, bootstrap_contrast, stable_rng

Modality = Literal["image", "text"]
INTERVENTIONS: tuple[tuple[Modality, str], ...] = (
    ("image", "blank"),
    ("image", "noise"),
    ("image", "swap"),
    ("text", "remove"),
    ("text", "swap"),
)

#: ``progress(stage, done, total)``: stage ``"items"`` after each batch of items is answered (and once with 0
#: before the first), then ``"effects"`` after each bootstrap interval (two per intervention, one for the verdict).
ModalityProgress = Callable[[str, int, int], None]

#: The fewest items asked per call (each item is 1 + one prompt per intervention).
ITEMS_PER_CALL = 4


@dataclass(frozen=True, slots=True)
class ModalityItem:
    """A picture, a question and its options, optional text evidence, and (optionally) what each supports."""

    id: str
    image: Image
    question: str
    options: tuple[str, ...]
    context: str = ""
    image_answer: str | None = None
    text_answer: str | None = None

    def __post_init__(self) -> None:
        where = f"item {self.id!r}"
        if len(self.options) < 2 or len(set(self.options)) != len(self.options):
            raise InputError("give at least two distinct options", where=where)
        for answer in (self.image_answer, self.text_answer):
            if answer is not None and answer not in self.options:
                raise InputError(f"{answer!r} is not one of the options {self.options}", where=where)

    def prompt(self, image: Image | None, context: str | None) -> VisionPrompt:
        text = self.question if not context else f"{context.strip()}\n\n{self.question}"
        return VisionPrompt(text, image)


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One item's clean answer and, per intervention, the answer distribution it moved to."""

    id: str
    clean: tuple[float, ...]
    intervened: tuple[tuple[str, tuple[float, ...]], ...]  # ("image:blank", probs) ...
    options: tuple[str, ...]

    @property
    def clean_answer(self) -> str:
        return self.options[int(np.argmax(self.clean))]

    def probs(self, intervention: str) -> tuple[float, ...]:
        return dict(self.intervened)[intervention]

    def shift(self, intervention: str) -> float:
        """Total-variation distance between the clean and the intervened answer distributions."""
        return 0.5 * float(np.abs(np.subtract(self.clean, self.probs(intervention))).sum())

    def drop(self, intervention: str) -> float:
        """Probability the clean answer loses under the intervention."""
        index = int(np.argmax(self.clean))
        return float(self.clean[index] - self.probs(intervention)[index])


@dataclass(frozen=True, slots=True)
class InterventionEffect:
    modality: Modality
    intervention: str
    shift: Interval
    drop: Interval
    flip_rate: float

    @property
    def key(self) -> str:
        return f"{self.modality}:{self.intervention}"


@dataclass(frozen=True, slots=True)
class RelianceResult:
    backend: str
    items: tuple[ItemResult, ...]
    effects: tuple[InterventionEffect, ...]
    swap_difference: Interval | None
    verdict: Literal["image", "text", "undetermined"]
    follows_image: float | None
    follows_text: float | None
    noise_sigma: float
    seed: int
    usage: Usage
    wall_seconds: float

    def effect(self, key: str) -> InterventionEffect:
        for effect in self.effects:
            if effect.key == key:
                return effect
        raise InputError(f"no intervention {key!r} (have {[e.key for e in self.effects]})", where="effect")


def swap_partners(n: int, seed: int) -> tuple[int, ...]:
    """A seeded derangement of 0..n-1: item i takes the picture or text of item partners[i] != i."""
    if n < 2:
        raise InputError("swapping needs at least two items", where="items")
    rng = stable_rng(seed, "swap")
    order = rng.permutation(n)
    partners = [0] * n
    for position, item in enumerate(order):  # a random cycle through all items: nobody maps to itself
        partners[int(item)] = int(order[(position + 1) % n])
    return tuple(partners)


def _variants(
    items: Sequence[ModalityItem], sigma: float, seed: int, interventions: tuple[tuple[Modality, str], ...]
) -> list[list[tuple[str, VisionPrompt]]]:
    partners = swap_partners(len(items), seed) if any(kind == "swap" for _, kind in interventions) else ()
    result = []
    for i, item in enumerate(items):
        variants = [("clean", item.prompt(item.image, item.context))]
        for modality, kind in interventions:
            if modality == "image":
                if kind == "blank":
                    picture = blank(item.image)
                elif kind == "noise":
                    picture = noised(item.image, sigma, stable_rng(seed, "noise", item.id))
                else:
                    picture = items[partners[i]].image
                variants.append((f"image:{kind}", item.prompt(picture, item.context)))
            else:
                context = "" if kind == "remove" else items[partners[i]].context
                variants.append((f"text:{kind}", item.prompt(item.image, context)))
        result.append(variants)
    return result


def _items_per_call(backend: VisionBackend, prompts_per_item: int) -> int:
    """Enough items per call to keep the backend's concurrent requests busy."""
    concurrency = getattr(backend, "concurrency", None)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool):
        return ITEMS_PER_CALL
    return max(ITEMS_PER_CALL, math.ceil(concurrency / prompts_per_item))


async def _ask(backend: VisionBackend, prompts: list[VisionPrompt], options: tuple[str, ...]) -> list[Choice]:
    choices = await backend.choose_vision(prompts, options)
    if len(choices) != len(prompts):
        raise RuntimeError(f"{backend.name} answered {len(choices)} of {len(prompts)} prompts")
    return choices


async def amodality_reliance(
    backend: VisionBackend,
    items: Sequence[ModalityItem],
    *,
    noise_sigma: float = 64.0,
    seed: int = 0,
    interventions: Sequence[tuple[Modality, str]] = INTERVENTIONS,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    interval: IntervalMethod = "bca",
    progress: ModalityProgress | None = None,
) -> RelianceResult:
    """The async form of :func:`modality_reliance`."""
    chosen = tuple(interventions)
    unknown = [f"{m}:{k}" for m, k in chosen if (m, k) not in INTERVENTIONS]
    if unknown:
        raise InputError(f"unknown interventions {unknown}; known: {[f'{m}:{k}' for m, k in INTERVENTIONS]}")
    if not items:
        raise InputError("no items to probe", where="items")
    if len({item.id for item in items}) != len(items):
        raise InputError("item ids must be unique", where="items")
    start = time.perf_counter()
    variants = _variants(items, noise_sigma, seed, chosen)
    usage = Usage()
    results: list[ItemResult] = []
    step = _items_per_call(backend, 1 + len(chosen))
    if progress is not None:
        progress("items", 0, len(items))
    # batches within one distinct option set, so each choose call shares its options
    for options in dict.fromkeys(item.options for item in items):
        group = [i for i, item in enumerate(items) if item.options == options]
        for first in range(0, len(group), step):
            members = group[first : first + step]
            prompts = [prompt for i in members for _, prompt in variants[i]]
            choices = iter(await _ask(backend, prompts, options))
            for i in members:
                answered = [(label, next(choices)) for label, _ in variants[i]]
                usage = usage + Usage.total(choice.usage for _, choice in answered)
                results.append(
                    ItemResult(items[i].id, answered[0][1].probs, tuple((k, c.probs) for k, c in answered[1:]), options)
                )
            if progress is not None:
                progress("items", len(results), len(items))
    order = {item.id: n for n, item in enumerate(items)}
    results.sort(key=lambda r: order[r.id])
    verdict_pair = ("image", "swap") in chosen and ("text", "swap") in chosen
    intervals = 2 * len(chosen) + int(verdict_pair)
    effects = []
    for number, (modality, kind) in enumerate(chosen, start=1):
        key = f"{modality}:{kind}"
        shift, drop = (
            bootstrap_contrast(
                [[getattr(r, measure)(key) for r in results]],
                confidence=confidence,
                n_resamples=n_resamples,
                method=interval,
                rng=stable_rng(seed, measure, key),
            )
            for measure in ("shift", "drop")
        )
        flips = float(np.mean([np.argmax(r.probs(key)) != np.argmax(r.clean) for r in results]))
        effects.append(InterventionEffect(modality, kind, shift, drop, flips))
        if progress is not None:
            progress("effects", 2 * number, intervals)
    difference = None
    verdict: Literal["image", "text", "undetermined"] = "undetermined"
    if verdict_pair:
        paired = [r.shift("image:swap") - r.shift("text:swap") for r in results]
        difference = bootstrap_contrast(
            [paired], confidence=confidence, n_resamples=n_resamples, method=interval, rng=stable_rng(seed, "verdict")
        )
        if progress is not None:
            progress("effects", intervals, intervals)
        if difference.low > 0:
            verdict = "image"
        elif difference.high < 0:
            verdict = "text"
    follows_image = _follows(items, results, "image")
    follows_text = _follows(items, results, "text")
    return RelianceResult(
        backend=backend.name,
        items=tuple(results),
        effects=tuple(effects),
        swap_difference=difference,
        verdict=verdict,
        follows_image=follows_image,
        follows_text=follows_text,
        noise_sigma=noise_sigma,
        seed=seed,
        usage=usage,
        wall_seconds=time.perf_counter() - start,
    )


def _follows(items: Sequence[ModalityItem], results: list[ItemResult], modality: Modality) -> float | None:
    """Mean clean probability of the answer one modality supports, over items that name it."""
    values = []
    for item, result in zip(items, results, strict=True):
        answer = item.image_answer if modality == "image" else item.text_answer
        if answer is not None:
            values.append(result.clean[item.options.index(answer)])
    return float(np.mean(values)) if values else None


def modality_reliance(
    backend: VisionBackend,
    items: Sequence[ModalityItem],
    *,
    noise_sigma: float = 64.0,
    seed: int = 0,
    interventions: Sequence[tuple[Modality, str]] = INTERVENTIONS,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    interval: IntervalMethod = "bca",
    progress: ModalityProgress | None = None,
) -> RelianceResult:
    """Intervene on each item's picture and text separately and measure how far the answers move.

    ``progress``, when given, is called as the items are answered and the intervals computed
    (:data:`ModalityProgress`); the CLI draws its progress bar from it.
    """
    return run_sync(
        amodality_reliance(
            backend,
            items,
            noise_sigma=noise_sigma,
            seed=seed,
            interventions=interventions,
            confidence=confidence,
            n_resamples=n_resamples,
            interval=interval,
            progress=progress,
        )
    )
