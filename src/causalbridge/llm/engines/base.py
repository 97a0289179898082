"""The contract between a local model engine and the backend that wraps it, plus the checks they share.

An *engine* runs a model on this machine and knows nothing about caching, accounting or async: the backends in
``causalbridge.llm.backends`` add those. Keeping the contract this small lets the transformers engine and the
llama.cpp engine be swapped under one backend and tested against the same expectations.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from causalbridge.errors import InputError
from causalbridge.llm.types import GenerationParams, Message


@dataclass(frozen=True)
class EngineOutput:
    """One generated reply: ``finish_reason`` is ``"stop"`` (end of turn or a stop sequence) or ``"length"``."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str


@runtime_checkable
class LocalEngine(Protocol):
    """A model that runs on this machine and answers batched chat prompts.

    ``max_context`` is the context window in tokens; ``has_logprobs`` says whether ``option_logprobs`` is exact
    (scored from the model's own token probabilities) rather than unavailable.
    """

    model_id: str
    max_context: int
    has_logprobs: bool

    def generate(self, prompts: Sequence[tuple[Message, ...]], params: GenerationParams) -> list[EngineOutput]:
        """One reply per prompt, in the order given."""
        ...

    def option_logprobs(self, prompt: tuple[Message, ...], options: Sequence[str]) -> tuple[list[float], int]:
        """Total log-probability of each option's tokens as the assistant's reply, and the input tokens read."""
        ...


def check_messages(prompt: tuple[Message, ...], where: str = "prompt") -> None:
    """Reject an empty chat or a role the chat templates cannot render, before any tokenizer sees it."""
    if not prompt:
        raise InputError("a prompt needs at least one message", where=where)
    for i, message in enumerate(prompt):
        if message.role not in ("system", "user", "assistant"):
            raise InputError(f"unknown role {message.role!r}", where=f"{where}[{i}]")
        if not isinstance(message.content, str):
            raise InputError("message content must be a string", where=f"{where}[{i}]")


def check_options(options: Sequence[str]) -> None:
    """An empty option would score log-probability 0 (certainty) and win every question; refuse it."""
    if isinstance(options, str):
        raise InputError("options must be a sequence of strings, not one string", where="options")
    if not options:
        raise InputError("at least one option is needed", where="options")
    for i, option in enumerate(options):
        if not isinstance(option, str) or not option:
            raise InputError("every option must be a non-empty string", where=f"options[{i}]")


def check_params(params: GenerationParams) -> None:
    if params.max_tokens < 1:
        raise InputError(f"max_tokens must be at least 1, got {params.max_tokens}", where="max_tokens")
    if params.temperature < 0:
        raise InputError(f"temperature must be >= 0, got {params.temperature}", where="temperature")
    if any(not isinstance(s, str) or not s for s in params.stop):
        raise InputError("stop sequences must be non-empty strings", where="stop")


def truncate_at_stop(text: str, stop: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` before the earliest stop sequence; the flag says whether one was found.

    The earliest *position* wins, not the first sequence in the list, so the result does not depend on the order
    in which the caller listed its stop sequences.
    """
    cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def row_seeds(prompts: Sequence[tuple[Message, ...]], seed: int) -> list[int]:
    """A sampling seed for each prompt that depends on the prompt, not on its position in the batch.

    Seeding by position would make a prompt's sample change when another prompt is added before it. Seeding by
    content alone would give identical samples to the k copies of one prompt that a sampling vote sends, so
    the n-th repeat of a prompt in a batch also mixes ``n`` into its seed.
    """
    seen: dict[str, int] = {}
    seeds: list[int] = []
    for prompt in prompts:
        key = json.dumps([[m.role, m.content] for m in prompt], ensure_ascii=False)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        digest = hashlib.sha256(f"{seed}\x00{occurrence}\x00{key}".encode()).digest()
        seeds.append(int.from_bytes(digest[:8], "big") & ((1 << 63) - 1))
    return seeds
