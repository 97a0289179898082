"""The ladder generator: models drawn per template, several exact questions per model, balanced yes/no.

Models are drawn in turn over the chosen templates; each model is asked every applicable query type of the
chosen rungs (in a seeded order, as CLadder asks each of its models every query), so per-model work (the SCM,
its joint table) is shared by its questions. With ``balanced=True`` each query type alternates its answers: the
polarity of the wording is picked so that the answer is the one the type needs next, and yes/no end up equal
within one per query type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from causalbridge.bench.generate.ladder.concepts import Concept, Theme
from causalbridge.bench.generate.ladder.drafts import QUERY_TYPES, RUNGS, Draft
from causalbridge.bench.generate.ladder.model import LadderModel
from causalbridge.bench.generate.ladder.naming import assign_names, themes_for
from causalbridge.bench.generate.ladder.queries import applicable, build
from causalbridge.bench.generate.ladder.templates import TEMPLATES, GraphTemplate, draw_cpts, resolve
from causalbridge.bench.generate.ladder.verbalize import background, derivation, given_text, question_sentence
from causalbridge.bench.items import NAMING_MODES, YES_NO, BenchDataset, BenchItem, Meta
from causalbridge.errors import InputError

_STORY_MODES = ("story", "commonsense", "anticommonsense")


def answer_of(exact: float, threshold: float, positive: bool) -> str:
    """The gold answer: the question asserts ``exact > threshold`` (positive wording) or its negation."""
    return "yes" if (exact > threshold) == positive else "no"


def make_item(
    draft: Draft,
    model: LadderModel,
    names: dict[str, Concept],
    theme: Theme | None,
    *,
    positive: bool,
    item_id: str,
    naming: str,
    model_id: str,
    dataset: str = "ladder-gen",
) -> BenchItem:
    """One :class:`BenchItem` from a draft and a wording polarity."""
    t = model.template
    answer = answer_of(draft.exact, draft.threshold, positive)
    text = " ".join(
        part
        for part in (
            background(t, names, monotone=draft.query_type == "counterfactual"),
            given_text(draft, t, names, positive),
            question_sentence(draft, t, names, positive),
        )
        if part
    )
    meta: dict[str, Any] = {
        "rung": draft.rung,
        "query_type": draft.query_type,
        "template": t.name,
        "graph": [list(e) for e in t.edges()],
        "latent": list(t.latent),
        "treatment": t.treatment,
        "outcome": t.outcome,
        "mediator": t.mediator,
        "collider": t.collider,
        "naming": naming,
        "theme": theme.id if theme else None,
        "variables": {v: names[v].name for v in t.graph.nodes},
        "clauses": {v: [names[v].off, names[v].on] for v in t.graph.nodes},
        "given": {s.symbol: s.value for s in draft.given},
        "formal_form": draft.formal,
        "estimand": draft.estimand,
        "expanded": draft.expanded,
        "plugged": draft.plugged,
        "strategy": draft.strategy,
        "from_text": draft.from_text,
        "threshold": draft.threshold,
        "polarity": "positive" if positive else "negative",
        "detail": dict(draft.detail),
        "model": model_id,
        "cpts": model.cpt_meta(),
    }
    return BenchItem(
        id=item_id,
        dataset=dataset,
        question=text,
        options=YES_NO,
        answer=answer,
        meta=Meta(meta),
        exact_value=draft.exact,
        derivation=derivation(draft, t, positive, answer),
    )


def _check_naming(naming: str, templates: Sequence[GraphTemplate]) -> None:
    if naming not in NAMING_MODES:
        raise InputError(f"naming must be one of {', '.join(NAMING_MODES)}, got {naming!r}", where="naming")
    if naming in _STORY_MODES:
        for t in templates:
            if TEMPLATES.get(t.name) != t or not themes_for(t.name):
                raise InputError(
                    f"naming {naming!r} needs built-in themes, and template {t.name!r} has none; use 'symbolic', "
                    "'nonsense' or 'user'",
                    where="naming",
                )


def _plans(
    templates: Sequence[GraphTemplate], rungs: frozenset[int], query_types: frozenset[str]
) -> list[tuple[GraphTemplate, tuple[str, ...]]]:
    plans = []
    for t in templates:
        chosen = tuple(q for q in applicable(t) if RUNGS[q] in rungs and q in query_types)
        if chosen:
            plans.append((t, chosen))
    if not plans:
        raise InputError(
            f"no template among {[t.name for t in templates]} supports the chosen rungs / query types",
            where="templates",
        )
    return plans


def generate_ladder(
    n: int,
    *,
    seed: int,
    naming: str = "story",
    templates: Iterable[str | GraphTemplate] = tuple(TEMPLATES),
    rungs: Iterable[int] = (1, 2, 3),
    query_types: Iterable[str] = QUERY_TYPES,
    balanced: bool = True,
    dataset: str = "ladder-gen",
) -> BenchDataset:
    """``n`` yes/no questions on the three rungs with exact answers, reproducible from ``seed``.

    ``templates`` are built-in names (:data:`TEMPLATES`) or :class:`GraphTemplate` objects (a user DAG through
    :meth:`GraphTemplate.custom`; story modes need built-in themes). Ids are ``ladder-<naming>-<seed>-<index>``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InputError(f"n must be a non-negative integer, got {n!r}", where="n")
    resolved = [resolve(t) for t in templates]
    if not resolved:
        raise InputError("at least one template is needed", where="templates")
    wanted_rungs = frozenset(rungs)
    if not wanted_rungs or not wanted_rungs <= {1, 2, 3}:
        raise InputError(f"rungs must be a non-empty subset of 1, 2, 3, got {sorted(wanted_rungs)}", where="rungs")
    wanted_types = frozenset(query_types)
    unknown = sorted(wanted_types - set(QUERY_TYPES))
    if unknown or not wanted_types:
        raise InputError(f"query types must be among {', '.join(QUERY_TYPES)}, got {unknown}", where="query_types")
    _check_naming(naming, resolved)
    plans = _plans(resolved, wanted_rungs, wanted_types)
    rng = np.random.default_rng(seed)
    tally = {q: [0, 0] for q in QUERY_TYPES}  # yes, no
    theme_cycles: dict[str, list[Theme]] = {}
    items: list[BenchItem] = []
    k, max_models = 0, 50 * n + 100
    while len(items) < n:
        if k >= max_models:
            raise InputError(f"only {len(items)} questions after {k} models; ask for other query types", where="n")
        t, chosen = plans[k % len(plans)]
        theme = None
        if naming in _STORY_MODES:  # themes in a seeded round robin per template: even coverage of every theme
            if t.name not in theme_cycles:
                options = themes_for(t.name)
                theme_cycles[t.name] = [options[int(i)] for i in rng.permutation(len(options))]
            cycle = theme_cycles[t.name]
            theme = cycle[(k // len(plans)) % len(cycle)]
        names, theme = assign_names(naming, t, rng, theme)
        model = LadderModel(t, draw_cpts(t, rng))
        for index in rng.permutation(len(chosen)):
            draft = build(chosen[int(index)], model, rng)
            if draft is None:
                continue
            yes, no = tally[draft.query_type]
            if balanced:
                want_yes = yes < no or (yes == no and bool(rng.random() < 0.5))
                positive = (draft.exact > draft.threshold) == want_yes
            else:
                positive = bool(rng.random() < 0.5)
            item = make_item(
                draft,
                model,
                names,
                theme,
                positive=positive,
                item_id=f"ladder-{naming}-{seed}-{len(items):05d}",
                naming=naming,
                model_id=f"{seed}-{k}",
                dataset=dataset,
            )
            tally[draft.query_type][0 if item.answer == "yes" else 1] += 1
            items.append(item)
            if len(items) == n:
                break
        k += 1
    return BenchDataset(dataset, tuple(items), f"generated: generate_ladder(n={n}, seed={seed}, naming={naming!r})")
