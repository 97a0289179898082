"""Local models through transformers: a checkpoint folder, a GGUF file (dequantized to float), or a cached hub id.

Loading is the slow part (about 15 s for the 135M embedded model on 2 cores), so each model is loaded once per
process and shared by every engine object that names it. Torch is imported at module level on purpose: this
module is only imported by :func:`causalbridge.llm.engines.load_transformers_engine`, which turns a missing
torch into a :class:`~causalbridge.errors.DependencyMissingError`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from causalbridge.errors import DependencyMissingError, InputError
from causalbridge.llm.engines.base import (
    EngineOutput,
    check_messages,
    check_options,
    check_params,
    row_seeds,
)
from causalbridge.llm.engines.chat import RenderedPrompt, render_with_hf_tokenizer
from causalbridge.llm.engines.decoding import DecodeRow, decode_batch
from causalbridge.llm.engines.resolve import ModelLocation, locate_model
from causalbridge.llm.engines.scoring import packed_option_logprobs
from causalbridge.llm.types import GenerationParams, Message

#: Prompts generated together; bounds memory and the padding wasted on prompts of different lengths.
GENERATION_BATCH = 16
_FALLBACK_CONTEXT = 2048


@dataclass(frozen=True)
class LoadedModel:
    """A model and tokenizer loaded once per process; ``lock`` serialises use because one forward pass already
    uses every core, and the tokenizer's truncation state is not thread-safe."""

    model: Any
    tokenizer: Any
    device: torch.device
    max_context: int
    eos_ids: frozenset[int]
    pad_id: int
    cache_kwarg: str
    lock: threading.Lock


_LOADED: dict[tuple[str, str], LoadedModel] = {}
_LOADED_LOCK = threading.Lock()


class TransformersEngine:
    """A :class:`~causalbridge.llm.engines.base.LocalEngine` over a transformers causal LM."""

    has_logprobs: bool = True

    def __init__(self, loaded: LoadedModel, model_id: str) -> None:
        self._loaded = loaded
        self.model_id = model_id
        self.max_context = loaded.max_context

    @property
    def model(self) -> Any:
        """The underlying ``PreTrainedModel``, for callers that need its internals (probing, patching)."""
        return self._loaded.model

    @property
    def tokenizer(self) -> Any:
        return self._loaded.tokenizer

    def render(self, prompt: tuple[Message, ...]) -> RenderedPrompt:
        """The exact text the model reads for ``prompt`` (chat template with the generation prompt)."""
        return render_with_hf_tokenizer(self._loaded.tokenizer, prompt)

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        ids = self._loaded.tokenizer(text, add_special_tokens=add_special_tokens)["input_ids"]
        return [int(i) for i in ids]

    def generate(self, prompts: Sequence[tuple[Message, ...]], params: GenerationParams) -> list[EngineOutput]:
        """Greedy at temperature 0, seeded sampling above it; see :mod:`causalbridge.llm.engines.decoding`.

        Prompts are sorted by length and generated in batches of :data:`GENERATION_BATCH` with left padding;
        the results come back in the order given. Each prompt's random stream depends on the seed and the prompt
        (:func:`~causalbridge.llm.engines.base.row_seeds`), not on the batch it happened to share.
        """
        check_params(params)
        for i, prompt in enumerate(prompts):
            check_messages(prompt, where=f"prompts[{i}]")
        rendered = [self.render(p) for p in prompts]
        token_ids = [self.encode(r.text, r.add_special_tokens) for r in rendered]
        for i, ids in enumerate(token_ids):
            if len(ids) >= self.max_context:
                raise InputError(
                    f"the prompt has {len(ids)} tokens; the model's context holds {self.max_context}",
                    where=f"prompts[{i}]",
                )
        seeds = row_seeds(prompts, params.seed)
        rows = [
            DecodeRow(
                prompt_ids=ids,
                rendered=r,
                seed=seed,
                budget=min(params.max_tokens, self.max_context - len(ids)),
                stops=(*params.stop, *r.extra_stops),
            )
            for ids, r, seed in zip(token_ids, rendered, seeds, strict=True)
        ]
        order = sorted(range(len(rows)), key=lambda i: (len(token_ids[i]), i))
        results: dict[int, EngineOutput] = {}
        loaded = self._loaded
        with loaded.lock, torch.inference_mode():
            for start in range(0, len(order), GENERATION_BATCH):
                chunk = order[start : start + GENERATION_BATCH]
                outputs = decode_batch(
                    loaded.model,
                    loaded.tokenizer,
                    [rows[i] for i in chunk],
                    temperature=params.temperature,
                    device=loaded.device,
                    pad_id=loaded.pad_id,
                    eos_ids=loaded.eos_ids,
                    cache_kwarg=loaded.cache_kwarg,
                )
                results.update(zip(chunk, outputs, strict=True))
        return [results[i] for i in range(len(rows))]

    def option_logprobs(self, prompt: tuple[Message, ...], options: Sequence[str]) -> tuple[list[float], int]:
        """Total log-probability of each option as the assistant's whole-token reply, in one forward pass.

        Tokenization: each option is tokenized *in context*, as part of ``prompt text + answer_prefix + option``,
        so it gets the tokens the model would have produced for that text (a leading space, for instance, is
        merged into the first word's token as in ordinary text). Only if that tokenization changes the prompt's
        own last tokens (a merge across the boundary) is the option tokenized on its own instead. Options are
        scored verbatim: after a chat template the reply starts right after the generation prompt, so pass
        ``"Yes"``, not ``" Yes"``; a leading space is kept and scored, and usually makes an option less likely.

        Multi-token options score the *sum* of their tokens' log-probabilities, so longer options are penalised;
        callers comparing options of very different lengths should keep that in mind. The end-of-turn token is
        not scored: ``"Yes"`` covers every reply that starts with ``Yes``.

        Returns the totals in the order of ``options`` and the number of input tokens the model read (the
        prompt once plus every option's tokens: they share one packed sequence).
        """
        check_messages(prompt)
        check_options(options)
        rendered = self.render(prompt)
        prompt_ids = self.encode(rendered.text, rendered.add_special_tokens)
        option_ids = [self._option_tokens(rendered, prompt_ids, option) for option in options]
        longest = len(prompt_ids) + max(len(ids) for ids in option_ids)
        if longest > self.max_context:
            raise InputError(
                f"prompt and option take {longest} tokens; the model's context holds {self.max_context}",
                where="prompt",
            )
        loaded = self._loaded
        with loaded.lock, torch.inference_mode():
            totals = packed_option_logprobs(loaded.model, prompt_ids, option_ids, loaded.device)
        return totals, len(prompt_ids) + sum(len(ids) for ids in option_ids)

    def _option_tokens(self, rendered: RenderedPrompt, prompt_ids: list[int], option: str) -> list[int]:
        joined = self.encode(rendered.text + rendered.answer_prefix + option, rendered.add_special_tokens)
        if len(joined) > len(prompt_ids) and joined[: len(prompt_ids)] == prompt_ids:
            return joined[len(prompt_ids) :]
        return self.encode(rendered.answer_prefix + option, add_special_tokens=False)


def load_transformers_engine(
    path_or_id: str | os.PathLike[str],
    device: str = "cpu",
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> TransformersEngine:
    """Load (once per process) a local model: a checkpoint folder, a ``.gguf`` file, or a hub id in the cache.

    ``local_files_only`` is always on, so this works with no network and never downloads; ``cache_dir``
    overrides the Hugging Face cache for id look-ups. Float32 on CPU (exact, and as fast as anything else
    there); bfloat16 or float16 on a GPU.
    """
    location = locate_model(path_or_id, cache_dir=cache_dir)
    torch_device = _parse_device(device)
    key = (location.key, str(torch_device))
    with _LOADED_LOCK:
        loaded = _LOADED.get(key)
        if loaded is None:
            loaded = _load(location, torch_device)
            _LOADED[key] = loaded
    return TransformersEngine(loaded, location.model_id)


def _parse_device(device: str) -> torch.device:
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise InputError(f"not a torch device: {device!r}", where="device") from exc
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise InputError("CUDA was asked for but torch sees no GPU here", where="device")
    if parsed.type == "mps" and not torch.backends.mps.is_available():
        raise InputError("MPS was asked for but is not available here", where="device")
    return parsed


def _load(location: ModelLocation, device: torch.device) -> LoadedModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if location.gguf_file and importlib.util.find_spec("gguf") is None:
        raise DependencyMissingError("gguf", "loading GGUF files through transformers", "local")

    dtype = torch.float32
    if device.type == "cuda":
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    where = f"model {location.model_id!r}"
    kwargs: dict[str, Any] = {"local_files_only": True}
    if location.gguf_file:
        kwargs["gguf_file"] = location.gguf_file
    # GGUF dequantization draws a progress bar on stderr that cannot be switched off; it is noise in a CLI.
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            tokenizer: Any = AutoTokenizer.from_pretrained(str(location.directory), **kwargs)
            model: Any = AutoModelForCausalLM.from_pretrained(str(location.directory), dtype=dtype, **kwargs)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise InputError(f"transformers could not load it: {exc}", where=where) from exc
    if "logits_to_keep" not in inspect.signature(model.forward).parameters:
        raise DependencyMissingError("transformers>=4.50", "the transformers engine (it scores with logits_to_keep)")
    model.to(device)
    model.eval()
    eos_ids = _eos_ids(model, tokenizer)
    pad_id = tokenizer.pad_token_id
    if pad_id is None:
        pad_id = min(eos_ids) if eos_ids else 0
    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        device=device,
        max_context=_max_context(model, tokenizer),
        eos_ids=eos_ids,
        pad_id=int(pad_id),
        cache_kwarg=_cache_kwarg(model),
        lock=threading.Lock(),
    )


def _eos_ids(model: Any, tokenizer: Any) -> frozenset[int]:
    """Every token that ends the assistant's turn: the generation config may list several (Llama 3 does)."""
    ids: set[int] = set()
    for source in (getattr(model.generation_config, "eos_token_id", None), tokenizer.eos_token_id):
        if isinstance(source, int):
            ids.add(source)
        elif isinstance(source, list | tuple):
            ids.update(int(i) for i in source)
    return frozenset(ids)


def _max_context(model: Any, tokenizer: Any) -> int:
    configured = getattr(model.config, "max_position_embeddings", None)
    if isinstance(configured, int) and configured > 0:
        return configured
    declared = getattr(tokenizer, "model_max_length", None)
    # Tokenizers without a limit report a huge sentinel (1e30), which is no context size.
    if isinstance(declared, int) and 0 < declared < 10_000_000:
        return declared
    return _FALLBACK_CONTEXT


def _cache_kwarg(model: Any) -> str:
    """transformers 5 renamed ``past_key_values`` to ``cache`` (the old name still works, with a warning)."""
    parameters = inspect.signature(model.forward).parameters
    return "cache" if "cache" in parameters else "past_key_values"
