"""A simulated domain expert: answers causal claims from a known graph, right with a chosen probability.

Papers on LLM-assisted discovery benchmark how an algorithm uses *imperfect* knowledge by simulating an expert
whose answers are right with probability p. This is that expert. It reads only the :class:`CausalClaim` a
:class:`Query` carries, never the prompt text, and abstains (uniform probabilities, ``abstained=True``) on
anything the claim and graph cannot settle. Whether it is right about a question is drawn once from a seed and
the claim's identity, so asking twice, with other wording or with options in another order, gives the same
answer. Its confidence is ``accuracy`` plus a little seeded jitter: calibrated on average, not a signal of which
answers are right. Its name says "simulated" and ``capabilities.is_simulation`` is True, so no report can pass
it off as a language model.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence

from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph
from causalbridge.llm.base import validate_options
from causalbridge.llm.claims import Answer, CausalClaim, claim_truth
from causalbridge.llm.types import (
    DEFAULT_PARAMS,
    Capabilities,
    Choice,
    Completion,
    GenerationParams,
    Prompt,
    Structured,
    T,
    Usage,
    claim_of,
)
from causalbridge.llm.usage import UsageMeter

_ANSWER_ORDER = {answer: i for i, answer in enumerate(Answer)}


class SimulatedExpert:
    """An expert that knows ``graph`` and answers each claim correctly with probability ``accuracy``.

    ``graph`` may be a callable so that a named network is loaded only when the first question arrives.
    """

    def __init__(
        self,
        graph: CausalGraph | Callable[[], CausalGraph],
        *,
        accuracy: float = 0.8,
        seed: int = 0,
        network: str = "graph",
        jitter: float = 0.05,
    ) -> None:
        if not 0.0 <= accuracy <= 1.0:
            raise InputError(f"accuracy must be in [0, 1], got {accuracy}", where="accuracy")
        if jitter < 0:
            raise InputError(f"jitter must be >= 0, got {jitter}", where="jitter")
        self.accuracy = accuracy
        self.seed = seed
        self.network = network
        self.jitter = jitter
        self.name = f"simulated:{network}?accuracy={accuracy:g}&seed={seed}"
        self.capabilities = Capabilities(
            has_logprobs=False, supports_json_schema=False, max_context=1_000_000, is_local=True, is_simulation=True
        )
        self._graph: CausalGraph | None = graph if isinstance(graph, CausalGraph) else None
        self._load = None if isinstance(graph, CausalGraph) else graph
        self._meter = UsageMeter()

    def __repr__(self) -> str:
        return f"SimulatedExpert({self.name!r})"

    @property
    def graph(self) -> CausalGraph:
        if self._graph is None:
            assert self._load is not None
            self._graph = self._load()
        return self._graph

    @property
    def usage(self) -> Usage:
        return self._meter.total

    # ----------------------------------------------------------------- the decision
    def _draws(self, claim: CausalClaim) -> tuple[float, float, float]:
        """Three uniform draws fixed by (seed, claim identity): right-or-wrong, which wrong answer, jitter."""
        material = "\x1f".join((str(self.seed), *claim.identity()))
        rng = random.Random(int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big"))
        return rng.random(), rng.random(), rng.gauss(0.0, 1.0)

    def answer(self, claim: CausalClaim | None, options: tuple[str, ...]) -> tuple[tuple[float, ...], bool]:
        """Probabilities for ``options`` and whether the expert abstained."""
        uniform = tuple(1.0 / len(options) for _ in options)
        if claim is None:
            return uniform, True
        meanings = [claim.meaning_of(option) for option in options]
        truth = claim_truth(claim, self.graph)
        if truth is None or truth not in meanings:
            return uniform, True
        known = sorted({m for m in meanings if m is not None}, key=_ANSWER_ORDER.__getitem__)
        wrong = [m for m in known if m != truth]
        if not wrong:  # only the true answer is on offer: the expert could not be wrong, so it says nothing
            return uniform, True
        right_draw, wrong_draw, noise = self._draws(claim)
        picked = truth if right_draw < self.accuracy else wrong[int(wrong_draw * len(wrong))]
        floor = 1.0 / len(known) + 0.01
        confidence = min(0.99, max(floor, self.accuracy + self.jitter * noise))
        chosen = meanings.index(picked)
        others = [i for i, m in enumerate(meanings) if m is not None and i != chosen]
        probs = [0.0] * len(options)
        probs[chosen] = confidence
        for i in others:
            probs[i] = (1.0 - confidence) / len(others)
        return tuple(probs), False

    def _usages(self, n: int, start: float) -> list[Usage]:
        share = (time.perf_counter() - start) / max(1, n)
        usages = [Usage(queries=1, wall_seconds=share) for _ in range(n)]
        self._meter.add(Usage.total(usages))
        return usages

    # ----------------------------------------------------------------- the protocol
    async def choose(self, prompts: Sequence[Prompt], options: Sequence[str]) -> list[Choice]:
        opts = validate_options(options)
        start = time.perf_counter()
        answers = [self.answer(claim_of(p), opts) for p in prompts]
        usages = self._usages(len(answers), start)
        return [
            Choice(opts, probs, usage, "simulated", 0, abstained)
            for (probs, abstained), usage in zip(answers, usages, strict=True)
        ]

    async def complete(self, prompts: Sequence[Prompt], params: GenerationParams = DEFAULT_PARAMS) -> list[Completion]:
        """The text of the chosen option of the prompt's claim; an empty ``"abstain"`` completion otherwise."""
        start = time.perf_counter()
        texts: list[str | None] = []
        for prompt in prompts:
            claim = claim_of(prompt)
            if claim is None or len(claim.options) < 2:
                texts.append(None)
                continue
            probs, abstained = self.answer(claim, claim.options)
            texts.append(None if abstained else claim.options[max(range(len(probs)), key=probs.__getitem__)])
        usages = self._usages(len(texts), start)
        return [
            Completion(text or "", usage, "stop" if text is not None else "abstain")
            for text, usage in zip(texts, usages, strict=True)
        ]

    async def structured(self, prompts: Sequence[Prompt], schema: type[T], retries: int = 2) -> list[Structured[T]]:
        """Always an abstention: the expert knows claims, not arbitrary schemas."""
        start = time.perf_counter()
        usages = self._usages(len(prompts), start)
        reason = "the simulated expert answers only choose/complete on queries that carry a CausalClaim"
        return [Structured(None, usage, 1, reason) for usage in usages]
