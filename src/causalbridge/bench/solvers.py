"""Prompt strategies (solvers) for benchmark items: direct, chain-of-thought, and causal chain-of-thought.

Every strategy ends in ``Backend.choose`` over the item's options, so the answer is a probability per option
(log-probabilities where the backend has them), never a string parsed out of prose. The reasoning strategies
first let the model write (``complete``) and then ask the final question *in the same conversation*, so the
choice is conditioned on the reasoning:

* ``direct``: the question, then the choice.
* ``cot``: "think step by step", the model's reasoning, then the choice.
* ``causal-cot``: in the spirit of CLadder's CausalCoT (Jin et al., NeurIPS 2023), two turns of reasoning: first
  extract the causal graph, the query (rung and type, in symbols) and the given numbers; then derive an estimand
  from the graph and compute it; then the choice.

Templates are versioned text files (``causalbridge/prompts/bench_<step>_<version>.txt``) rendered with
:class:`string.Template`; a run records the strategy and version it used, and a changed template must get a new
version so that an old run directory is never resumed with different prompts.
"""

from __future__ import annotations

import difflib
import functools
import math
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from causalbridge.bench.items import BenchItem
from causalbridge.bench.task import Solution, Solver
from causalbridge.errors import InputError
from causalbridge.llm.aio import gather_all
from causalbridge.llm.types import Backend, Choice, GenerationParams, Message, Prompt, Usage

PROMPT_VERSION = "v1"


@functools.cache
def load_template(name: str) -> string.Template:
    """The template file ``causalbridge/prompts/<name>.txt`` (read once per process)."""
    path = resources.files("causalbridge").joinpath("prompts", f"{name}.txt")
    if not path.is_file():
        raise InputError(f"no prompt template {name!r}", where=f"causalbridge/prompts/{name}.txt")
    return string.Template(path.read_text(encoding="utf-8").rstrip("\n"))


def render(name: str, **fields: str) -> str:
    """Fill a template; a placeholder without a value is a KeyError (a bug in the solver, not user input)."""
    return load_template(name).substitute(fields)


def options_text(options: Sequence[str]) -> str:
    """``yes or no``; ``a, b or c``; options holding a comma are quoted so the list stays readable."""
    shown = [f'"{o}"' if "," in o else o for o in options]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


async def choose_each(backend: Backend, prompts: Sequence[Prompt], options: Sequence[tuple[str, ...]]) -> list[Choice]:
    """``choose`` for prompts whose option sets differ: one batched call per distinct option tuple, concurrently."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, opts in enumerate(options):
        groups.setdefault(opts, []).append(i)
    keys = list(groups)
    answers = await gather_all(backend.choose([prompts[i] for i in groups[k]], k) for k in keys)
    results: list[Choice | None] = [None] * len(prompts)
    for key, choices in zip(keys, answers, strict=True):
        for i, choice in zip(groups[key], choices, strict=True):
            results[i] = choice
    return [c for c in results if c is not None]


def solution_from(choice: Choice, usage: Usage, reasoning: str | None = None) -> Solution:
    """A choice as a solution: an abstention keeps no prediction and no probabilities (they are uniform filler)."""
    if choice.abstained or not all(math.isfinite(p) for p in choice.probs):
        return Solution(None, None, usage, choice.method, True, reasoning)
    best = max(range(len(choice.probs)), key=choice.probs.__getitem__)
    return Solution(choice.options[best], tuple(choice.probs), usage, choice.method, False, reasoning)


@dataclass(frozen=True)
class DirectSolver:
    """The question, then ``choose`` over the options: one model call per item."""

    name: str = "direct"
    version: str = PROMPT_VERSION

    async def solve(self, items: Sequence[BenchItem], backend: Backend) -> list[Solution]:
        prompts = [render(f"bench_direct_{self.version}", question=item.question) for item in items]
        choices = await choose_each(backend, prompts, [item.options for item in items])
        return [solution_from(choice, choice.usage) for choice in choices]


@dataclass(frozen=True)
class ChainOfThoughtSolver:
    """Step-by-step reasoning (``complete``), then ``choose`` in the same conversation."""

    name: str = "cot"
    version: str = PROMPT_VERSION
    max_tokens: int = 256

    async def solve(self, items: Sequence[BenchItem], backend: Backend) -> list[Solution]:
        template = f"bench_cot_{self.version}"
        first = [render(template, question=it.question, options=options_text(it.options)) for it in items]
        return await _reason_then_choose(backend, items, first, [], self.version, self.max_tokens)


@dataclass(frozen=True)
class CausalChainOfThoughtSolver:
    """Extract graph, query and numbers; then derive and compute; then ``choose`` (CLadder's CausalCoT idea)."""

    name: str = "causal-cot"
    version: str = PROMPT_VERSION
    max_tokens: int = 256

    async def solve(self, items: Sequence[BenchItem], backend: Backend) -> list[Solution]:
        first = [render(f"bench_causal_cot_extract_{self.version}", question=it.question) for it in items]
        compute = f"bench_causal_cot_compute_{self.version}"
        follow_ups = [[render(compute, options=options_text(it.options)) for it in items]]
        return await _reason_then_choose(backend, items, first, follow_ups, self.version, self.max_tokens)


async def _reason_then_choose(
    backend: Backend,
    items: Sequence[BenchItem],
    first: Sequence[str],
    follow_ups: Sequence[Sequence[str]],
    version: str,
    max_tokens: int,
) -> list[Solution]:
    """Let the model reason over one or more turns, then ask for the final answer with ``choose``.

    ``first[i]`` opens the conversation for item ``i``; ``follow_ups[k][i]`` is the user turn that follows the
    model's ``k``-th reply; the last reply is followed by the "final answer" turn and ``choose``.
    """
    params = GenerationParams(max_tokens=max_tokens, temperature=0.0)
    chats: list[tuple[Message, ...]] = [(Message("user", text),) for text in first]
    usages = [Usage() for _ in items]
    replies: list[list[str]] = [[] for _ in items]
    final = render(f"bench_final_{version}")
    for turn in range(len(follow_ups) + 1):
        completions = await backend.complete(chats, params)
        for i, completion in enumerate(completions):
            usages[i] = usages[i] + completion.usage
            text = completion.text.strip()
            replies[i].append(text)
            nxt = follow_ups[turn][i] if turn < len(follow_ups) else final
            # An empty assistant turn is rejected by some servers; keep the turn, mark it empty.
            chats[i] = (*chats[i], Message("assistant", text or "(no reply)"), Message("user", nxt))
    choices = await choose_each(backend, chats, [item.options for item in items])
    return [
        solution_from(choice, usage + choice.usage, "\n\n".join(texts))
        for choice, usage, texts in zip(choices, usages, replies, strict=True)
    ]


#: The strategies the CLI knows, by name.
STRATEGIES: dict[str, Callable[[], Solver]] = {
    "direct": DirectSolver,
    "cot": ChainOfThoughtSolver,
    "causal-cot": CausalChainOfThoughtSolver,
}


def make_solver(name: str) -> Solver:
    """The solver for a strategy name (``direct``, ``cot``, ``causal-cot``); an unknown name is an InputError."""
    key = name.strip().lower().replace("_", "-")
    key = {"chain-of-thought": "cot", "causalcot": "causal-cot", "causal-chain-of-thought": "causal-cot"}.get(key, key)
    if key not in STRATEGIES:
        close = difflib.get_close_matches(key, list(STRATEGIES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"unknown strategy {name!r}{hint}; known: {', '.join(STRATEGIES)}", where="--strategy")
    return STRATEGIES[key]()
