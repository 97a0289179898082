"""Drafts: a question before wording, and the machinery that reads an estimand off a model.

A draft holds the engine's exact value, the threshold the question compares it with, the numbers the text will
state and the derivation pieces. The yes/no answer is ``(exact > threshold) == positive`` where ``positive`` is
the polarity the wording picks later (:mod:`.verbalize`), so every query type can be asked both ways.

A numeric draft is only kept when the exact value clears its threshold by :data:`MARGIN` *and* the value a
reader computes from the printed (rounded) numbers lands on the same side: the answer must follow from the text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from causalbridge.bench.generate.ladder.algebra import ONE, Expr, Quantity, fmt, stated
from causalbridge.bench.generate.ladder.identify import Source
from causalbridge.bench.generate.ladder.model import LadderModel

#: Query types by rung, in CLadder's vocabulary where it has one.
RUNGS: Mapping[str, int] = {
    "marginal": 1,
    "correlation": 1,
    "exp_away": 1,
    "ate": 2,
    "backadj": 2,
    "collider_bias": 2,
    "ett": 3,
    "nde": 3,
    "nie": 3,
    "counterfactual": 3,
}
QUERY_TYPES: tuple[str, ...] = tuple(RUNGS)
#: A numeric answer must clear its threshold by this much (rounding in the text must not flip it).
MARGIN = 0.01
MONOTONE = (
    "Assumption (rung 3): every variable V is 1 exactly when its own uniform noise U_V exceeds P(V=0 | parents "
    "of V) - the monotone (inverse-CDF) coupling; the noises are independent"
)


@dataclass(frozen=True, slots=True)
class Stated:
    """A number printed in the question: a probability, or (collider bias) a difference of two."""

    symbol: str
    value: float
    quantity: Quantity | None = None
    difference: tuple[Quantity, Quantity] | None = None


@dataclass(frozen=True)
class Draft:
    """A question before wording: the exact value, its threshold, the stated numbers and the derivation parts.

    ``name`` is the quantity's short name (``ATE``), ``formal`` its definition, ``estimand`` the general
    identification formula, ``expanded`` that formula over this model's symbols, ``plugged`` the same with the
    printed numbers and ``from_text`` its value; ``detail`` holds query-specific choices (stratum, evidence, ...).
    """

    query_type: str
    exact: float
    threshold: float
    name: str
    formal: str
    given: tuple[Stated, ...]
    strategy: str
    estimand: str = ""
    expanded: str = ""
    plugged: str = ""
    from_text: float | None = None
    note: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def rung(self) -> int:
        return RUNGS[self.query_type]


class Recorder:
    """A :data:`Source` over a model: exact leaves named by symbol, or stated (rounded) leaves as numbers.

    ``P(V=0 | ...)`` of a single variable is written ``1 - P(V=1 | ...)``, so a question states only "= 1"
    probabilities, as CLadder's do.
    """

    def __init__(self, model: LadderModel, rounded: bool) -> None:
        self.model, self.rounded = model, rounded
        self.used: dict[Quantity, float] = {}

    def __call__(self, event: Mapping[str, int], given: Mapping[str, int]) -> Expr:
        if len(event) == 1:
            ((var, state),) = event.items()
            if state == 0:
                return ONE - self({var: 1}, given)
        q = Quantity.of(event, given)
        exact = self.model.prob(event, given)
        self.used.setdefault(q, stated(exact))
        if self.rounded:
            value = stated(exact)
            return Expr(value, fmt(value))
        return Expr(exact, q.symbol)


def evaluate(model: LadderModel, estimand: Callable[[Source], Expr]) -> tuple[Expr, Expr, tuple[Stated, ...]] | None:
    """(symbolic, stated) evaluations of an estimand and the numbers it reads; ``None`` on a zero denominator."""
    symbolic, rounded = Recorder(model, False), Recorder(model, True)
    try:
        exact, text = estimand(symbolic), estimand(rounded)
    except ZeroDivisionError:
        return None
    order = {v: i for i, v in enumerate(model.template.graph.nodes)}

    def key(q: Quantity) -> tuple[Any, ...]:  # marginals, joints, then conditionals by variable (lower states first)
        event = [(order[v], s) for v, s in q.event]
        return (bool(q.given), len(q.event), [v for v, _ in event], sorted((order[v], s) for v, s in q.given), event)

    used = sorted(symbolic.used.items(), key=lambda kv: key(kv[0]))
    return exact, text, tuple(Stated(q.symbol, v, quantity=q) for q, v in used)


def numeric(
    model: LadderModel,
    query_type: str,
    estimand: Callable[[Source], Expr],
    truth: float,
    threshold: float,
    *,
    name: str,
    formal: str,
    general: str,
    strategy: str,
    note: str = "",
    detail: Mapping[str, Any] | None = None,
) -> Draft | None:
    """A draft whose answer is read off an identification formula over stated numbers (None if unsafe)."""
    evaluated = evaluate(model, estimand)
    if evaluated is None:
        return None
    exact_expr, text_expr, given = evaluated
    if abs(exact_expr.value - truth) > 1e-9:  # the identification formula must reproduce the engine exactly
        raise AssertionError(f"{query_type}: formula gives {exact_expr.value!r}, the engine {truth!r}")
    if abs(truth - threshold) < MARGIN or (text_expr.value > threshold) != (truth > threshold):
        return None
    return Draft(
        query_type,
        truth,
        threshold,
        name,
        formal,
        given,
        strategy,
        estimand=general,
        expanded=exact_expr.text,
        plugged=text_expr.text,
        from_text=text_expr.value,
        note=note,
        detail=dict(detail or {}),
    )
