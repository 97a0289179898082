"""Corruptions: how the corrupted run differs from the clean one.

Two designs from the literature. A counterfactual prompt (Vig et al. 2020) swaps the subject for another of
the same token length, so every position of the two runs lines up and the effect of a site is a comparison of
two meaningful inputs. Gaussian noise on the subject's token embeddings (Meng et al. 2022, "causal tracing")
needs no second prompt: it destroys what the model knows about the subject while leaving the rest intact.
The noise here is drawn once from a seeded generator and applied identically to every corrupted run, so the
corrupted baseline is one fixed number and repeated sweeps give identical results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from causalbridge.errors import InputError
from causalbridge.probe.patching.sites import input_embeddings


@dataclass(frozen=True)
class CounterfactualPrompt:
    """A second prompt with the same number of tokens as the clean one (a plain string means this)."""

    prompt: str

    def describe(self) -> str:
        return f"counterfactual prompt {self.prompt!r}"


@dataclass(frozen=True)
class SubjectNoise:
    """Gaussian noise added to the token embeddings of ``subject`` (a substring of the clean prompt).

    ``scale`` is the noise's standard deviation; when None it is ``multiplier`` times the standard deviation
    of the model's embedding matrix (3x, as in causal tracing, which makes the subject unrecognisable).
    """

    subject: str
    seed: int = 0
    scale: float | None = None
    multiplier: float = 3.0

    def __post_init__(self) -> None:
        if not self.subject.strip():
            raise InputError("the subject must be a non-empty substring of the prompt", where="SubjectNoise.subject")
        if self.scale is not None and not self.scale > 0:
            raise InputError(f"the noise scale must be positive, not {self.scale}", where="SubjectNoise.scale")
        if not self.multiplier > 0:
            raise InputError(f"the multiplier must be positive, not {self.multiplier}", where="SubjectNoise.multiplier")

    def describe(self) -> str:
        size = f"sd {self.scale:g}" if self.scale is not None else f"{self.multiplier:g} x sd(embeddings)"
        return f"Gaussian noise ({size}, seed {self.seed}) on the embeddings of {self.subject!r}"


Corruption = CounterfactualPrompt | SubjectNoise


@dataclass(frozen=True)
class EmbeddingNoise:
    """The resolved noise: which token positions it covers and the ``(len(positions), d_model)`` values."""

    positions: tuple[int, ...]
    values: torch.Tensor


@dataclass(frozen=True)
class PromptPair:
    """Everything a sweep needs about its inputs, tokenised and checked once."""

    clean_ids: torch.Tensor  # (1, n_tokens)
    corrupted_ids: torch.Tensor  # (1, n_tokens); equal to clean_ids under subject noise
    tokens: tuple[str, ...]
    corrupted_tokens: tuple[str, ...]
    noise: EmbeddingNoise | None
    description: str

    @property
    def n_tokens(self) -> int:
        return int(self.clean_ids.shape[1])


def _token_ids(tokenizer: Any, text: str, where: str) -> list[int]:
    if not isinstance(text, str) or not text:
        raise InputError(f"expected a non-empty prompt string, got {text!r}", where=where)
    ids = [int(token) for token in tokenizer(text)["input_ids"]]
    if not ids:
        raise InputError("the prompt tokenises to no tokens", where=where)
    return ids


def _decode_each(tokenizer: Any, ids: list[int]) -> tuple[str, ...]:
    return tuple(str(tokenizer.decode([token])) for token in ids)


def subject_positions(tokenizer: Any, prompt: str, subject: str) -> tuple[int, ...]:
    """The token positions that cover the first occurrence of ``subject`` in ``prompt``.

    Character offsets from a fast tokenizer are used when available; otherwise the prompt is decoded one
    token prefix at a time, which gives the same spans for tokenizers that round-trip their input.
    """
    start = prompt.find(subject)
    if start < 0:
        raise InputError(f"the subject does not occur in the prompt {prompt!r}", where=f"subject {subject!r}")
    end = start + len(subject)
    ids = _token_ids(tokenizer, prompt, "clean prompt")
    spans: list[tuple[int, int]]
    try:
        encoded = tokenizer(prompt, return_offsets_mapping=True)
        spans = [(int(a), int(b)) for a, b in encoded["offset_mapping"]]
    except (NotImplementedError, KeyError, TypeError, ValueError):
        spans = []
        previous = 0
        for count in range(1, len(ids) + 1):
            length = len(tokenizer.decode(ids[:count], skip_special_tokens=True))
            spans.append((previous, length))
            previous = length
    positions = tuple(i for i, (a, b) in enumerate(spans) if a < end and b > start and a != b)
    if not positions:
        raise InputError(f"no token of the prompt covers the subject (offsets {spans})", where=f"subject {subject!r}")
    return positions


def prepare_prompts(model: nn.Module, tokenizer: Any, clean: str, corrupted: str | Corruption) -> PromptPair:
    """Tokenise the clean prompt and build the corrupted input, refusing pairs that cannot be patched."""
    clean_ids = _token_ids(tokenizer, clean, "clean prompt")
    tokens = _decode_each(tokenizer, clean_ids)
    if isinstance(corrupted, str):
        corrupted = CounterfactualPrompt(corrupted)
    if isinstance(corrupted, CounterfactualPrompt):
        other_ids = _token_ids(tokenizer, corrupted.prompt, "corrupted prompt")
        if len(other_ids) != len(clean_ids):
            raise InputError(
                f"the counterfactual prompt has {len(other_ids)} tokens but the clean prompt has {len(clean_ids)}; "
                "patching restores activations position by position, so both must have the same token length "
                f"(clean: {list(tokens)!r}; corrupted: {list(_decode_each(tokenizer, other_ids))!r})",
                where="corrupted prompt",
            )
        return PromptPair(
            torch.tensor([clean_ids]),
            torch.tensor([other_ids]),
            tokens,
            _decode_each(tokenizer, other_ids),
            None,
            corrupted.describe(),
        )
    if isinstance(corrupted, SubjectNoise):
        positions = subject_positions(tokenizer, clean, corrupted.subject)
        embeddings = input_embeddings(model)
        weight = getattr(embeddings, "weight", None)
        if not isinstance(weight, torch.Tensor):
            raise InputError("the model's input embeddings have no weight matrix", where="SubjectNoise")
        spread = float(weight.detach().float().std())
        scale = corrupted.scale if corrupted.scale is not None else corrupted.multiplier * spread
        generator = torch.Generator().manual_seed(corrupted.seed)
        values = torch.randn((len(positions), weight.shape[1]), generator=generator, dtype=torch.float64) * scale
        return PromptPair(
            torch.tensor([clean_ids]),
            torch.tensor([clean_ids]),
            tokens,
            tokens,
            EmbeddingNoise(positions, values.to(weight.dtype)),
            corrupted.describe() + f" (token positions {list(positions)}, sd {scale:.4g})",
        )
    raise InputError(
        f"corrupted must be a prompt string, CounterfactualPrompt or SubjectNoise, not {type(corrupted).__name__}",
        where="corrupted",
    )
