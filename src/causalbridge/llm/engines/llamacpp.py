"""GGUF models through llama-cpp-python: quantized inference, much faster on CPU than dequantized transformers.

llama-cpp-python is an optional extra compiled at install time (6-8 minutes on 2 cores, with
``CMAKE_ARGS="-DGGML_NATIVE=OFF"``; see DEVELOPERS.md), so it is imported only when this engine is loaded.
The prompt is rendered with the GGUF file's own chat template and tokenized here, and the token ids are handed
to llama.cpp, so generation and option scoring read exactly the same tokens.
"""

from __future__ import annotations

import atexit
import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from causalbridge.errors import DependencyMissingError, InputError
from causalbridge.llm.engines.base import (
    EngineOutput,
    check_messages,
    check_options,
    check_params,
    row_seeds,
    truncate_at_stop,
)
from causalbridge.llm.engines.chat import RenderedPrompt, render_plain, strip_answer_prefix
from causalbridge.llm.types import GenerationParams, Message

_LOADED: dict[tuple[str, int, int, int | None], tuple[Any, threading.Lock]] = {}
_LOADED_LOCK = threading.Lock()


@atexit.register
def _close_all() -> None:
    """Free the models before interpreter teardown: llama-cpp-python's own finaliser fails once its ctypes
    bindings are gone and prints a traceback at every exit otherwise."""
    with _LOADED_LOCK:
        for llm, _ in _LOADED.values():
            llm.close()
        _LOADED.clear()


class LlamaCppEngine:
    """A :class:`~causalbridge.llm.engines.base.LocalEngine` over ``llama_cpp.Llama`` (built with all logits)."""

    has_logprobs: bool = True

    def __init__(self, llm: Any, lock: threading.Lock, model_id: str) -> None:
        self._llm = llm
        self._lock = lock
        self.model_id = model_id
        self.max_context = int(llm.n_ctx())
        template = llm.metadata.get("tokenizer.chat_template")
        self._formatter = _formatter(llm, template) if template else None

    def render(self, prompt: tuple[Message, ...]) -> RenderedPrompt:
        """The GGUF file's chat template with the generation prompt, or the plain transcript without one."""
        if self._formatter is None:
            return render_plain(prompt)
        chat = [{"role": m.role, "content": m.content} for m in prompt]
        text = str(self._formatter(messages=chat).prompt)
        return RenderedPrompt(text=text, answer_prefix="", extra_stops=(), add_special_tokens=False)

    def encode(self, text: str, add_special_tokens: bool) -> list[int]:
        # special=True: the template's control tokens (<|im_start|>) must become single tokens, not text.
        return [int(t) for t in self._llm.tokenize(text.encode("utf-8"), add_bos=add_special_tokens, special=True)]

    def generate(self, prompts: Sequence[tuple[Message, ...]], params: GenerationParams) -> list[EngineOutput]:
        """One prompt at a time, each from an empty cache so the reply does not depend on earlier prompts.

        Sampling is plain temperature sampling (top-k, top-p and min-p switched off) to match the transformers
        engine; each prompt's seed comes from :func:`~causalbridge.llm.engines.base.row_seeds`. llama.cpp does
        not count the end-of-turn token as a completion token.
        """
        check_params(params)
        for i, prompt in enumerate(prompts):
            check_messages(prompt, where=f"prompts[{i}]")
        outputs: list[EngineOutput] = []
        seeds = row_seeds(prompts, params.seed)
        with self._lock:
            for i, (prompt, seed) in enumerate(zip(prompts, seeds, strict=True)):
                outputs.append(self._generate_one(prompt, params, seed, where=f"prompts[{i}]"))
        return outputs

    def _generate_one(
        self, prompt: tuple[Message, ...], params: GenerationParams, seed: int, where: str
    ) -> EngineOutput:
        rendered = self.render(prompt)
        tokens = self.encode(rendered.text, rendered.add_special_tokens)
        if len(tokens) >= self.max_context:
            raise InputError(f"the prompt has {len(tokens)} tokens; the context holds {self.max_context}", where=where)
        stops = [*params.stop, *rendered.extra_stops]
        self._llm.reset()  # see _eval_prompt: no prefix reuse, for replies that do not depend on history
        result = self._llm.create_completion(
            tokens,
            max_tokens=min(params.max_tokens, self.max_context - len(tokens)),
            temperature=params.temperature,
            top_k=0,
            top_p=1.0,
            min_p=0.0,
            repeat_penalty=1.0,
            seed=seed & 0xFFFFFFFF,
            stop=stops,
        )
        choice = result["choices"][0]
        text, _ = truncate_at_stop(strip_answer_prefix(str(choice["text"]), rendered), stops)
        usage = result["usage"]
        return EngineOutput(
            text=text,
            prompt_tokens=int(usage["prompt_tokens"]),
            completion_tokens=int(usage["completion_tokens"]),
            finish_reason=str(choice["finish_reason"] or "length"),
        )

    def option_logprobs(self, prompt: tuple[Message, ...], options: Sequence[str]) -> tuple[list[float], int]:
        """Total log-probability of each option as the assistant's reply (tokenized in context, as in the
        transformers engine). The prompt is evaluated once; each option is then evaluated on top of the
        prompt's key/value cache, rewinding to the end of the prompt between options."""
        check_messages(prompt)
        check_options(options)
        rendered = self.render(prompt)
        prompt_ids = self.encode(rendered.text, rendered.add_special_tokens)
        option_ids = [self._option_tokens(rendered, prompt_ids, option) for option in options]
        longest = len(prompt_ids) + max(len(ids) for ids in option_ids)
        if longest > self.max_context:
            raise InputError(f"prompt and option take {longest} tokens; the context holds {self.max_context}")
        with self._lock:
            self._eval_prompt(prompt_ids)
            totals = [self._score_option(len(prompt_ids), ids) for ids in option_ids]
        return totals, len(prompt_ids) + sum(len(ids) for ids in option_ids)

    def _option_tokens(self, rendered: RenderedPrompt, prompt_ids: list[int], option: str) -> list[int]:
        joined = self.encode(rendered.text + rendered.answer_prefix + option, rendered.add_special_tokens)
        if len(joined) > len(prompt_ids) and joined[: len(prompt_ids)] == prompt_ids:
            return joined[len(prompt_ids) :]
        return self.encode(rendered.answer_prefix + option, add_special_tokens=False)

    def _eval_prompt(self, prompt_ids: list[int]) -> None:
        """Evaluate the prompt from scratch. Reusing a cached prefix would be faster, but llama.cpp's quantized
        kernels give slightly different logits for a token evaluated alone than inside a batch, so an answer
        would depend on what was asked before it."""
        self._llm.reset()
        self._llm.eval(prompt_ids)

    def _score_option(self, prompt_len: int, ids: list[int]) -> float:
        import numpy as np

        llm = self._llm
        llm.n_tokens = prompt_len  # eval() drops the cache past n_tokens, so this rewinds to the prompt's end
        llm.eval(ids)
        logits = np.asarray(llm.scores[prompt_len - 1 : prompt_len - 1 + len(ids)], dtype=np.float64)
        peak = logits.max(axis=1, keepdims=True)
        log_norm = peak[:, 0] + np.log(np.exp(logits - peak).sum(axis=1))
        total = float(sum(logits[i, t] - log_norm[i] for i, t in enumerate(ids)))
        return total if math.isfinite(total) else -math.inf


def _formatter(llm: Any, template: str) -> Any:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    def token_text(token_id: int) -> str:
        if token_id < 0:
            return ""
        return bytes(llm.detokenize([token_id], special=True)).decode("utf-8", errors="ignore")

    return Jinja2ChatFormatter(
        template=template,
        eos_token=token_text(int(llm.token_eos())),
        bos_token=token_text(int(llm.token_bos())),
        add_generation_prompt=True,
    )


def load_llamacpp_engine(
    path: str | os.PathLike[str], *, n_ctx: int = 2048, seed: int = 0, n_threads: int | None = None
) -> LlamaCppEngine:
    """Load a GGUF file once per process. ``logits_all`` is on so options can be scored; it costs
    ``n_ctx x vocabulary`` floats of memory (400 MB for the embedded model at the default ``n_ctx``)."""
    file = Path(os.fspath(path)).expanduser()
    where = f"model {os.fspath(path)!r}"
    if not file.is_file():
        raise InputError("no such file", where=where)
    if file.suffix.lower() != ".gguf":
        raise InputError("llama.cpp reads .gguf files only", where=where)
    if n_ctx < 16:
        raise InputError(f"n_ctx must be at least 16, got {n_ctx}", where="n_ctx")
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        feature = 'the llama.cpp engine (build it with CMAKE_ARGS="-DGGML_NATIVE=OFF"; see DEVELOPERS.md)'
        raise DependencyMissingError("llama-cpp-python", feature) from exc
    key = (str(file.resolve()), n_ctx, seed, n_threads)
    with _LOADED_LOCK:
        if key not in _LOADED:
            try:
                llm = Llama(
                    model_path=str(file), n_ctx=n_ctx, seed=seed, logits_all=True, n_threads=n_threads, verbose=False
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise InputError(f"llama.cpp could not load it: {exc}", where=where) from exc
            _LOADED[key] = (llm, threading.Lock())
        llm, lock = _LOADED[key]
    return LlamaCppEngine(llm, lock, file.name)
