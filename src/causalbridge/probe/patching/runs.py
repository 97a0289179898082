"""The forward passes of a patching experiment, done with plain torch forward hooks.

Each pass registers its hooks, runs, and removes them in a ``finally``, so an exception (or a KeyboardInterrupt
in the middle of a long sweep) never leaves a model that silently patches every later forward pass. Patched
runs are batched: row ``r`` of a batch is the corrupted input with row ``r``'s own sites restored, which is why
the hooks index by row and the corrupted input is simply repeated along the batch dimension.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from causalbridge.errors import InputError
from causalbridge.probe.patching.corruption import EmbeddingNoise, PromptPair
from causalbridge.probe.patching.sites import DecoderLayout, Site, SiteKind, input_embeddings

SiteKey = tuple[SiteKind, int]
Hook = Callable[[nn.Module, Any, Any], Any]


def _main_tensor(output: Any) -> torch.Tensor:
    """The activation inside a module's output: decoder blocks and attention modules return tuples in some
    versions of transformers (hidden states first, then attention weights or caches), tensors in others."""
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, tuple) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    raise InputError(
        f"unsupported architecture: a patched module returned {type(output).__name__}, not a tensor or a tuple "
        "starting with one",
        where="model",
    )


def _with_main(output: Any, tensor: torch.Tensor) -> Any:
    return tensor if isinstance(output, torch.Tensor) else (tensor, *output[1:])


@contextmanager
def hooked(hooks: Sequence[tuple[nn.Module, Hook]]) -> Iterator[None]:
    """Register forward hooks for the duration of a ``with`` block, and always remove them."""
    handles = []
    try:
        for module, hook in hooks:
            handles.append(module.register_forward_hook(hook))
        yield
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def inference(model: nn.Module) -> Iterator[None]:
    """Evaluation mode (dropout off, so runs are deterministic) without gradients; the caller's mode is
    restored afterwards because the model belongs to the caller."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


class Runner:
    """Clean, corrupted and patched forward passes of one prompt pair on one model."""

    def __init__(self, model: nn.Module, layout: DecoderLayout, prompts: PromptPair) -> None:
        self.model = model
        self.layout = layout
        self.prompts = prompts
        parameter = next(model.parameters(), None)
        self.device = parameter.device if parameter is not None else torch.device("cpu")
        self._kwargs: dict[str, Any] = {"use_cache": False}
        # Only the final position is scored; asking for one position of logits spares a (batch, tokens, vocab)
        # projection that dominates memory for small models with large vocabularies.
        if "logits_to_keep" in inspect.signature(model.forward).parameters:
            self._kwargs["logits_to_keep"] = 1

    def _final_logits(self, ids: torch.Tensor) -> torch.Tensor:
        output = self.model(input_ids=ids.to(self.device), **self._kwargs)
        logits = getattr(output, "logits", None)
        if not isinstance(logits, torch.Tensor) or logits.ndim != 3:
            raise InputError("the model's output has no (batch, tokens, vocab) logits: is it a causal LM?", "model")
        return logits[:, -1, :]

    def _noise_hooks(self) -> list[tuple[nn.Module, Hook]]:
        noise = self.prompts.noise
        if noise is None:
            return []
        return [(input_embeddings(self.model), _noise_hook(noise, self.device))]

    def clean(self, keys: Sequence[SiteKey]) -> tuple[torch.Tensor, dict[SiteKey, torch.Tensor]]:
        """The clean run's final logits ``(1, vocab)`` and its activations ``(tokens, d)`` at ``keys``."""
        cache: dict[SiteKey, torch.Tensor] = {}

        def capture(key: SiteKey) -> Hook:
            def hook(module: nn.Module, args: Any, output: Any) -> None:
                hidden = _main_tensor(output)
                if hidden.ndim != 3 or hidden.shape[1] != self.prompts.n_tokens:
                    raise InputError(
                        f"unsupported architecture: {self.layout.hook_name(*key)} returned shape "
                        f"{tuple(hidden.shape)}, expected (batch, {self.prompts.n_tokens}, d_model)",
                        where=f"model {self.layout.architecture}",
                    )
                cache[key] = hidden[0].detach().clone()

            return hook

        hooks = [(self.layout.module(*key), capture(key)) for key in dict.fromkeys(keys)]
        with hooked(hooks):
            logits = self._final_logits(self.prompts.clean_ids)
        return logits, cache

    def patched(self, cache: dict[SiteKey, torch.Tensor], rows: Sequence[Sequence[Site]]) -> torch.Tensor:
        """Final logits ``(len(rows), vocab)`` of corrupted runs, row ``r`` with the sites ``rows[r]`` restored
        from ``cache`` (all of them at once: an empty row is the corrupted baseline)."""
        plan: dict[SiteKey, list[tuple[int, int | None]]] = defaultdict(list)
        for row, sites in enumerate(rows):
            for site in sites:
                plan[(site.kind, site.layer)].append((row, site.position))
        hooks = self._noise_hooks()
        hooks += [(self.layout.module(*key), _patch_hook(cache[key], assigned)) for key, assigned in plan.items()]
        ids = self.prompts.corrupted_ids.expand(len(rows), -1)
        with hooked(hooks):
            return self._final_logits(ids)


def _noise_hook(noise: EmbeddingNoise, device: torch.device) -> Hook:
    positions = torch.tensor(noise.positions, device=device)
    values = noise.values.to(device)

    def hook(module: nn.Module, args: Any, output: Any) -> Any:
        hidden = _main_tensor(output)
        noisy = hidden.clone()
        noisy[:, positions] += values.to(noisy.dtype)
        return _with_main(output, noisy)

    return hook


def _patch_hook(clean: torch.Tensor, assigned: list[tuple[int, int | None]]) -> Hook:
    """Overwrite, row by row, the corrupted activation with the clean one (one position, or all of them)."""
    device = clean.device
    rows_all = torch.tensor([row for row, position in assigned if position is None], dtype=torch.long, device=device)
    rows_one = torch.tensor([row for row, pos in assigned if pos is not None], dtype=torch.long, device=device)
    positions = torch.tensor([pos for _, pos in assigned if pos is not None], dtype=torch.long, device=device)

    def hook(module: nn.Module, args: Any, output: Any) -> Any:
        hidden = _main_tensor(output)
        patched = hidden.clone()
        source = clean.to(patched.dtype)
        if rows_all.numel():
            patched[rows_all] = source
        if rows_one.numel():
            patched[rows_one, positions] = source[positions]
        return _with_main(output, patched)

    return hook
