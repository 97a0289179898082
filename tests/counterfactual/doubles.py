"""TEST DOUBLE, not a language model: a backend that writes scripted edits and judges from a script.

``EditingDouble`` subclasses the real :class:`BaseBackend`, so ``complete``, ``choose`` (by log-probabilities,
or by sampled votes when ``logprobs=False``), usage accounting and the option-order handling are production code;
only the model primitives are replaced:

* asked to rewrite (the prompt says "Rewrite the"), it replies with the scripted edit of the example whose text
  appears in the prompt, behind a "Rewritten text:" lead-in that the reader must strip (an empty reply when the
  example has no scripted edit);
* asked to judge, it puts ``confidence`` on the scripted label of the text found in the prompt (no mass anywhere
  when the text is not scripted, which is an abstention);
* asked which text is more fluent, it scores each option ``-0.1`` per token and ``-15`` per "awkward" word, so a
  text full of awkward words is much less likely than the original.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from causalbridge.llm import BaseBackend, Capabilities, OptionScores, RawCompletion
from causalbridge.llm.base import Chat
from causalbridge.llm.types import GenerationParams

_LISTED = re.compile(r"Answer with exactly one of: (.*)\.$")


class EditingDouble(BaseBackend):
    """TEST DOUBLE: scripted edits, scripted judgements, and a word-penalty fluency score (see the module doc)."""

    kind = "editing-test"

    def __init__(
        self,
        edits: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        *,
        logprobs: bool = True,
        awkward: frozenset[str] = frozenset({"blorp"}),
        confidence: float = 0.9,
        name: str = "editing-test-double",
    ) -> None:
        caps = Capabilities(has_logprobs=logprobs, supports_json_schema=False, max_context=100_000, is_local=True)
        super().__init__(name=name, model="editing", capabilities=caps, choose_samples=3)
        self.edits = dict(edits or {})
        self.labels = dict(labels or {})
        self.awkward = awkward
        self.confidence = confidence
        self.rewrites: list[str] = []  # the prompt of every rewrite request, in order
        self.judged: list[str] = []

    @staticmethod
    def _found(text: str, script: Mapping[str, str]) -> str | None:
        hits = [key for key in script if key in text]
        return script[max(hits, key=len)] if hits else None

    def _label_of(self, prompt: str) -> str | None:
        example = prompt.split("\n\nWhich label", 1)[0]
        return self._found(example, self.labels)

    async def _generate(self, messages: Chat, params: GenerationParams) -> RawCompletion:
        prompt = messages[-1].content
        if "Rewrite the" in prompt:
            self.rewrites.append(prompt)
            edit = self._found(prompt.split("\nLabel:", 1)[0], self.edits)
            return RawCompletion(f"Rewritten text: {edit}" if edit is not None else "", 20, 8)
        listed = _LISTED.search(prompt)
        if listed and "Which label" in prompt:
            self.judged.append(prompt)
            return RawCompletion(self._label_of(prompt) or "no idea", 20, 1)
        return RawCompletion("", 20, 0)

    async def _score_options(self, messages: Chat, options: tuple[str, ...]) -> OptionScores | None:
        prompt = messages[-1].content
        if "more fluent" in prompt:
            scores = [
                -0.1 * len(o.split()) - 15.0 * sum(w.strip(".,") in self.awkward for w in o.split()) for o in options
            ]
            return OptionScores(tuple(scores), 15)
        self.judged.append(prompt)
        label = self._label_of(prompt)
        if label not in options:
            return OptionScores(tuple(None for _ in options), 15)
        rest = (1.0 - self.confidence) / (len(options) - 1)
        return OptionScores(tuple(math.log(self.confidence if o == label else rest) for o in options), 15)
