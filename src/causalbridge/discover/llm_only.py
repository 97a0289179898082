"""LLM-only discovery from variable names and descriptions: pairwise, breadth-first and whole-graph.

* :class:`PairwiseLLM` asks every unordered pair, in both orders, with three answers (a -> b, b -> a, neither):
  n(n-1) questions for n variables (n(n-1)/2 pairs), the most thorough and the most expensive.
* :class:`BreadthFirstLLM` follows Jiralerspong et al. (2024, "Efficient causal graph discovery using large
  language models"): one question for the root causes, then one per variable for its direct effects, visited
  breadth-first from the roots: n + 1 prompts. A simulated expert cannot read a list question (it answers only
  claims about one pair), so with one the same walk asks a yes/no question per candidate effect instead, which
  costs O(n^2) questions; ``queries`` always reports what was really asked.
* :class:`WholeGraphLLM` asks once for the whole edge list as structured output.

A model's answer can hold cycles; each is repaired by removing its least-confident arrow (:mod:`.cycles`).
"""

from __future__ import annotations

import itertools
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from causalbridge.data import CausalDataset
from causalbridge.discover.cycles import repair_cycles
from causalbridge.discover.knowledge import Knowledge, enforce
from causalbridge.discover.prompting import BFS_EFFECTS, BFS_ROOTS, DIRECTION, WHOLE_GRAPH, PromptContext, render
from causalbridge.discover.questions import Asker, DirectionRequest, PairAnswer
from causalbridge.discover.result import DiscoveryResult, EdgeInfo, Provenance
from causalbridge.graph import CausalGraph
from causalbridge.llm import run_sync
from causalbridge.llm.types import Backend

Arrow = tuple[str, str]


@dataclass(frozen=True)
class _Found:
    """Arrows a method found, with their probabilities and the prompts behind them."""

    arrows: dict[Arrow, float | None]
    prompts: dict[frozenset[str], tuple[str, ...]]


def _result(
    method: str,
    dataset: CausalDataset,
    found: _Found,
    asker: Asker,
    start: float,
    params: dict[str, Any],
    notes: list[str],
    knowledge: Knowledge | None,
    diagnostics: dict[str, Any],
) -> DiscoveryResult:
    """Repair cycles, apply hard knowledge, and record each arrow's probability and prompts."""
    graph = CausalGraph.from_edges(directed=sorted(found.arrows), nodes=dataset.names)
    graph, removed = repair_cycles(graph, found.arrows)
    notes += [f"cycle repaired: removed {u} -> {v} (least confident arrow of its cycle)" for u, v in removed]
    info = {
        frozenset(a): EdgeInfo(Provenance.LLM, found.arrows[a], found.prompts.get(frozenset(a), ()))
        for a in graph.directed_edges
    }
    if knowledge is not None and not knowledge.is_empty:
        knowledge.check_names(dataset.names)
        fixed = enforce(graph, knowledge)
        graph = fixed.graph
        owner = Provenance.LLM if knowledge.source == "llm" else Provenance.USER
        info.update({frozenset(a): EdgeInfo(owner, note=f"{knowledge.source} constraint") for a in fixed.forced})
        notes += fixed.notes()
        info = {pair: i for pair, i in info.items() if graph.is_adjacent(*sorted(pair))}
    if asker.abstentions:
        notes.append(f"{asker.abstentions} answer(s) could not be read and were counted as abstentions")
    diagnostics = {**diagnostics, "cycles_repaired": len(removed), "abstentions": asker.abstentions}
    return DiscoveryResult(
        graph=graph,
        method=method,
        runtime_seconds=time.perf_counter() - start,
        edge_info=info,
        usage=asker.usage,
        params={**params, "backend": asker.backend.name},
        notes=tuple(notes),
        diagnostics=diagnostics,
    )


def _simulation_note(backend: Backend) -> list[str]:
    if backend.capabilities.is_simulation:
        return [f"answers come from a SIMULATED expert ({backend.name}), not a language model"]
    return []


@dataclass(frozen=True)
class PairwiseLLM:
    """Ask about every pair of variables, in both orders, and keep the most probable of the three answers."""

    backend: Backend
    domain: str = ""
    both_orders: bool = True
    progress: bool = False

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        start = time.perf_counter()
        asker = Asker(self.backend, PromptContext(dataset.variables, self.domain), progress=self.progress)
        pairs = list(itertools.combinations(dataset.names, 2))
        requests = [DirectionRequest(a, b, DIRECTION, "pairwise") for a, b in pairs]
        if self.both_orders:
            requests += [DirectionRequest(b, a, DIRECTION, "pairwise") for a, b in pairs]
        answers = asker.directions(requests, "pairs")
        by_pair: dict[frozenset[str], list[PairAnswer]] = {}
        for answer in answers:
            by_pair.setdefault(answer.pair, []).append(answer)
        arrows: dict[Arrow, float | None] = {}
        agree = compared = 0
        for a, b in pairs:
            heard = [x for x in by_pair[frozenset((a, b))] if not x.abstained]
            if len(heard) == 2:
                compared += 1
                agree += heard[0].vote(a, b) == heard[1].vote(a, b)
            if not heard:
                continue
            p_ab = sum(x.prob(a, b) for x in heard) / len(heard)
            p_ba = sum(x.prob(b, a) for x in heard) / len(heard)
            p_none = sum(x.p_none for x in heard) / len(heard)
            if p_ab > max(p_ba, p_none):
                arrows[(a, b)] = p_ab
            elif p_ba > max(p_ab, p_none):
                arrows[(b, a)] = p_ba
        prompts = {pair: tuple(x.prompt for x in group) for pair, group in by_pair.items()}
        notes = _simulation_note(self.backend)
        notes.append(f"pairwise asked {len(requests)} questions for {len(pairs)} pairs (n(n-1)/2 pairs, grows as n^2)")
        if compared:
            notes.append(
                f"the model gave the same answer with the two variables swapped for {agree} of {compared} pairs "
                f"({agree / compared:.0%}; a model at chance agrees about 1/3 of the time, one that always picks the "
                "first-listed variable as the cause agrees never)"
            )
        diagnostics = {
            "pairs": len(pairs),
            "order_agreement": agree / compared if compared else None,
        }
        params = {"both_orders": self.both_orders, "template": DIRECTION}
        found = _Found(arrows, prompts)
        return _result("llm-pairwise", dataset, found, asker, start, params, notes, knowledge, diagnostics)


_NONE_REPLY = re.compile(r"^\W*(none|no variables?|nothing|no effects?)\b", re.IGNORECASE)
_SPLIT = re.compile(r"[,;\n]|\band\b", re.IGNORECASE)


def parse_names(reply: str, candidates: tuple[str, ...], labels: dict[str, str] | None = None) -> list[str] | None:
    """The candidate names a free-text reply lists, [] for an explicit "none", None when nothing can be read.

    Items split on commas, semicolons, new lines and "and" are matched to names (or readable labels) ignoring
    case, quotes, bullets and numbering; only if no item matches are names searched for as whole words.
    """
    if _NONE_REPLY.match(reply):
        return []
    lookup = {c.lower(): c for c in candidates}
    for name, label in (labels or {}).items():
        if name in candidates:
            lookup.setdefault(label.lower(), name)
    found: list[str] = []
    for item in _SPLIT.split(reply):
        token = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s*", "", item).strip(" \t\"'`*.:()[]")
        match = lookup.get(token.lower())
        if match is not None and match not in found:
            found.append(match)
    if found:
        return found
    for key, name in lookup.items():
        if re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", reply, re.IGNORECASE) and name not in found:
            found.append(name)
    return found or None


@dataclass(frozen=True)
class BreadthFirstLLM:
    """Breadth-first discovery (Jiralerspong et al. 2024): the roots first, then each variable's direct effects.

    ``mode="list"`` asks one free-text question per variable (n + 1 prompts); ``"per-candidate"`` asks a yes/no
    question per candidate effect (O(n^2)); ``"auto"`` uses per-candidate questions only for a simulated
    expert, which cannot read list questions.
    """

    backend: Backend
    domain: str = ""
    mode: Literal["auto", "list", "per-candidate"] = "auto"
    progress: bool = False

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        start = time.perf_counter()
        context = PromptContext(dataset.variables, self.domain)
        asker = Asker(self.backend, context, progress=self.progress)
        mode = self.mode
        if mode == "auto":
            mode = "per-candidate" if self.backend.capabilities.is_simulation else "list"
        notes = _simulation_note(self.backend)
        if mode == "list":
            found, extra = _bfs_lists(asker, context)
        else:
            found, extra = _bfs_per_candidate(asker, dataset.names)
        notes += extra
        params = {"mode": mode, "templates": [BFS_ROOTS, BFS_EFFECTS] if mode == "list" else ["direct_cause"]}
        return _result("llm-bfs", dataset, found, asker, start, params, notes, knowledge, {"mode": mode})


def _bfs_lists(asker: Asker, context: PromptContext) -> tuple[_Found, list[str]]:
    names = context.names
    labels = {v.name: v.readable_name for v in context.variables if v.readable_name}
    roots_prompt = render(BFS_ROOTS, context=context.preamble, variables=context.listing())
    (reply,) = asker.complete([roots_prompt], label="root causes")
    roots = parse_names(reply, names, labels)
    notes = []
    if not roots:
        asker.abstentions += roots is None
        notes.append("no root causes could be read from the model's reply; the walk starts from every variable")
    queue, seen = deque(roots or ()), set(roots or ())
    arrows: dict[Arrow, float | None] = {}
    prompts: dict[frozenset[str], tuple[str, ...]] = {}
    expanded: set[str] = set()
    pending = [n for n in names if n not in seen]
    while queue or pending:
        node = queue.popleft() if queue else pending.pop(0)
        if node in expanded:
            continue
        expanded.add(node)
        others = [n for n in names if n != node]
        text = render(
            BFS_EFFECTS,
            context=context.preamble,
            variables=context.listing(),
            name=node,
            candidates=", ".join(others),
        )
        (reply,) = asker.complete([text], label=f"effects of {node}")
        effects = parse_names(reply, tuple(others), labels)
        if effects is None:
            asker.abstentions += 1
            continue
        for child in effects:
            if (child, node) not in arrows:
                arrows[(node, child)] = None
                prompts[frozenset((node, child))] = (text,)
            if child not in seen:
                seen.add(child)
                queue.append(child)
        pending = [n for n in pending if n not in seen]
    return _confidence_for_cycles(asker, _Found(arrows, prompts), names), notes


def _confidence_for_cycles(asker: Asker, found: _Found, names: tuple[str, ...]) -> _Found:
    """List answers carry no probability; arrows on a cycle get one from a direction question so that the
    least-confident one can be dropped (only these arrows cost extra questions)."""
    graph = CausalGraph.from_edges(directed=sorted(found.arrows), nodes=names)
    on_cycles: set[Arrow] = set()
    while (cycle := graph.find_cycle()) is not None:
        arrows = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
        on_cycles.update(arrows)
        graph = graph.remove_edge(*arrows[0])
    if not on_cycles:
        return found
    ordered = sorted(on_cycles)
    answers = asker.directions([DirectionRequest(u, v, DIRECTION, "cycle") for u, v in ordered], "cycle arrows")
    scored = dict(found.arrows)
    prompts = dict(found.prompts)
    for (u, v), answer in zip(ordered, answers, strict=True):
        scored[(u, v)] = None if answer.abstained else answer.prob(u, v)
        prompts[frozenset((u, v))] = (*prompts.get(frozenset((u, v)), ()), answer.prompt)
    return _Found(scored, prompts)


def _bfs_per_candidate(asker: Asker, names: tuple[str, ...]) -> tuple[_Found, list[str]]:
    arrows: dict[Arrow, float | None] = {}
    prompts: dict[frozenset[str], tuple[str, ...]] = {}
    for node in names:
        candidates = [(node, n) for n in names if n != node and (n, node) not in arrows]
        for answer in asker.yes_no(candidates, f"effects of {node}"):
            if answer.p_yes is not None and answer.p_yes > 0.5:
                arrows[(answer.cause, answer.effect)] = answer.p_yes
                prompts[frozenset((answer.cause, answer.effect))] = (answer.prompt,)
    note = "per-candidate breadth-first search: one yes/no question per candidate effect (O(n^2) questions)"
    return _Found(arrows, prompts), [note]


class CausalEdge(BaseModel):
    """One arrow of a whole-graph answer."""

    cause: str
    effect: str
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)


class EdgeList(BaseModel):
    """The whole-graph answer: every direct causal relationship the model names."""

    edges: list[CausalEdge]


@dataclass(frozen=True)
class WholeGraphLLM:
    """One structured question for the whole edge list (a reply that cannot be read leaves an empty graph)."""

    backend: Backend
    domain: str = ""
    retries: int = 1
    progress: bool = False

    def discover(self, dataset: CausalDataset, knowledge: Knowledge | None = None) -> DiscoveryResult:
        start = time.perf_counter()
        context = PromptContext(dataset.variables, self.domain)
        asker = Asker(self.backend, context, progress=self.progress)
        prompt = render(WHOLE_GRAPH, context=context.preamble, variables=context.listing())
        (answer,) = run_sync(self.backend.structured([prompt], EdgeList, retries=self.retries))
        asker.usage = asker.usage + answer.usage
        notes = _simulation_note(self.backend)
        arrows: dict[Arrow, float | None] = {}
        unknown: set[str] = set()
        if answer.value is None:
            asker.abstentions += 1
            notes.append(f"the whole-graph answer could not be read: {answer.error}")
        else:
            for edge in answer.value.edges:
                cause, effect = edge.cause.strip(), edge.effect.strip()
                unknown.update(n for n in (cause, effect) if n not in dataset.names)
                if cause == effect or cause not in dataset.names or effect not in dataset.names:
                    continue
                reverse = arrows.get((effect, cause))
                if reverse is not None and reverse >= edge.confidence:
                    continue  # the model named both directions: keep the one it is surer of
                arrows.pop((effect, cause), None)
                arrows[(cause, effect)] = max(edge.confidence, arrows.get((cause, effect)) or 0.0)
        if unknown:
            notes.append(f"ignored arrows naming unknown variables: {', '.join(sorted(unknown))}")
        prompts: dict[frozenset[str], tuple[str, ...]] = {frozenset(a): (prompt,) for a in arrows}
        found = _Found(arrows, prompts)
        params = {"template": WHOLE_GRAPH, "retries": self.retries}
        return _result("llm-whole-graph", dataset, found, asker, start, params, notes, knowledge, {})
