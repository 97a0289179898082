"""The ten query types on the three rungs: which templates support each, and how each is built from a model.

Rung 1 compares observational probabilities (marginal, correlation, explaining away in a collider stratum);
rung 2 asks for the sign of the average effect, for the right backdoor adjustment and about collider bias;
rung 3 asks for the signs of ETT, NDE and NIE and for unit-level counterfactual probabilities (these under the
monotone coupling the text states). Every builder returns a wording-free :class:`~.drafts.Draft`, or ``None``
when the drawn model cannot give a question whose answer safely follows from the printed numbers.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping

import numpy as np

from causalbridge.bench.generate.ladder.algebra import Expr, Quantity, stated
from causalbridge.bench.generate.ladder.drafts import MARGIN, MONOTONE, QUERY_TYPES, Draft, Stated, numeric
from causalbridge.bench.generate.ladder.identify import (
    Source,
    Strategy,
    ate_estimand,
    effect_strategy,
    formula,
    has_effect_path,
    nde_estimand,
    nde_strategy,
    nie_estimand,
    nie_strategy,
    why_invalid,
)
from causalbridge.bench.generate.ladder.model import LadderModel
from causalbridge.bench.generate.ladder.templates import GraphTemplate
from causalbridge.graph import is_backdoor_set


# ---------------------------------------------------------------------- applicability
@functools.lru_cache(maxsize=256)
def _explaining_away_ok(t: GraphTemplate) -> bool:
    """The collider-stratum questions need X -> C <- Y with X and Y independent roots."""
    g, c, x, y = t.graph, t.collider, t.treatment, t.outcome
    if c is None:
        return False
    return g.parents(c) == frozenset({x, y}) and not g.parents(x) and not g.parents(y)


@functools.lru_cache(maxsize=256)
def backadj_candidates(t: GraphTemplate) -> tuple[str, ...]:
    """Observed variables V for which exactly one of "adjust for V" and "adjust for nothing" is valid."""
    g, x, y = t.graph, t.treatment, t.outcome
    empty_ok = is_backdoor_set(g, x, y, ())
    return tuple(v for v in t.observed if v not in (x, y) and is_backdoor_set(g, x, y, (v,)) != empty_ok)


def applicable(t: GraphTemplate) -> tuple[str, ...]:
    """The query types a template supports, in :data:`QUERY_TYPES` order."""
    ok = {
        "marginal": True,
        "correlation": True,
        "exp_away": _explaining_away_ok(t),
        "ate": effect_strategy(t) is not None,
        "backadj": bool(backadj_candidates(t)),
        "collider_bias": _explaining_away_ok(t) and not has_effect_path(t),
        "ett": effect_strategy(t) is not None,
        "nde": nde_strategy(t) is not None,
        "nie": nie_strategy(t) is not None,
        "counterfactual": has_effect_path(t) and not t.latent,
    }
    return tuple(q for q in QUERY_TYPES if ok[q])


# ---------------------------------------------------------------------- builders
def build(query_type: str, model: LadderModel, rng: np.random.Generator) -> Draft | None:
    """One draft of ``query_type`` on ``model`` (``None`` when this model cannot give a safe one)."""
    return _BUILDERS[query_type](model, rng)


def _marginal(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    x, y = model.template.treatment, model.template.outcome

    def estimand(P: Source) -> Expr:
        return P({x: 1}, {}) * P({y: 1}, {x: 1}) + P({x: 0}, {}) * P({y: 1}, {x: 0})

    general = f"sum_x P({x}=x) P({y}=1 | {x}=x)"
    truth = model.prob({y: 1})
    return numeric(
        model,
        "marginal",
        estimand,
        truth,
        0.5,
        name=f"P({y}=1)",
        formal=f"P({y}=1)",
        general=general,
        strategy="observational",
    )


def _correlation(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    x, y = model.template.treatment, model.template.outcome

    def estimand(P: Source) -> Expr:
        return P({x: 1, y: 1}, {}) / P({x: 1}, {}) - P({x: 0, y: 1}, {}) / P({x: 0}, {})

    name = f"P({y}=1 | {x}=1) - P({y}=1 | {x}=0)"
    truth = model.prob({y: 1}, {x: 1}) - model.prob({y: 1}, {x: 0})
    general = f"P({x}=1, {y}=1)/P({x}=1) - P({x}=0, {y}=1)/P({x}=0)"
    return numeric(
        model, "correlation", estimand, truth, 0.0, name=name, formal=name, general=general, strategy="observational"
    )


def _exp_away(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    t = model.template
    x, y, c = t.treatment, t.outcome, t.collider
    assert c is not None
    stratum = int(rng.integers(2))

    def estimand(P: Source) -> Expr:
        def joint(xv: int, yv: int) -> Expr:  # P(X=xv, Y=yv, C=stratum), X and Y independent roots
            return P({x: xv}, {}) * P({y: yv}, {}) * P({c: stratum}, {x: xv, y: yv})

        given_treated = joint(1, 1) / (joint(1, 1) + joint(1, 0))
        overall = (joint(0, 1) + joint(1, 1)) / (joint(0, 0) + joint(0, 1) + joint(1, 0) + joint(1, 1))
        return given_treated - overall

    name = f"P({y}=1 | {x}=1, {c}={stratum}) - P({y}=1 | {c}={stratum})"
    truth = model.prob({y: 1}, {x: 1, c: stratum}) - model.prob({y: 1}, {c: stratum})
    general = (
        f"P({x}=1, {y}=1, {c}={stratum})/P({x}=1, {c}={stratum}) - P({y}=1, {c}={stratum})/P({c}={stratum}) with "
        f"P({x}=x, {y}=y, {c}={stratum}) = P({x}=x) P({y}=y) P({c}={stratum} | {x}=x, {y}=y)"
    )
    return numeric(
        model,
        "exp_away",
        estimand,
        truth,
        0.0,
        name=name,
        formal=name,
        general=general,
        strategy="observational",
        detail={"collider": c, "stratum": stratum},
    )


def _strategy_note(t: GraphTemplate, s: Strategy) -> str:
    if s.kind == "backdoor":
        return (
            f"backdoor adjustment for {{{', '.join(s.nodes)}}}" if s.nodes else "no open backdoor path: no adjustment"
        )
    if s.kind == "frontdoor":
        return f"frontdoor formula through {s.nodes[0]}"
    if s.kind == "iv":
        return (
            f"instrument {s.nodes[0]} (Wald ratio; exact because P({t.outcome}=1 | parents) is additive in "
            f"{t.treatment}, so the effect is the same for every unit)"
        )
    return f"mediation formula through {s.nodes[0]} (no confounding of {t.treatment}, {s.nodes[0]}, {t.outcome})"


def _effect(model: LadderModel, kind: str) -> Draft | None:
    t = model.template
    x, y = t.treatment, t.outcome
    s = effect_strategy(t)
    assert s is not None
    treated = kind == "ett"
    truth = model.ett() if treated else model.ate()
    formal = (
        f"ETT = P({y}_{{{x}=1}}=1 | {x}=1) - P({y}_{{{x}=0}}=1 | {x}=1)"
        if treated
        else f"ATE = P({y}=1 | do({x}=1)) - P({y}=1 | do({x}=0))"
    )
    note = _strategy_note(t, s) + (f". {MONOTONE}" if treated else "")
    return numeric(
        model,
        kind,
        lambda P: ate_estimand(P, t, s, treated_given=treated),
        truth,
        0.0,
        name=kind.upper(),
        formal=formal,
        general=formula(kind, t, s),
        strategy=s.kind,
        note=note,
        detail={"adjustment": list(s.nodes)} if s.kind == "backdoor" else {},
    )


def _ate(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    return _effect(model, "ate")


def _ett(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    return _effect(model, "ett")


def _natural(model: LadderModel, kind: str) -> Draft | None:
    t = model.template
    x, y, m = t.treatment, t.outcome, t.mediator
    assert m is not None
    s = nde_strategy(t) if kind == "nde" else nie_strategy(t)
    assert s is not None
    if kind == "nde":
        truth, estimand = model.nde(m), (lambda P: nde_estimand(P, t, s))
        formal = f"NDE = P({y}_{{{x}=1, {m}={m}_{{{x}=0}}}}=1) - P({y}_{{{x}=0}}=1)"
    else:
        truth, estimand = model.nie(m), (lambda P: nie_estimand(P, t, s))
        formal = f"NIE = P({y}_{{{x}=0, {m}={m}_{{{x}=1}}}}=1) - P({y}_{{{x}=0}}=1)"
    note = _strategy_note(t, s)
    if s.kind == "frontdoor":
        note += f"; {m} carries all of {x}'s effect, so NIE = ATE"
    return numeric(
        model,
        kind,
        estimand,
        truth,
        0.0,
        name=kind.upper(),
        formal=formal,
        general=formula(kind, t, s),
        strategy=s.kind,
        note=f"{note}. {MONOTONE}",
        detail={"mediator": m},
    )


def _nde(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    return _natural(model, "nde")


def _nie(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    return _natural(model, "nie")


def cpt_entries(model: LadderModel) -> tuple[Stated, ...]:
    """Every CPT entry P(V=1 | parents) as a stated number (exact: CPTs are drawn as whole percentages)."""
    t, out = model.template, []
    for v in t.graph.nodes:
        parents = t.parents(v)
        for states in itertools.product((0, 1), repeat=len(parents)):
            q = Quantity.of({v: 1}, dict(zip(parents, states, strict=True)))
            out.append(Stated(q.symbol, float(model.p1[v][states]), quantity=q))
    return tuple(out)


def _counterfactual(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    t = model.template
    x, y = t.treatment, t.outcome
    fx, fy = int(rng.integers(2)), int(rng.integers(2))
    truth = model.counterfactual(fx, fy)
    if abs(truth - 0.5) < MARGIN:
        return None
    evidence = model.prob({x: fx, y: fy})
    name = f"P({y}_{{{x}={1 - fx}}}=1 | {x}={fx}, {y}={fy})"
    expanded = f"P({y}_{{{x}={1 - fx}}}=1, {x}={fx}, {y}={fy}) / P({x}={fx}, {y}={fy})"
    return Draft(
        "counterfactual",
        truth,
        0.5,
        name,
        name,
        cpt_entries(model),
        "twin-network",
        estimand="abduction (posterior of the noises given the evidence), action, prediction",
        expanded=expanded,
        plugged=f"{truth * evidence:.4f}/{evidence:.4f}",
        from_text=truth,
        note=MONOTONE,
        detail={"evidence": {x: fx, y: fy}, "intervention": {x: 1 - fx}},
    )


def _collider_bias(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    t = model.template
    x, y, c = t.treatment, t.outcome, t.collider
    assert c is not None
    stratum = int(rng.integers(2))
    ate = model.ate()
    truth = 0.0 if abs(ate) < 1e-9 else ate
    q1, q0 = Quantity.of({y: 1}, {x: 1, c: stratum}), Quantity.of({y: 1}, {x: 0, c: stratum})
    diff = stated(model.prob({y: 1}, {x: 1, c: stratum}) - model.prob({y: 1}, {x: 0, c: stratum}))
    given = (Stated(f"{q1.symbol} - {q0.symbol}", diff, difference=(q1, q0)),)
    note = f"{x} is not an ancestor of {y} ({x} -> {c} <- {y}); the association given {c}={stratum} is collider bias"
    return Draft(
        "collider_bias",
        truth,
        0.0,
        "ATE",
        f"ATE = P({y}=1 | do({x}=1)) - P({y}=1 | do({x}=0))",
        given,
        "graph",
        estimand=f"0 (no directed path from {x} to {y})",
        note=note,
        detail={"collider": c, "stratum": stratum},
    )


def _backadj(model: LadderModel, rng: np.random.Generator) -> Draft | None:
    t = model.template
    options = backadj_candidates(t)
    v = options[int(rng.integers(len(options)))]
    reason_with, reason_without = why_invalid(t, (v,)), why_invalid(t, ())
    adjust = reason_with is None
    wrong = f"adjusting for {v}" if not adjust else "no adjustment"
    note = f"{wrong} is invalid: {reason_with or reason_without}"
    right = f"{{{v}}}" if adjust else "{}"
    return Draft(
        "backadj",
        1.0 if adjust else 0.0,
        0.5,
        f"adjust for {v}",
        f"backdoor criterion for ({t.treatment}, {t.outcome})",
        (),
        "backdoor",
        estimand=f"valid adjustment set: {right}",
        note=note,
        detail={"candidate": v, "valid_set": [v] if adjust else [], "invalid_set": [] if adjust else [v]},
    )


_BUILDERS: Mapping[str, Callable[[LadderModel, np.random.Generator], Draft | None]] = {
    "marginal": _marginal,
    "correlation": _correlation,
    "exp_away": _exp_away,
    "ate": _ate,
    "backadj": _backadj,
    "collider_bias": _collider_bias,
    "ett": _ett,
    "nde": _nde,
    "nie": _nie,
    "counterfactual": _counterfactual,
}
