"""Scoring several candidate answers to one prompt in a single forward pass over one packed sequence.

The prompt is laid down once and the options follow it back to back; a custom attention mask lets each
option's tokens see the prompt and the earlier tokens of the *same* option only, and position ids restart at
the end of the prompt for each option. The model therefore computes exactly what it would for ``prompt +
option`` run separately (the test suite checks this against plain unbatched forward passes to 1e-4), while the
prompt is processed once instead of once per option.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch


def packed_layout(prompt_len: int, option_lengths: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Position ids and a boolean ``may_attend[query, key]`` matrix for the packed sequence.

    Segment 0 is the prompt; segment ``j + 1`` is option ``j``. A query attends to an earlier-or-equal key in
    the prompt or in its own segment: that is the causal mask each option would have had on its own.
    """
    segments = [0] * prompt_len
    positions = list(range(prompt_len))
    for j, length in enumerate(option_lengths):
        segments += [j + 1] * length
        positions += range(prompt_len, prompt_len + length)
    seg = torch.tensor(segments)
    index = torch.arange(len(segments))
    causal = index[None, :] <= index[:, None]
    same_or_prompt = (seg[None, :] == 0) | (seg[None, :] == seg[:, None])
    return torch.tensor(positions), causal & same_or_prompt


def packed_option_logprobs(
    model: Any, prompt_ids: Sequence[int], option_ids: Sequence[Sequence[int]], device: torch.device
) -> list[float]:
    """Sum of log p(option token | prompt, earlier option tokens) for each option, from one forward pass.

    Only the positions that predict an option token go through the language-model head (``logits_to_keep``
    with explicit indices): with a 49k-token vocabulary that head is a large share of a small model's work.
    """
    prompt_len = len(prompt_ids)
    lengths = [len(ids) for ids in option_ids]
    positions, may_attend = packed_layout(prompt_len, lengths)
    tokens = [*prompt_ids, *(t for ids in option_ids for t in ids)]
    dtype = next(model.parameters()).dtype
    # An additive float mask works for both the eager and the SDPA attention implementations.
    mask = torch.zeros(may_attend.shape, dtype=dtype).masked_fill(~may_attend, torch.finfo(dtype).min)

    predictors: list[int] = []  # position whose logits predict each option token
    targets: list[int] = []
    start = prompt_len
    for ids in option_ids:
        predictors += [prompt_len - 1, *range(start, start + len(ids) - 1)]
        targets += ids
        start += len(ids)

    out = model(
        input_ids=torch.tensor([tokens], dtype=torch.long, device=device),
        attention_mask=mask[None, None].to(device),
        position_ids=positions[None].to(device),
        use_cache=False,
        logits_to_keep=torch.tensor(predictors, dtype=torch.long, device=device),
    )
    logprobs = torch.log_softmax(out.logits[0].float(), dim=-1)
    picked = logprobs[torch.arange(len(targets), device=logprobs.device), torch.tensor(targets, device=device)]
    totals: list[float] = []
    offset = 0
    for length in lengths:
        totals.append(float(picked[offset : offset + length].sum().item()))
        offset += length
    return totals
