"""A small batched decoding loop with a key/value cache, greedy or sampled, with per-prompt random streams.

``model.generate`` draws every row's sample from one global random stream, so a prompt's sampled reply would
change with the other prompts in its batch and with their order. This loop samples each row with its own
``torch.Generator`` on the CPU (the same draws on any device), checks stop sequences on the decoded text, and
reports why each row ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from causalbridge.llm.engines.base import EngineOutput, truncate_at_stop
from causalbridge.llm.engines.chat import RenderedPrompt, strip_answer_prefix


@dataclass(frozen=True)
class DecodeRow:
    """One prompt to continue: its tokens, how it was rendered, its seed, its token budget and stop sequences."""

    prompt_ids: list[int]
    rendered: RenderedPrompt
    seed: int
    budget: int
    stops: tuple[str, ...]


@dataclass
class _RowState:
    """The mutable progress of one row inside a single :func:`decode_batch` call (never escapes it)."""

    tokens: list[int]
    text: str = ""
    finish: str | None = None
    ended_by_eos: bool = False


def decode_batch(
    model: Any,
    tokenizer: Any,
    rows: Sequence[DecodeRow],
    *,
    temperature: float,
    device: torch.device,
    pad_id: int,
    eos_ids: frozenset[int],
    cache_kwarg: str,
) -> list[EngineOutput]:
    """Continue every row until it emits an end-of-turn token, hits a stop sequence, or spends its budget.

    Rows are left-padded so the newest token of every row sits in the last column; position ids count only
    real tokens, so padding does not shift a row's positions. A finished row keeps being fed padding (dropping
    it from the cache would cost more than the few wasted columns) and its result is frozen.
    """
    width = max(len(r.prompt_ids) for r in rows)
    input_ids = torch.tensor(
        [[pad_id] * (width - len(r.prompt_ids)) + r.prompt_ids for r in rows], dtype=torch.long, device=device
    )
    mask = torch.tensor(
        [[0] * (width - len(r.prompt_ids)) + [1] * len(r.prompt_ids) for r in rows], dtype=torch.long, device=device
    )
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    generators = [torch.Generator().manual_seed(r.seed) for r in rows] if temperature > 0 else []
    states = [_RowState(tokens=[]) for _ in rows]

    out = model(input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
    for _ in range(max(r.budget for r in rows)):
        chosen = _pick(out.logits[:, -1, :], temperature, generators)
        for row, state, token in zip(rows, states, chosen, strict=True):
            if state.finish is None:
                _advance(row, state, token, tokenizer, eos_ids)
        if all(s.finish is not None for s in states):
            break
        feed = [token if s.finish is None else pad_id for s, token in zip(states, chosen, strict=True)]
        mask = torch.cat([mask, torch.ones((len(rows), 1), dtype=mask.dtype, device=device)], dim=1)
        positions = positions[:, -1:] + 1
        # The output field has the same name as the keyword: ``cache`` (transformers 5) or ``past_key_values``.
        cache = out.get(cache_kwarg)
        out = model(
            input_ids=torch.tensor(feed, dtype=torch.long, device=device)[:, None],
            attention_mask=mask,
            position_ids=positions,
            use_cache=True,
            logits_to_keep=1,
            **{cache_kwarg: cache},
        )
    return [_finish(row, state, tokenizer, len(row.prompt_ids)) for row, state in zip(rows, states, strict=True)]


def _pick(logits: torch.Tensor, temperature: float, generators: Sequence[torch.Generator]) -> list[int]:
    """Greedy (first maximum on ties) at temperature 0; otherwise one draw per row from its own generator."""
    if temperature <= 0:
        return [int(i) for i in logits.argmax(dim=-1).tolist()]
    probs = torch.softmax(logits.float() / temperature, dim=-1).cpu()
    return [int(torch.multinomial(p, 1, generator=g).item()) for p, g in zip(probs, generators, strict=True)]


def _advance(row: DecodeRow, state: _RowState, token: int, tokenizer: Any, eos_ids: frozenset[int]) -> None:
    state.tokens.append(token)
    if token in eos_ids:
        state.finish = "stop"
        state.ended_by_eos = True
        return
    if row.stops:
        state.text = _reply_text(row, state.tokens, tokenizer)
        if truncate_at_stop(state.text, row.stops)[1]:
            state.finish = "stop"
            return
    if len(state.tokens) >= row.budget:
        state.finish = "length"


def _reply_text(row: DecodeRow, tokens: list[int], tokenizer: Any) -> str:
    text = tokenizer.decode(tokens, skip_special_tokens=True)
    return strip_answer_prefix(str(text), row.rendered)


def _finish(row: DecodeRow, state: _RowState, tokenizer: Any, prompt_tokens: int) -> EngineOutput:
    """The reply text without the end-of-turn token or anything from a stop sequence on; every generated token
    (the end-of-turn one included: the model produced it) counts as a completion token."""
    kept = state.tokens[:-1] if state.ended_by_eos else state.tokens
    text, _ = truncate_at_stop(_reply_text(row, kept, tokenizer), row.stops)
    return EngineOutput(
        text=text,
        prompt_tokens=prompt_tokens,
        completion_tokens=len(state.tokens),
        finish_reason=state.finish or "length",
    )
