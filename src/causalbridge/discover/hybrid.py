"""Hybrid discovery: the data finds the skeleton and what it can orient; a model's answers orient the rest.

``Hybrid(data=PC(alpha=0.01), orient=LLMOrienter(backend))`` runs the data algorithm, then asks the model only
about edges of its result (never about all n(n-1)/2 pairs):

1. every undirected edge of the CPDAG once (``u`` questions), each shown in a seeded random order;
2. at most ``n`` probes more (n = number of variables): user-known edges (graded), a few paraphrases, the
   undirected edges again with the two variables swapped, and (``scope="all"``) arrows the data oriented, asked
   in both orders. So the model is asked at most u + n questions.

:mod:`.reliability` turns the answers into a posterior over the model's reliability and the data's, and each
edge's direction posterior with both integrated out: an undirected edge starts at even odds (the data cannot
tell), a data arrow at the data's learned accuracy. An orientation is accepted only when that posterior reaches
``min_posterior``; accepted ones are applied most confident first (:mod:`.orienting`), each propagated with
Meek's rules, and skipped when they would close a cycle, create a v-structure the data did not find, or break
a hard constraint. A model at chance contradicts itself when the variables are swapped, its votes are worth
nothing, and the data-only graph is left as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from causalbridge.data import CausalDataset
from causalbridge.discover.knowledge import Knowledge, enforce
from causalbridge.discover.orienting import Applied, Decision, apply_decisions, normalise
from causalbridge.discover.prompting import DIRECTION, DIRECTION_PARAPHRASE, PromptContext
from causalbridge.discover.questions import Asker, DirectionRequest, PairAnswer
from causalbridge.discover.reliability import EdgeVotes, ReliabilityFit, fit_reliability
from causalbridge.discover.result import Discoverer, DiscoveryResult, EdgeInfo, Provenance
from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph
from causalbridge.llm.types import Backend, Usage

Arrow = tuple[str, str]


@dataclass(frozen=True)
class LLMOrienter:
    """Orients a data-only graph with a model's answers, weighted by the model's estimated reliability.

    ``scope="undirected"`` asks only about undirected edges (plus reliability probes); ``"all"`` also spends
    probe questions on arrows the data oriented, which are turned around only when the model's evidence beats
    the data's. ``data_confidence`` fixes how often the data's arrows are right; None learns it from the votes.
    ``min_posterior`` is the probability an orientation needs: 0.85 says a wrong arrow costs about six times
    what a right one gains over leaving the edge undirected. ``prior_chance`` is the prior probability that the
    model knows nothing.
    """

    backend: Backend
    domain: str = ""
    scope: Literal["undirected", "all"] = "all"
    min_posterior: float = 0.85
    data_confidence: float | None = None
    prior_chance: float = 1 / 3
    probe_budget: int | None = None
    paraphrase_share: float = 0.1
    seed: int = 0
    progress: bool = False

    def __post_init__(self) -> None:
        if not 0.5 < self.min_posterior < 1.0:
            raise InputError(f"min_posterior must lie in (0.5, 1), got {self.min_posterior}", where="min_posterior")
        if self.data_confidence is not None and not 0.0 < self.data_confidence < 1.0:
            raise InputError(f"data_confidence must lie in (0, 1), got {self.data_confidence}", "data_confidence")
        if self.probe_budget is not None and self.probe_budget < 0:
            raise InputError(f"probe_budget must be >= 0, got {self.probe_budget}", where="probe_budget")
        if not 0.0 <= self.paraphrase_share <= 1.0:
            raise InputError(f"paraphrase_share must lie in [0, 1], got {self.paraphrase_share}", "paraphrase_share")

    def orient(self, graph: CausalGraph, dataset: CausalDataset, knowledge: Knowledge | None = None) -> Orientation:
        """Ask, estimate the model's reliability, and apply the orientations whose evidence beats the data's."""
        start, notes = normalise(graph)
        knowledge = knowledge or Knowledge()
        asker = Asker(self.backend, PromptContext(dataset.variables, self.domain), progress=self.progress)
        plan = self._plan(start, knowledge, len(dataset.names))
        answers = asker.directions(plan, "orienting edges")
        edges, prompts, paraphrase = _votes(start, answers, knowledge)
        fit = fit_reliability(edges, paraphrase, prior_chance=self.prior_chance, data_confidence=self.data_confidence)
        decisions = [
            Decision(e.u, e.v, fit.direction(i), e.kind == "data", e.votes, prompts[frozenset((e.u, e.v))])
            for i, e in enumerate(edges)
            if e.kind != "known"
        ]
        applied = apply_decisions(start, decisions, knowledge, self.min_posterior)
        return Orientation(start, applied.graph, applied, answers, fit, asker.usage, asker.abstentions, notes)

    # ------------------------------------------------------------------ which questions
    def _plan(self, graph: CausalGraph, knowledge: Knowledge, n_variables: int) -> list[DirectionRequest]:
        """Every undirected edge once, then at most ``probe_budget`` (default n) probes: known edges (up to a
        third), paraphrases, data arrows asked once (``scope="all"``), and swapped re-asks with the rest."""
        rng = np.random.default_rng(self.seed)
        fixed = {frozenset(p) for p in (*knowledge.required, *knowledge.forbidden)}

        def shown(u: str, v: str) -> tuple[str, str]:
            return (u, v) if rng.random() < 0.5 else (v, u)

        undirected = [shown(u, v) for u, v in graph.undirected_edges if frozenset((u, v)) not in fixed]
        arrows = [shown(u, v) for u, v in graph.directed_edges if frozenset((u, v)) not in fixed]
        arrows = [arrows[int(i)] for i in rng.permutation(len(arrows))]
        plan = [DirectionRequest(a, b, DIRECTION, "ask") for a, b in undirected]
        budget = n_variables if self.probe_budget is None else self.probe_budget
        known = [shown(u, v) for u, v in knowledge.required]
        known = [known[int(i)] for i in rng.permutation(len(known))][: budget // 3]
        plan += [DirectionRequest(a, b, DIRECTION, "known") for a, b in known]
        budget -= len(known)
        asked = list(undirected)
        paraphrases = min(len(asked), int(budget * self.paraphrase_share))
        plan += [DirectionRequest(a, b, DIRECTION_PARAPHRASE, "paraphrase") for a, b in asked[:paraphrases]]
        budget -= paraphrases
        swaps = asked[:budget]
        plan += [DirectionRequest(b, a, DIRECTION, "swap") for a, b in swaps]
        budget -= len(swaps)
        if self.scope == "all":
            for a, b in arrows[: (budget + 1) // 2]:
                plan.append(DirectionRequest(a, b, DIRECTION, "ask"))
                if budget >= 2:
                    plan.append(DirectionRequest(b, a, DIRECTION, "swap"))
                budget -= 2
        return plan


def _votes(
    graph: CausalGraph, answers: list[PairAnswer], knowledge: Knowledge
) -> tuple[list[EdgeVotes], dict[frozenset[str], tuple[str, ...]], tuple[int, int]]:
    """Directional votes per edge (framed as the data's or the user's arrow), the prompts per edge, and the
    (agreements, comparisons) of paraphrased re-asks with the originals (paraphrases only cap reliability)."""
    required = {frozenset(a): a for a in knowledge.required}
    groups: dict[frozenset[str], list[PairAnswer]] = {}
    for answer in answers:
        groups.setdefault(answer.pair, []).append(answer)
    edges: list[EdgeVotes] = []
    prompts: dict[frozenset[str], tuple[str, ...]] = {}
    agree = compared = 0
    for pair, group in groups.items():
        u, v = sorted(pair)
        kind: Literal["undirected", "data", "known"] = "undirected"
        if pair in required and all(a.role == "known" for a in group):
            (u, v), kind = required[pair], "known"
        elif graph.has_edge(v, u) or graph.has_edge(u, v):
            u, v = (v, u) if graph.has_edge(v, u) else (u, v)
            kind = "data"
        voting = [a for a in group if a.role != "paraphrase"]
        votes = tuple(x for x in (a.vote(u, v) for a in voting) if x)
        edges.append(EdgeVotes(u, v, kind, votes))
        prompts[pair] = tuple(a.prompt for a in group)
        original = next((a for a in voting if not a.abstained), None)
        for para in (a for a in group if a.role == "paraphrase" and not a.abstained):
            if original is not None:
                compared += 1
                agree += para.vote(u, v) == original.vote(u, v)
    return edges, prompts, (agree, compared)


@dataclass(frozen=True)
class Orientation:
    """What an orienter did: the graph before and after, every answer, the reliability, and the cost."""

    before: CausalGraph
    graph: CausalGraph
    applied: Applied
    answers: list[PairAnswer]
    reliability: ReliabilityFit
    usage: Usage
    abstentions: int
    notes: list[str]


@dataclass(frozen=True)
class Hybrid:
    """A data-only method followed by an LLM orienter: ``Hybrid(data=PC(alpha=0.01), orient=LLMOrienter(b))``."""

    data: Discoverer
    orient: LLMOrienter

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        start = time.perf_counter()
        base = self.data.discover(dataset, knowledge)
        if base.graph.has_circle_marks:
            raise InputError("the LLM orienter works on CPDAGs (PC, GES), not on PAGs with circle marks (FCI)")
        done = self.orient.orient(base.graph, dataset, knowledge)
        graph = done.graph
        notes = list(base.notes) + done.notes
        info = _provenance(base, done)
        if knowledge is not None and not knowledge.is_empty:
            fixed = enforce(graph, knowledge)
            graph = fixed.graph
            info.update({frozenset(a): EdgeInfo(Provenance.USER, note="user constraint") for a in fixed.forced})
            notes += fixed.notes()
            info = {pair: i for pair, i in info.items() if graph.is_adjacent(*sorted(pair))}
        if self.orient.backend.capabilities.is_simulation:
            notes.insert(0, f"answers come from a SIMULATED expert ({self.orient.backend.name}), not a language model")
        r = done.reliability
        low, high = r.r_interval()
        notes.append(
            f"estimated reliability of the model's directions: {r.r_mean:.2f} (chance = 0.50; 90% interval "
            f"{low:.2f}-{high:.2f}; P(model at chance) = {r.p_chance:.2f}); data arrows right about "
            f"{r.q_mean:.0%} of the time"
        )
        notes += done.applied.notes()
        if done.abstentions:
            notes.append(f"{done.abstentions} answer(s) could not be read and were counted as abstentions")
        diagnostics: dict[str, Any] = {
            **base.diagnostics,
            "data_method": base.method,
            "data_runtime_seconds": round(base.runtime_seconds, 4),
            "undirected_before": len(done.before.undirected_edges),
            "undirected_after": len(graph.undirected_edges),
            "query_bound": len(done.before.undirected_edges) + len(dataset.names),
            "abstentions": done.abstentions,
            "reliability": r.to_dict(),
            **done.applied.counts(),
        }
        params = {
            "data": base.params,
            "backend": self.orient.backend.name,
            "scope": self.orient.scope,
            "min_posterior": self.orient.min_posterior,
            "data_confidence": self.orient.data_confidence,
            "prior_chance": self.orient.prior_chance,
            "seed": self.orient.seed,
        }
        return DiscoveryResult(
            graph=graph,
            method=f"hybrid-{base.method}",
            runtime_seconds=time.perf_counter() - start,
            edge_info=info,
            usage=done.usage,
            params=params,
            notes=tuple(notes),
            diagnostics=diagnostics,
        )


def _provenance(base: DiscoveryResult, done: Orientation) -> dict[frozenset[str], EdgeInfo]:
    """Data edges keep their data provenance unless the model decided or confirmed them; Meek's are MEEK."""
    info = dict(base.edge_info)
    for e in done.graph.edges:
        pair = e.nodes
        if pair not in info:
            info[pair] = EdgeInfo(Provenance.DATA)
    for pair, decided in done.applied.decided.items():
        info[pair] = decided
    return {pair: i for pair, i in info.items() if done.graph.is_adjacent(*sorted(pair))}
