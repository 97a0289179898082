"""The five yes/no questions asked about each variable, and how their answers become role probabilities.

Why yes/no questions and not one six-way multiple choice: every role is a statement about ancestry (is V a cause
of the treatment, a consequence of it, a cause of the outcome ...), and each of those is a plain causal question
that models answer more reliably than a taxonomy whose words ("collider", "instrument") are jargon. Each question
carries a :class:`~causalbridge.llm.CausalClaim`, so the simulated expert answers it and a scorer can grade it
exactly; one multiple-choice question about roles could carry no claim. Five questions per variable keep the
cost O(n), and all of them go to the backend as one ``choose`` batch.

The answers are combined by Bayes' rule over the *worlds* — the 32 truth assignments of the five facts, minus
those no DAG allows (V cannot both cause and be caused by the treatment). Each world implies one role; the prior
is uniform over roles (and over the worlds within a role), and each answer is soft evidence: a world where the
fact holds has likelihood ``p_yes``, one where it does not ``1 - p_yes``. An abstention is no evidence. So a
perfect expert's answers single out the true world, while answers at chance (``p_yes`` near 0.5) leave the role
probabilities near the uniform 1/6 — uninformative, as they should be.
"""

from __future__ import annotations

import functools
import itertools
import math
import string
from collections.abc import Mapping
from enum import StrEnum
from importlib import resources

from causalbridge.data.variables import Variable
from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph
from causalbridge.llm.claims import Answer, CausalClaim, Relation, claim_truth

PROMPT_VERSION = "v1"

#: The roles a variable can play for the effect of a treatment on an outcome, in display order.
ROLES: tuple[str, ...] = ("confounder", "mediator", "collider", "instrument", "effect_modifier", "irrelevant")
#: The role given when the model answered none of the questions (refused, abstained or produced nonsense).
UNKNOWN = "unknown"

ROLE_MEANINGS: Mapping[str, str] = {
    "confounder": "a common cause of the treatment and the outcome (adjust for it)",
    "mediator": "on a causal path from the treatment to the outcome (do not adjust)",
    "collider": "a consequence of the treatment or of the outcome, not on the causal path (do not adjust)",
    "instrument": "a cause of the treatment that reaches the outcome only through it",
    "effect_modifier": "a cause of the outcome that does not cause the treatment (safe to adjust for)",
    "irrelevant": "causally unrelated to both the treatment and the outcome",
    UNKNOWN: "the model gave no usable answer",
}


class Fact(StrEnum):
    """What one yes/no question asks about variable V, treatment T and outcome Y."""

    TREATMENT_CAUSES = "treatment causes it"
    CAUSES_OUTCOME = "causes the outcome"
    CAUSES_TREATMENT = "causes the treatment"
    COMMON_CAUSE = "common cause"
    OUTCOME_CAUSES = "outcome causes it"


FACTS: tuple[Fact, ...] = tuple(Fact)
YES, NO = "yes", "no"
OPTIONS: tuple[str, str] = (YES, NO)

_QUESTIONS: Mapping[Fact, str] = {
    Fact.TREATMENT_CAUSES: "Does {t} cause {v}, directly or through other variables?",
    Fact.CAUSES_OUTCOME: "Does {v} cause {y}, directly or through other variables?",
    Fact.CAUSES_TREATMENT: "Does {v} cause {t}, directly or through other variables?",
    Fact.COMMON_CAUSE: (
        "Is {v} a common cause of {t} and {y}, that is, does {v} influence {t} and also influence {y} "
        "in a way that does not go through {t}?"
    ),
    Fact.OUTCOME_CAUSES: "Does {y} cause {v}, directly or through other variables?",
}

World = tuple[bool, ...]  # one truth value per fact, in FACTS order


def claim_for(fact: Fact, variable: str, treatment: str, outcome: str) -> CausalClaim:
    """The machine-readable claim a question asks (what the simulated expert and scorers read)."""
    v, t, y = variable, treatment, outcome
    if fact is Fact.COMMON_CAUSE:
        return CausalClaim.yes_no(Relation.CONFOUNDER, v, t, y, yes=YES, no=NO)
    pair = {
        Fact.TREATMENT_CAUSES: (t, v),
        Fact.CAUSES_OUTCOME: (v, y),
        Fact.CAUSES_TREATMENT: (v, t),
        Fact.OUTCOME_CAUSES: (y, v),
    }[fact]
    return CausalClaim.yes_no(Relation.CAUSES, *pair, yes=YES, no=NO)


@functools.cache
def load_template(name: str) -> string.Template:
    """The template ``causalbridge/prompts/<name>.txt`` (read once per process)."""
    path = resources.files("causalbridge").joinpath("prompts", f"{name}.txt")
    if not path.is_file():
        raise InputError(f"no prompt template {name!r}", where=f"causalbridge/prompts/{name}.txt")
    return string.Template(path.read_text(encoding="utf-8").rstrip("\n"))


def context_text(variable: Variable, treatment: Variable, outcome: Variable) -> str:
    """The three variables a question is about, described; other variables stay out of the prompt so its length
    (and its cache entry) does not depend on how many columns the data has."""
    return "\n".join(
        [
            f"- {treatment.describe()} (the treatment)",
            f"- {outcome.describe()} (the outcome)",
            f"- {variable.describe()}",
        ]
    )


def question_prompt(fact: Fact, variable: Variable, treatment: Variable, outcome: Variable) -> str:
    question = _QUESTIONS[fact].format(v=variable.label, t=treatment.label, y=outcome.label)
    context = context_text(variable, treatment, outcome)
    return load_template(f"roles_question_{PROMPT_VERSION}").substitute(context=context, question=question)


def rationale_prompt(variable: Variable, treatment: Variable, outcome: Variable) -> str:
    return load_template(f"roles_rationale_{PROMPT_VERSION}").substitute(
        context=context_text(variable, treatment, outcome),
        variable=variable.label,
        treatment=treatment.label,
        outcome=outcome.label,
    )


# ---------------------------------------------------------------------- worlds and roles
def _holds(world: World, fact: Fact) -> bool:
    return world[FACTS.index(fact)]


def is_consistent(world: World) -> bool:
    """Whether some DAG makes these five facts true together.

    A common cause of T and Y is a cause of both; V cannot be both a cause and a consequence of T (or of Y).
    """
    a = _holds(world, Fact.TREATMENT_CAUSES)
    b = _holds(world, Fact.CAUSES_OUTCOME)
    c = _holds(world, Fact.CAUSES_TREATMENT)
    d = _holds(world, Fact.COMMON_CAUSE)
    e = _holds(world, Fact.OUTCOME_CAUSES)
    return not (d and not (b and c)) and not (a and c) and not (e and b)


def role_of(world: World) -> str:
    """The role a world implies; the order of the tests is the order in which roles take precedence."""
    if _holds(world, Fact.TREATMENT_CAUSES) and _holds(world, Fact.CAUSES_OUTCOME):
        return "mediator"
    if _holds(world, Fact.TREATMENT_CAUSES) or _holds(world, Fact.OUTCOME_CAUSES):
        return "collider"
    if _holds(world, Fact.COMMON_CAUSE):
        return "confounder"
    if _holds(world, Fact.CAUSES_TREATMENT):
        return "instrument"
    if _holds(world, Fact.CAUSES_OUTCOME):
        return "effect_modifier"
    return "irrelevant"


WORLDS: tuple[tuple[World, str], ...] = tuple(
    (world, role_of(world)) for world in itertools.product((True, False), repeat=len(FACTS)) if is_consistent(world)
)
_WORLDS_PER_ROLE: Mapping[str, int] = {role: sum(1 for _, r in WORLDS if r == role) for role in ROLES}

_EPS = 1e-6


def role_probabilities(p_yes: Mapping[Fact, float | None]) -> dict[str, float] | None:
    """P(role | answers) for each role in :data:`ROLES`, or None when no answer is usable.

    ``p_yes`` maps each fact to the model's probability of "yes", or None where it abstained.
    """
    evidence = [(FACTS.index(f), min(1 - _EPS, max(_EPS, p))) for f, p in p_yes.items() if p is not None]
    if not evidence:
        return None
    weights = dict.fromkeys(ROLES, 0.0)
    for world, role in WORLDS:
        log_like = sum(math.log(p if world[i] else 1.0 - p) for i, p in evidence)
        weights[role] += math.exp(log_like) / _WORLDS_PER_ROLE[role]
    total = sum(weights.values())
    if not total > 0.0:
        return None
    return {role: w / total for role, w in weights.items()}


def true_role(graph: CausalGraph, variable: str, treatment: str, outcome: str) -> str | None:
    """The role ``variable`` plays in a known DAG (None where the graph cannot say: a node is missing).

    It is read through the same claims the questions carry, so a perfect expert's answers map to exactly it.
    """
    world: list[bool] = []
    for fact in FACTS:
        truth = claim_truth(claim_for(fact, variable, treatment, outcome), graph)
        if truth is None:
            return None
        world.append(truth is Answer.YES)
    return role_of(tuple(world))


def true_roles(graph: CausalGraph, treatment: str, outcome: str) -> dict[str, str | None]:
    """:func:`true_role` for every node of ``graph`` other than the treatment and the outcome."""
    return {v: true_role(graph, v, treatment, outcome) for v in graph.nodes if v not in (treatment, outcome)}
