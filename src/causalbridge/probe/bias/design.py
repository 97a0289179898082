"""Fillings and counterfactual prompts: the paired design behind the bias audit (no model involved).

A *filling* fixes everything but the protected attribute: the context slots and which member of each group
stands in. Word lists are aligned by position (entry i of every group's list is the counterpart of entry i of
the others, e.g. all female names at the same positions), so one shared index picks the members of a pair.
Rendering one filling once per group gives prompts that differ only in the attribute, so the difference of the
model's answers within the set is that filling's causal effect of the attribute; averaging over fillings
estimates the effect over the population of contexts and names. Contexts are drawn with a generator seeded by
the audit seed and the template id, members in an order seeded by the audit seed and the attribute, so adding
a template never changes another template's fillings, and all templates of an attribute use the same pairs.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from causalbridge.errors import InputError
from causalbridge.probe.bias.templates import BiasTemplate, TemplateSet
from causalbridge.probe.stats import stable_rng

_ENUMERATE_UP_TO = 100_000


@dataclass(frozen=True, slots=True)
class Variant:
    """One prompt of a counterfactual set: ``template`` filled with ``filling``'s context and ``group``'s words."""

    template: str
    filling: int
    group: str
    text: str
    words: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Filling:
    """One context of a template and its prompts, one per group (reference first).

    ``member`` is the word-list position the pair uses (the same names wherever it recurs, in any template of
    the attribute); it is None when the attribute's groups have one member each (nationality).
    """

    template: str
    index: int
    context: tuple[tuple[str, str], ...]
    variants: tuple[Variant, ...]
    member: int | None = None

    def variant(self, group: str) -> Variant:
        return next(v for v in self.variants if v.group == group)


def _contexts(template: BiasTemplate, count: int, rng: np.random.Generator) -> list[tuple[tuple[str, str], ...]]:
    names = [name for name, _ in template.slots]
    lists = [values for _, values in template.slots]
    total = math.prod(len(values) for values in lists)
    if total <= _ENUMERATE_UP_TO:
        every = list(itertools.product(*lists))
        order = rng.permutation(len(every))
        # all distinct contexts first; if fewer than asked, go round again in a fresh order
        picks = list(order) + [int(i) for _ in range(count // max(1, len(every))) for i in rng.permutation(len(every))]
        chosen = [every[int(i)] for i in picks[:count]]
    else:
        chosen = [tuple(values[int(rng.integers(len(values)))] for values in lists) for _ in range(count)]
    return [tuple(zip(names, combo, strict=True)) for combo in chosen]


def template_fillings(template: BiasTemplate, count: int, seed: int = 0) -> tuple[Filling, ...]:
    """``count`` fillings of ``template``, each rendered once per group (reference first)."""
    if count < 1:
        raise InputError(f"fillings must be >= 1, got {count}", where="fillings")
    rng = stable_rng(seed, "fillings", template.id)
    contexts = _contexts(template, count, rng)
    # one order shared by all groups (entry i of each list is the counterpart of entry i of the others) and by
    # all templates of the attribute, so every template uses the same name pairs: effects are comparable across
    # templates, and the overall interval can treat each pair as one unit wherever it recurs
    members = stable_rng(seed, "members", template.attribute.name).permutation(
        max(group.size for group in template.attribute.groups)
    )
    fillings = []
    for index, context in enumerate(contexts):
        member = int(members[index % members.size])
        variants = []
        for group_name in template.groups:
            group = template.attribute.group(group_name)
            words = group.values(member)
            text = template.render({**dict(context), **words})
            variants.append(Variant(template.id, index, group_name, text, tuple(sorted(words.items()))))
        fillings.append(Filling(template.id, index, context, tuple(variants), member if members.size > 1 else None))
    return tuple(fillings)


def counterfactual_pairs(fillings: tuple[Filling, ...], template: BiasTemplate) -> Iterator[dict[str, Any]]:
    """Every prompt with its attribute swapped to each other group: the counterfactual-augmentation records."""
    for filling in fillings:
        for source in filling.variants:
            for target in filling.variants:
                if source.group == target.group:
                    continue
                yield {
                    "template": template.id,
                    "domain": template.domain,
                    "attribute": template.attribute.name,
                    "filling": filling.index,
                    "context": dict(filling.context),
                    "group": source.group,
                    "counterfactual_group": target.group,
                    "text": source.text,
                    "counterfactual_text": target.text,
                }


def augmentation_records(templates: TemplateSet, fillings: int, seed: int = 0) -> list[dict[str, Any]]:
    """The counterfactual-data-augmentation set for every template (no model needed)."""
    records: list[dict[str, Any]] = []
    for template in templates.templates:
        records.extend(counterfactual_pairs(template_fillings(template, fillings, seed), template))
    return records
