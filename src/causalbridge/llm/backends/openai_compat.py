"""OpenAI and every OpenAI-compatible server (vLLM, Ollama, llama.cpp server, LM Studio) over plain httpx.

Why httpx and not the ``openai`` SDK: the SDK retries on its own (with its own Retry-After rules and unseeded
jitter), hides malformed bodies behind its typed models, and changes between major versions. One POST to
``/chat/completions`` is all we need; doing it ourselves gives one retry policy for every server (ours, seeded,
tested against a real local server), exact control over timeouts, and the raw body when a server sends garbage.

``choose`` asks for one token with ``logprobs``/``top_logprobs`` and adds up the probability of the tokens that
begin each option. A server that returns no log-probabilities (or rejects the field) is remembered as such and
``choose`` falls back to sampling; a server that rejects ``response_format`` is likewise asked again without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from causalbridge.errors import InputError
from causalbridge.llm.base import BaseBackend, Chat, OptionScores, RawCompletion
from causalbridge.llm.cache import Cache
from causalbridge.llm.errors import BackendError
from causalbridge.llm.pricing import Price
from causalbridge.llm.retry import RetryPolicy, TransientError, is_retryable_status, parse_retry_after, retry_async
from causalbridge.llm.types import Capabilities, GenerationParams

OPENAI_URL = "https://api.openai.com/v1"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
_TOP_LOGPROBS = 20


@dataclass(slots=True)
class _Session:
    client: httpx.AsyncClient | None = None
    users: int = 0


class _Rejected(BackendError):
    """HTTP 400: the server refused the request as written (often an optional field it does not support)."""


def is_local_url(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() in _LOCAL_HOSTS


def public_url(url: str) -> str:
    """The URL without credentials, query or fragment: safe for cache keys, names and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def chat_url(base_url: str) -> str:
    """``{base_url}/chat/completions``, adding ``/v1`` when the base URL has no path at all."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"not an http(s) URL: {base_url!r}", where="base_url")
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/chat/completions", "", ""))


class OpenAICompatBackend(BaseBackend):
    """A chat-completions server. ``api_key`` is sent as a bearer token and kept nowhere else."""

    kind = "openai-compatible"

    def __init__(
        self,
        model: str,
        *,
        base_url: str = OPENAI_URL,
        api_key: str | None = None,
        name: str | None = None,
        cache: Cache | None = None,
        concurrency: int = 8,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        retry_seed: int = 0,
        logprobs: bool = True,
        json_schema: bool = True,
        max_context: int = 128_000,
        price: Price | None = None,
        choose_samples: int = 5,
        sample_temperature: float = 0.7,
        seed: int = 0,
    ) -> None:
        if not model:
            raise InputError("a model name is required", where="model")
        if timeout <= 0:
            raise InputError(f"timeout must be > 0, got {timeout}", where="timeout")
        self.url = chat_url(base_url)
        self.base_url = public_url(base_url)
        super().__init__(
            name=name or f"openai-compatible:{self.base_url}#{model}",
            model=model,
            capabilities=Capabilities(
                has_logprobs=logprobs,
                supports_json_schema=json_schema,
                max_context=max_context,
                is_local=is_local_url(base_url),
            ),
            cache=cache,
            concurrency=concurrency,
            price=price,
            choose_samples=choose_samples,
            sample_temperature=sample_temperature,
            seed=seed,
        )
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._rng = random.Random(retry_seed)
        self._headers = {"Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._has_key = bool(api_key)
        self._sessions: dict[asyncio.AbstractEventLoop, _Session] = {}
        self._ssl: ssl.SSLContext | None = None
        self.max_tokens_field = "max_tokens"

    def model_identity(self) -> str:
        return f"{self.base_url}#{self.model}"

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[None]:
        """Share one pooled client per event loop among overlapping calls; the last one out closes it.

        The client is made on the first request, so a call answered wholly from the cache opens nothing.
        """
        loop = asyncio.get_running_loop()
        session = self._sessions.setdefault(loop, _Session())
        session.users += 1
        try:
            yield
        finally:
            session.users -= 1
            if session.users == 0:
                del self._sessions[loop]
                if session.client is not None:
                    await session.client.aclose()

    def _client(self) -> httpx.AsyncClient:
        session = self._sessions[asyncio.get_running_loop()]
        if session.client is None:
            if self._ssl is None and self.url.startswith("https:"):
                self._ssl = httpx.create_ssl_context()  # loading CA certificates is slow: do it once
            limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
            session.client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                limits=limits,
                headers=self._headers,
                verify=self._ssl if self._ssl is not None else False,
            )
        return session.client

    # ----------------------------------------------------------------- transport
    async def _attempt(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client().post(self.url, json=body)
        except httpx.TimeoutException as error:
            raise TransientError(f"no answer within {self.timeout:g} s ({type(error).__name__})") from error
        except httpx.TransportError as error:
            raise TransientError(f"connection failed ({type(error).__name__}: {error})") from error
        status = response.status_code
        if status != 200:
            message = _error_message(response)
            if is_retryable_status(status):
                raise TransientError(
                    f"HTTP {status}: {message}", parse_retry_after(response.headers.get("retry-after"))
                )
            if status in (401, 403):
                hint = "" if self._has_key else "; set OPENAI_API_KEY (openai:) or CAUSALBRIDGE_API_KEY"
                raise BackendError(f"HTTP {status} (credentials refused): {message}{hint}", self.name)
            if status == 400:
                raise _Rejected(f"HTTP 400: {message}", self.name)
            raise BackendError(f"HTTP {status}: {message}", self.name)
        try:
            data = response.json()
            message = data["choices"][0]["message"]
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, IndexError, TypeError) as error:
            raise TransientError(
                f"malformed response body ({type(error).__name__}): {response.text[:120]!r}"
            ) from error
        if not isinstance(message, dict):
            raise TransientError(f"malformed response body (message is {type(message).__name__})")
        return data

    async def _post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """The parsed answer and how many retries it took. Failed attempts add no usage: they report none."""
        retries = 0

        def count(attempt: int, error: TransientError, delay: float) -> None:
            nonlocal retries
            retries += 1

        async def attempt() -> dict[str, Any]:
            return await self._attempt(body)

        data = await retry_async(
            attempt, self.retry, self._rng, describe="chat completion", backend=self.name, on_retry=count
        )
        return data, retries

    def _body(self, messages: Chat, params: GenerationParams) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            self.max_tokens_field: params.max_tokens,
            "temperature": params.temperature,
            "seed": params.seed,
        }
        if params.stop:
            body["stop"] = list(params.stop)
        return body

    # ----------------------------------------------------------------- primitives
    async def _generate(self, messages: Chat, params: GenerationParams) -> RawCompletion:
        body = self._body(messages, params)
        if params.json_schema and self.capabilities.supports_json_schema:
            schema = json.loads(params.json_schema)
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
        try:
            data, retries = await self._post(body)
        except _Rejected:
            if "response_format" not in body:
                raise
            self.capabilities = replace(self.capabilities, supports_json_schema=False)
            del body["response_format"]
            data, retries = await self._post(body)
        choice = data["choices"][0]
        message = choice["message"]
        prompt_tokens, completion_tokens = _usage(data)
        if message.get("refusal"):
            return RawCompletion(str(message["refusal"]), prompt_tokens, completion_tokens, "refusal", retries)
        text = message.get("content") or ""
        return RawCompletion(
            str(text), prompt_tokens, completion_tokens, choice.get("finish_reason") or "stop", retries
        )

    async def _score_options(self, messages: Chat, options: tuple[str, ...]) -> OptionScores | None:
        if not self.capabilities.has_logprobs:
            return None
        body = self._body(messages, GenerationParams(max_tokens=1, temperature=0.0))
        body.update(logprobs=True, top_logprobs=_TOP_LOGPROBS)
        try:
            data, retries = await self._post(body)
        except _Rejected:
            self.capabilities = replace(self.capabilities, has_logprobs=False)
            return None
        prompt_tokens, completion_tokens = _usage(data)
        tops = _first_token_top_logprobs(data)
        if tops is None:  # the server ignores logprobs: stop asking, sample instead
            self.capabilities = replace(self.capabilities, has_logprobs=False)
            return OptionScores(None, prompt_tokens, completion_tokens, retries)
        return OptionScores(option_logprobs(tops, options), prompt_tokens, completion_tokens, retries)


class OpenAIBackend(OpenAICompatBackend):
    """OpenAI's own API: ``openai:<model>``, with its price table entry and ``max_completion_tokens``."""

    kind = "openai"

    def __init__(self, model: str, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", OPENAI_URL)
        kwargs.setdefault("name", f"openai:{model}")
        super().__init__(model, **kwargs)
        self.max_tokens_field = "max_completion_tokens"


def option_logprobs(tops: list[tuple[str, float]], options: tuple[str, ...]) -> tuple[float | None, ...] | None:
    """Log of the total probability of the first tokens that begin each option; None if a token is ambiguous.

    A token counts for an option when the option (lower-cased, stripped) starts with it. A token that begins
    two options cannot tell them apart, so the question goes to sampling instead of guessing.
    """
    normed = [option.strip().lower() for option in options]
    mass = [0.0] * len(options)
    for token, logprob in tops:
        piece = token.strip().lower()
        if not piece:
            continue
        matches = [i for i, option in enumerate(normed) if option.startswith(piece)]
        if len(matches) > 1:
            return None
        if matches:
            mass[matches[0]] += math.exp(logprob)
    return tuple(math.log(m) if m > 0 else None for m in mass)


def _first_token_top_logprobs(data: dict[str, Any]) -> list[tuple[str, float]] | None:
    try:
        first = data["choices"][0]["logprobs"]["content"][0]
        entries = first.get("top_logprobs") or [first]
        return [(str(e["token"]), float(e["logprob"])) for e in entries]
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _usage(data: dict[str, Any]) -> tuple[int, int]:
    usage = data.get("usage") or {}
    try:
        return int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    except (TypeError, ValueError, AttributeError):
        return 0, 0


def _error_message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
        return str(error.get("message") if isinstance(error, dict) else error)[:300]
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return response.text[:300] or response.reason_phrase
