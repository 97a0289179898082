"""Ask a model the role of every variable, apply the user's overrides, and propose a graph.

Cost: five yes/no ``choose`` questions per variable, sent as one batch, plus (with ``rationale=True``) one short
``complete`` per variable, sent concurrently; both are cached by the backend, so a second run is free. A model
that abstains on every question for a variable (refuses, or replies with nothing readable) gives that variable the
role ``unknown``: it gets no edge in the proposed graph and the table says so; nothing raises for bad model output.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Sequence
from dataclasses import replace

from causalbridge.data.dataset import CausalDataset
from causalbridge.data.variables import Variable
from causalbridge.effect.identify import bad_controls
from causalbridge.effect.roles.overrides import RoleOverrides
from causalbridge.effect.roles.questions import (
    FACTS,
    OPTIONS,
    ROLES,
    UNKNOWN,
    Fact,
    claim_for,
    question_prompt,
    rationale_prompt,
    role_probabilities,
)
from causalbridge.effect.roles.table import EdgeSource, RoleTable, VariableRole, graph_of, merge_edges, role_edges
from causalbridge.errors import CycleError, UnknownVariableError
from causalbridge.llm.aio import run_sync
from causalbridge.llm.types import Backend, Choice, Completion, GenerationParams, Query, Usage

#: Short and greedy: a rationale is one sentence, and greedy decoding makes it a stable cache entry.
RATIONALE_PARAMS = GenerationParams(max_tokens=48, temperature=0.0)
_NO_TEXT = frozenset({"abstain", "refusal", "content_filter"})


def suggest_roles(
    variables: CausalDataset | Sequence[Variable],
    treatment: str,
    outcome: str,
    backend: Backend | None,
    *,
    overrides: RoleOverrides | None = None,
    rationale: bool = True,
) -> RoleTable:
    """The role table for the effect of ``treatment`` on ``outcome`` (synchronous; see :func:`suggest_roles_async`).

    >>> from causalbridge.data import load_network
    >>> from causalbridge.llm import SimulatedExpert
    >>> asia = load_network("asia")
    >>> table = suggest_roles(asia.variables, "smoke", "dysp", SimulatedExpert(asia.graph, accuracy=1.0))
    >>> table.role("lung").role, table.role("asia").role
    ('mediator', 'effect_modifier')
    """
    return run_sync(
        suggest_roles_async(variables, treatment, outcome, backend, overrides=overrides, rationale=rationale)
    )


async def suggest_roles_async(
    variables: CausalDataset | Sequence[Variable],
    treatment: str,
    outcome: str,
    backend: Backend | None,
    *,
    overrides: RoleOverrides | None = None,
    rationale: bool = True,
) -> RoleTable:
    """Ask ``backend`` (None: ask nobody, every role not in ``overrides`` is unknown), apply ``overrides``
    (which win), and build the proposed graph with its bad controls."""
    described = tuple(variables.variables if isinstance(variables, CausalDataset) else variables)
    names = [v.name for v in described]
    by_name = {v.name: v for v in described}
    for name, what in ((treatment, "treatment"), (outcome, "outcome")):
        if name not in by_name:
            raise UnknownVariableError(name, names, where=f"variables ({what})")
    user = overrides if overrides is not None else RoleOverrides()
    user.check(names, treatment, outcome)
    others = [v for v in described if v.name not in (treatment, outcome)]
    t_var, y_var = by_name[treatment], by_name[outcome]

    rows: list[VariableRole]
    usage = Usage()
    if backend is not None and others:
        choices, completions = await _ask(backend, others, t_var, y_var, rationale)
        usage = Usage.total([c.usage for c in choices] + [c.usage for c in completions])
        rows = [
            _row(v, choices[i * len(FACTS) : (i + 1) * len(FACTS)], completions[i] if completions else None)
            for i, v in enumerate(others)
        ]
    else:
        why = "no model was asked" if backend is None else None
        rows = [VariableRole(v.name, UNKNOWN, None, note=why) for v in others]
    rows = [_overridden(row, user) for row in rows]
    edges, notes = _edges(rows, user, treatment, outcome)
    graph = graph_of(names, edges)
    cycle = graph.find_cycle()
    if cycle is not None:
        raise CycleError(cycle, where=f"{user.source}: the added edges")
    bad = {b.variable: b for b in bad_controls(graph, treatment, outcome)}
    rows = [
        replace(row, bad_control=bad[row.variable].kind, bad_control_reason=bad[row.variable].reason)
        if row.variable in bad
        else row
        for row in rows
    ]
    simulated = backend is not None and backend.capabilities.is_simulation
    model = backend.name if backend is not None else "no model"
    return RoleTable(
        treatment,
        outcome,
        tuple(rows),
        graph,
        tuple(edges),
        model,
        usage,
        simulated,
        tuple(_notes(rows, backend, simulated) + notes),
    )


async def _ask(
    backend: Backend, others: Sequence[Variable], t: Variable, y: Variable, rationale: bool
) -> tuple[list[Choice], list[Completion]]:
    questions = [
        Query(question_prompt(fact, v, t, y), about=claim_for(fact, v.name, t.name, y.name))
        for v in others
        for fact in FACTS
    ]

    async def explain() -> list[Completion]:
        if not rationale:
            return []
        return await backend.complete([rationale_prompt(v, t, y) for v in others], RATIONALE_PARAMS)

    async def choose() -> list[Choice]:
        return await backend.choose(questions, OPTIONS)

    # Both calls are bounded and independent, so plain gather is enough (no need to cancel one on the other's error).
    return await asyncio.gather(choose(), explain())


def p_yes(choice: Choice) -> float | None:
    """The probability of "yes", or None when the answer is an abstention or not a probability at all."""
    if choice.abstained or tuple(choice.options) != OPTIONS or len(choice.probs) != len(OPTIONS):
        return None
    probs = choice.probs
    if not all(isinstance(p, float | int) and math.isfinite(p) and 0.0 <= p <= 1.0 for p in probs):
        return None
    if not math.isclose(sum(probs), 1.0, abs_tol=1e-6):
        return None
    return float(probs[0])


def one_sentence(completion: Completion | None) -> str | None:
    """The first sentence of a reply, on one line and at most 240 characters; None for no usable text."""
    if completion is None or completion.finish_reason in _NO_TEXT:
        return None
    text = " ".join(completion.text.split()).strip().strip("\"'`")
    if not text:
        return None
    match = re.match(r"(.+?[.!?])(?:\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= 240 else sentence[:239].rstrip() + "…"


def _row(variable: Variable, choices: Sequence[Choice], completion: Completion | None) -> VariableRole:
    answers: dict[Fact, float | None] = {fact: p_yes(c) for fact, c in zip(FACTS, choices, strict=True)}
    shown = tuple((fact.value, p) for fact, p in answers.items())
    probs = role_probabilities(answers)
    text = one_sentence(completion)
    if probs is None:
        why = f"the model gave no usable answer to any of the {len(FACTS)} questions"
        return VariableRole(variable.name, UNKNOWN, None, answers=shown, rationale=text, note=why)
    best = max(ROLES, key=probs.__getitem__)
    missing = sum(p is None for p in answers.values())
    note = f"the model abstained on {missing} of {len(FACTS)} questions" if missing else None
    return VariableRole(
        variable.name,
        best,
        probs[best],
        "llm",
        tuple(probs.items()),
        shown,
        text,
        note=note,
    )


def _overridden(row: VariableRole, user: RoleOverrides) -> VariableRole:
    chosen = user.role_of(row.variable)
    if chosen is None:
        return row
    return replace(
        row,
        role=chosen.role,
        probability=row.probability_of(chosen.role) if row.probabilities else None,
        provenance="user",
        llm_role=row.role,
        note=f"set by the user ({chosen.where})" + (f"; {row.note}" if row.note else ""),
    )


def _edges(
    rows: Sequence[VariableRole], user: RoleOverrides, treatment: str, outcome: str
) -> tuple[list[EdgeSource], list[str]]:
    edges = role_edges(rows, treatment, outcome)
    notes: list[str] = []
    for change in user.edges:
        if change.action == "remove":
            kept = [e for e in edges if not _same(e, change.source, change.target, change.kind)]
            if len(kept) == len(edges):
                notes.append(f"{change.where}: the edge {change} is not in the proposed graph; nothing removed")
            edges = kept
        else:
            edges.append(EdgeSource(change.source, change.target, "user", f"added at {change.where}", change.kind))
    return merge_edges(edges), notes


def _same(edge: EdgeSource, source: str, target: str, kind: str) -> bool:
    if edge.kind != kind:
        return False
    if kind == "<->":
        return {edge.source, edge.target} == {source, target}
    return (edge.source, edge.target) == (source, target)


def _notes(rows: Sequence[VariableRole], backend: Backend | None, simulated: bool) -> list[str]:
    notes = []
    if simulated and backend is not None:
        notes.append(f"roles come from a SIMULATED expert ({backend.name}), not a language model")
    unknown = [r.variable for r in rows if r.role == UNKNOWN]
    if unknown:
        why = "no model was asked" if backend is None else f"{backend.name} gave no usable answer"
        notes.append(
            f"role unknown for {', '.join(unknown)} ({why}): they get no edges in the proposed graph, so they are "
            "not adjusted for; set their roles in a roles file"
        )
    return notes
