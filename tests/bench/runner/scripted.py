"""TEST DOUBLE, not a language model: a backend that answers benchmark items from a script.

``ScriptedBackend`` subclasses the real :class:`BaseBackend`, so caching, usage accounting, ``choose`` by
log-probabilities (or by sampled votes when ``logprobs=False``) and ``complete`` all run the production code; only
the model primitive is replaced. It finds which scripted question a chat is about (the question text appears in
the first user message) and:

* scores options by log-probabilities that put ``confidence`` on the scripted answer (``"@first"`` means "the
  first option as listed in the prompt", to simulate position bias; ``"@abstain"`` gives no option any mass);
* replies to "Answer with exactly one of" with the scripted answer, and to anything else with a fixed reasoning
  text that names the scripted answer.

``delay`` seconds of sleep per model call make runs slow enough to kill mid-way. Run as a script, this file
registers the kind ``scripted:<script.json>?delay=S`` and runs ``causalbridge bench`` with the given arguments,
so a child process can run the real CLI against the double (the registration never leaks into pytest itself).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from causalbridge.bench import BenchDataset, BenchItem
from causalbridge.llm import BaseBackend, Capabilities, OptionScores, RawCompletion
from causalbridge.llm.base import Chat
from causalbridge.llm.types import GenerationParams

_LISTED = re.compile(r"Answer with exactly one of: (.*)\.$")


class ScriptedBackend(BaseBackend):
    """TEST DOUBLE: answers each known question with its scripted option (see the module docstring)."""

    kind = "scripted-test"

    def __init__(
        self,
        answers: Mapping[str, str],
        *,
        confidence: float = 0.8,
        delay: float = 0.0,
        logprobs: bool = True,
        name: str = "scripted-test-double",
    ) -> None:
        super().__init__(
            name=name,
            model="scripted",
            capabilities=Capabilities(
                has_logprobs=logprobs, supports_json_schema=False, max_context=100_000, is_local=True
            ),
            choose_samples=3,
        )
        self.answers = dict(answers)
        self.confidence = confidence
        self.delay = delay
        self.calls: list[Chat] = []

    def _question(self, messages: Chat) -> str | None:
        first = next(m.content for m in messages if m.role == "user")
        hits = [q for q in self.answers if q in first]
        return max(hits, key=len) if hits else None

    def _scripted(self, messages: Chat, options: tuple[str, ...]) -> str | None:
        question = self._question(messages)
        if question is None:
            return None
        wanted = self.answers[question]
        if wanted == "@first":
            return options[0]
        return wanted if wanted in options else None

    async def _score_options(self, messages: Chat, options: tuple[str, ...]) -> OptionScores | None:
        self.calls.append(messages)
        if self.delay:
            await asyncio.sleep(self.delay)
        picked = self._scripted(messages, options)
        if picked is None:
            return OptionScores(logprobs=tuple(None for _ in options), prompt_tokens=10)
        rest = (1.0 - self.confidence) / (len(options) - 1)
        logprobs = tuple(math.log(self.confidence if o == picked else rest) for o in options)
        return OptionScores(logprobs=logprobs, prompt_tokens=10)

    async def _generate(self, messages: Chat, params: GenerationParams) -> RawCompletion:
        self.calls.append(messages)
        if self.delay:
            await asyncio.sleep(self.delay)
        listed = _LISTED.search(messages[-1].content)
        if listed:
            options = tuple(o.strip() for o in listed.group(1).split(", "))
            picked = self._scripted(messages, options)
            return RawCompletion(picked or "I cannot tell.", 10, 2)
        question = self._question(messages)
        answer = self.answers.get(question, "nothing") if question else "nothing"
        return RawCompletion(f"Step by step, the numbers point to: {answer}.", 10, 12)


def toy_dataset(n: int = 12, name: str = "toy") -> BenchDataset:
    """``n`` yes/no items; answers alternate no/yes; rung cycles 1, 2, 3; naming alternates two modes."""
    items = [
        BenchItem(
            id=f"q{i:03d}",
            dataset=name,
            question=f"In world {i}, does lever {i} raise lamp {i}?",
            options=("yes", "no"),
            answer="yes" if i % 2 else "no",
            meta={
                "rung": 1 + i % 3,
                "query_type": "ate" if i % 3 == 1 else "marginal",
                "naming": ("story", "nonsense")[i % 2],
            },
        )
        for i in range(n)
    ]
    return BenchDataset(name, tuple(items), f"toy:{n}")


def script_for(dataset: BenchDataset, wrong_every: int = 3, first_every: int = 5) -> dict[str, str]:
    """The scripted model: the gold answer, except every ``wrong_every``-th item (the other option) and every
    ``first_every``-th item (whatever option is listed first: position bias)."""
    script = {}
    for i, item in enumerate(dataset.items):
        if first_every and i % first_every == first_every - 1:
            script[item.question] = "@first"
        elif wrong_every and i % wrong_every == wrong_every - 1:
            script[item.question] = next(o for o in item.options if o != item.answer)
        else:
            script[item.question] = item.answer
    return script


def _main(argv: list[str]) -> None:
    from causalbridge.cli.bench import app
    from causalbridge.cli.console import run_guarded
    from causalbridge.llm.cache import Cache
    from causalbridge.llm.spec import ModelSpec, register_backend

    @register_backend("scripted", example="scripted:script.json", summary="TEST DOUBLE", options={"delay"})
    def _factory(spec: ModelSpec, cache: Cache) -> ScriptedBackend:
        answers = json.loads(Path(spec.target).read_text(encoding="utf-8"))
        return ScriptedBackend(answers, delay=spec.get_float("delay", 0.0, low=0.0), name=spec.name)

    sys.argv = ["causalbridge-bench", *argv]
    run_guarded(app)


if __name__ == "__main__":
    _main(sys.argv[1:])
