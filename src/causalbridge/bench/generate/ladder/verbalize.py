"""English for ladder questions: the background story, the stated numbers, the question and the derivation.

All wording is built from each variable's :class:`Concept` (a noun and two clauses), in sentence frames that
do not depend on grammatical number ("There is a direct effect of A on B", "the probability that <clause>"), so
the same frames serve story, nonsense and symbolic names. Every question can be asked with either polarity
(``positive``: the claim is "value > threshold"); the answer is yes exactly when the claim holds.
"""

from __future__ import annotations

from collections.abc import Mapping

from causalbridge.bench.generate.ladder.algebra import percent
from causalbridge.bench.generate.ladder.concepts import Concept
from causalbridge.bench.generate.ladder.drafts import Draft, Stated
from causalbridge.bench.generate.ladder.templates import GraphTemplate

Names = Mapping[str, Concept]

MONOTONICITY_TEXT = (
    "Assume monotonicity: every case has its own fixed and independent tendency for each variable, so when a "
    "change in a variable's direct causes makes it more likely to hold, every case in which it held still has it "
    "hold, and when the change makes it less likely, every case in which it did not hold still does not."
)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def background(t: GraphTemplate, names: Names, *, monotone: bool = False) -> str:
    """The causal story: every edge, the unobserved variables and the modelling assumptions the question needs."""
    g = t.graph
    parts = ["Consider a self-contained world in which only the following causal relations hold:"]
    for v in g.nodes:
        children = [names[c].name for c in g.nodes if c in g.children(v)]
        if len(children) == 1:
            parts.append(f"There is a direct effect of {names[v].name} on {children[0]}.")
        elif children:
            parts.append(f"There are direct effects of {names[v].name} on {_and(children)}.")
    for u in t.latent:
        parts.append(f"No data on {names[u].name} are available.")
    if t.additive:
        x, y = names[t.treatment].name, names[t.outcome].name
        parts.append(
            f"The causes of {y} add up: the effect of {x} on the chance of {y} is the same in every case, "
            f"whatever the other causes are."
        )
    if monotone:
        parts.append(MONOTONICITY_TEXT)
    return " ".join(parts)


def _clauses(names: Names, assignment: tuple[tuple[str, int], ...]) -> list[str]:
    return [names[v].clause(s) for v, s in assignment]


def stated_sentence(item: Stated, names: Names) -> str:
    """One stated number as a sentence."""
    if item.difference is not None:
        q1 = item.difference[0]
        y = q1.event[0][0]
        (x, _), (c, stratum) = q1.given
        head = f"Among the cases in which {names[c].clause(stratum)}, the probability that {names[y].on} is"
        treated, control = names[x].on, names[x].off
        if item.value == 0:
            return f"{head} the same when {treated} as when {control}."
        direction = "higher" if item.value > 0 else "lower"
        points = round(abs(item.value) * 100)
        return f"{head} {points} percentage points {direction} when {treated} than when {control}."
    q = item.quantity
    assert q is not None
    event = " and that ".join(_clauses(names, q.event))
    if q.given:
        return f"When {_and(_clauses(names, q.given))}, the probability that {event} is {percent(item.value)}."
    overall = "overall " if len(q.event) == 1 else ""
    return f"The {overall}probability that {event} is {percent(item.value)}."


def _methods(draft: Draft, t: GraphTemplate, names: Names, positive: bool) -> str:
    x, y, v = names[t.treatment].name, names[t.outcome].name, names[draft.detail["candidate"]].name
    adjust = f"look at how {x} is associated with {y} separately within each level of {v}, then combine the results"
    direct = f"look directly at how {x} is associated with {y} across all cases"
    first, second = (adjust, direct) if positive else (direct, adjust)
    return f"Method 1: we {first}. Method 2: we {second}."


def given_text(draft: Draft, t: GraphTemplate, names: Names, positive: bool) -> str:
    if draft.query_type == "backadj":
        return _methods(draft, t, names, positive)
    return " ".join(stated_sentence(s, names) for s in draft.given)


def question_sentence(draft: Draft, t: GraphTemplate, names: Names, positive: bool) -> str:
    """The question; answering yes asserts ``exact > threshold`` when ``positive`` and the opposite otherwise."""
    nx, ny = names[t.treatment], names[t.outcome]
    x1, x0, y1, y0 = nx.on, nx.off, ny.on, ny.off
    more, increase = ("more", "increase") if positive else ("less", "decrease")
    q, d = draft.query_type, draft.detail
    if q == "marginal":
        first, second = (y1, y0) if positive else (y0, y1)
        return f"Overall, is it more likely that {first} than that {second}?"
    if q == "correlation":
        return f"Is it {more} likely that {y1} when {x1} than when {x0}?"
    if q == "exp_away":
        stratum = names[d["collider"]].clause(d["stratum"])
        return f"Among the cases in which {stratum}, does learning that {x1} make it {more} likely that {y1}?"
    if q == "ate":
        return f"Would intervening so that {x1}, instead of so that {x0}, {increase} the chance that {y1}?"
    if q == "backadj":
        return f"To find out how {nx.name} affects {ny.name}, is Method 1 more correct than Method 2?"
    if q == "collider_bias":
        stratum = names[d["collider"]].clause(d["stratum"])
        if positive:
            return f"Does this association among the cases in which {stratum} mean that {nx.name} affects {ny.name}?"
        return f"Despite this association, is it true that {nx.name} has no causal effect on {ny.name}?"
    if q == "ett":
        lower = "lower" if positive else "higher"
        return (
            f"Consider the cases in which {x1}. Had it instead been that {x0}, would the chance that {y1} have "
            f"been {lower}?"
        )
    if q == "nde":
        m = names[d["mediator"]].name
        return (
            f"Holding {m} at the value it would naturally take if {x0}, would intervening so that {x1}, instead "
            f"of so that {x0}, {increase} the chance that {y1}?"
        )
    if q == "nie":
        m = names[d["mediator"]].name
        return (
            f"Suppose that {x0}. Would changing {m} to the value it would naturally take if {x1} {increase} the "
            f"chance that {y1}?"
        )
    if q == "counterfactual":
        (fx, fy) = (d["evidence"][t.treatment], d["evidence"][t.outcome])
        target = y1 if positive else y0
        return (
            f"Suppose that {nx.clause(fx)} and that {ny.clause(fy)}. Had it instead been that {nx.clause(1 - fx)}, "
            f"would it be more likely than not that {target}?"
        )
    raise ValueError(f"unknown query type {q!r}")


def derivation(draft: Draft, t: GraphTemplate, positive: bool, answer: str) -> str:
    """The short formal derivation: query, identification, formula, numbers, value and the comparison."""
    lines = [f"{draft.formal}."]
    if draft.query_type == "backadj":
        v = draft.detail["candidate"]
        method = f"adjusting for {v}" if positive else "no adjustment"
        return f"{draft.formal}: {draft.note}; {draft.estimand}. Method 1 is {method}, so the answer is {answer}."
    if draft.query_type == "collider_bias":
        x, y = t.treatment, t.outcome
        claim = f"{x} affects {y} (ATE != 0)" if positive else f"{x} has no effect on {y} (ATE = 0)"
        return (
            f"{draft.formal} = {draft.estimand}: {draft.note}. Exact ATE {draft.exact:.4f}; the question asks "
            f"whether {claim}, so the answer is {answer}."
        )
    if draft.note:
        lines.append(f"{_cap(draft.note)}.")
    expanded = draft.expanded if draft.expanded != draft.estimand else ""
    chain = [draft.name, draft.estimand, expanded, draft.plugged]
    if draft.from_text is not None:
        chain.append(f"{draft.from_text:.4f}" if draft.query_type == "counterfactual" else f"{draft.from_text:.2f}")
    lines.append(" = ".join(part for part in chain if part) + ".")
    holds = draft.exact > draft.threshold
    relation = ">" if holds else "<=" if draft.exact == draft.threshold else "<"
    asked = ">" if positive else "<="
    lines.append(
        f"Exact value {draft.exact:.4f} {relation} {draft.threshold:g}; the question asks whether {draft.name} "
        f"{asked} {draft.threshold:g}, so the answer is {answer}."
    )
    return " ".join(lines)
