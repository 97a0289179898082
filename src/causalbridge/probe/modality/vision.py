"""Vision-language backends: a small protocol for "a prompt with a picture", and OpenAI-compatible servers.

The LLM layer's :class:`~causalbridge.llm.Backend` speaks text only (a :class:`~causalbridge.llm.Message` has
string content), so images enter through :class:`VisionBackend` here instead of through a change to that
layer. The OpenAI-compatible implementation reuses everything of the text backend -- transport, retries,
caching, usage, ``choose`` by log-probabilities or sampling -- by putting a marker naming the image's sha256
into the message text and expanding it into an ``image_url`` content part (a ``data:image/png;base64`` URL)
only when the request body is built. The marker makes the image part of every cache key, so a cached answer
is never reused for a different picture.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from causalbridge.errors import InputError
from causalbridge.llm.backends.openai_compat import OpenAIBackend, OpenAICompatBackend
from causalbridge.llm.base import Chat
from causalbridge.llm.cache import Cache
from causalbridge.llm.spec import ModelSpec, parse_spec, resolve_cache
from causalbridge.llm.types import Capabilities, Choice, GenerationParams, Message, Usage
from causalbridge.probe.modality.images import Image

_MARKER = re.compile(r"<<causalbridge-image sha256=([0-9a-f]{64})>>\n?")


@dataclass(frozen=True, slots=True)
class VisionPrompt:
    """Text with an optional picture (shown before the text) and an optional system message."""

    text: str
    image: Image | None = None
    system: str | None = None


@runtime_checkable
class VisionBackend(Protocol):
    """A model that answers questions about pictures: ``choose`` with an image, batched, with usage."""

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def usage(self) -> Usage: ...

    async def choose_vision(self, prompts: Sequence[VisionPrompt], options: Sequence[str]) -> list[Choice]:
        """A probability for each option given each prompt's picture and text."""
        ...


class _ImagesInBody:
    """Mixin for OpenAI-compatible backends: image markers in the text become ``image_url`` content parts."""

    _images: dict[str, str]

    def _register(self, prompt: VisionPrompt) -> Chat:
        messages = [Message("system", prompt.system)] if prompt.system else []
        text = prompt.text
        if prompt.image is not None:
            self._images[prompt.image.sha256] = prompt.image.data_url()
            text = f"<<causalbridge-image sha256={prompt.image.sha256}>>\n{text}"
        return (*messages, Message("user", text))

    def _expand(self, body: dict[str, Any]) -> dict[str, Any]:
        for message in body["messages"]:
            content = message["content"]
            if not isinstance(content, str) or not _MARKER.search(content):
                continue
            parts: list[dict[str, Any]] = []
            position = 0
            for match in _MARKER.finditer(content):
                if content[position : match.start()].strip():
                    parts.append({"type": "text", "text": content[position : match.start()]})
                url = self._images.get(match.group(1))
                if url is None:  # only reachable if a caller forges a marker
                    raise InputError("the prompt names an image this backend was never given", where="prompt")
                parts.append({"type": "image_url", "image_url": {"url": url}})
                position = match.end()
            if content[position:].strip():
                parts.append({"type": "text", "text": content[position:]})
            message["content"] = parts
        return body


class OpenAICompatVisionBackend(_ImagesInBody, OpenAICompatBackend):
    """Any OpenAI-compatible server with a vision model (vLLM, Ollama, LM Studio, llama.cpp server ...)."""

    def __init__(self, model: str, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)
        self._images = {}

    def _body(self, messages: Chat, params: GenerationParams) -> dict[str, Any]:
        return self._expand(super()._body(messages, params))

    async def choose_vision(self, prompts: Sequence[VisionPrompt], options: Sequence[str]) -> list[Choice]:
        return await self.choose([self._register(p) for p in prompts], options)


class OpenAIVisionBackend(_ImagesInBody, OpenAIBackend):
    """OpenAI's API with a vision model (``openai:gpt-4o-mini``)."""

    def __init__(self, model: str, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)
        self._images = {}

    def _body(self, messages: Chat, params: GenerationParams) -> dict[str, Any]:
        return self._expand(super()._body(messages, params))

    async def choose_vision(self, prompts: Sequence[VisionPrompt], options: Sequence[str]) -> list[Choice]:
        return await self.choose([self._register(p) for p in prompts], options)


def make_vision_backend(
    spec: str | ModelSpec, *, cache: Cache | None = None, cache_dir: str | None = None, no_cache: bool = False
) -> VisionBackend:
    """A vision backend from a spec: ``openai:<model>`` or ``openai-compatible:<base_url>#<model>``.

    Spec options (``?concurrency=4&logprobs=false`` ...) mean what they mean for the text backends.
    """
    from causalbridge.llm.backends import factories

    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    store = resolve_cache(cache, cache_dir, no_cache)
    if parsed.kind == "openai":
        key = os.environ.get(factories.OPENAI_KEY_ENV)
        if not key:
            raise InputError(f"set {factories.OPENAI_KEY_ENV} to use {parsed.name}", where="environment")
        from causalbridge.llm.pricing import price_for

        backend = factories._http_backend(  # the same spec options as the text backends
            parsed, store, OpenAIVisionBackend, model=parsed.target, api_key=key, price=price_for(parsed.target)
        )
    elif parsed.kind == "openai-compatible":
        assert parsed.model is not None
        backend = factories._http_backend(
            parsed,
            store,
            OpenAICompatVisionBackend,
            model=parsed.model,
            base_url=parsed.target,
            api_key=os.environ.get(factories.COMPAT_KEY_ENV) or None,
            max_context=parsed.get_int("max_context", 8192, minimum=1),
        )
    else:
        raise InputError(
            f"the modality probe needs a vision model behind an OpenAI-compatible API (openai:<model> or "
            f"openai-compatible:<base_url>#<model>), not {parsed.kind!r}",
            where=f"model spec {parsed}",
        )
    assert isinstance(backend, VisionBackend)
    return backend
