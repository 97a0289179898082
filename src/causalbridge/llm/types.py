"""The one protocol every LLM backend implements, and the value types that cross it.

Every feature of causalbridge talks to language models only through :class:`Backend`. A backend declares what it
can do in :class:`Capabilities`; the three operations are batched (a list of prompts in, a list of results out)
and come in async form; ``causalbridge.llm.run_sync`` drives them from synchronous code.

A prompt is text, a chat, or a :class:`Query`: text plus the machine-readable :class:`CausalClaim` it asks about.
Language models and caches only ever see the rendered text (:func:`as_messages`); the simulated expert only ever
reads the claim (:func:`claim_of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

from causalbridge.errors import InputError
from causalbridge.llm.claims import CausalClaim

Role = Literal["system", "user", "assistant"]


_ROLES = ("system", "user", "assistant")


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str

    def __post_init__(self) -> None:
        if self.role not in _ROLES:
            raise InputError(f"role must be one of {_ROLES}, got {self.role!r}", where="Message.role")


@dataclass(frozen=True, slots=True)
class Query:
    """A prompt plus what it means: ``about`` is read by the simulated expert and by scorers, never by a model.

    ``content`` is plain text (one user message) or a full chat. Two queries with the same content are the same
    request to a language model and share a cache entry, whatever their ``about``.
    """

    content: str | tuple[Message, ...]
    about: CausalClaim | None = None


#: A prompt is plain text (sent as one user message), a full chat, or a :class:`Query`.
Prompt = str | tuple[Message, ...] | Query


def as_messages(prompt: Prompt) -> tuple[Message, ...]:
    """The chat a language model sees for ``prompt``."""
    content = prompt.content if isinstance(prompt, Query) else prompt
    if isinstance(content, str):
        return (Message("user", content),)
    if not content:
        raise InputError("a chat prompt needs at least one message", where="prompt")
    return tuple(content)


def claim_of(prompt: Prompt) -> CausalClaim | None:
    """The causal claim a prompt carries, if it is a :class:`Query` with one."""
    return prompt.about if isinstance(prompt, Query) else None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do; features pick their strategy from these, never from the backend's class."""

    has_logprobs: bool
    """``choose`` scores options by token log-probabilities in one forward pass (no sampling)."""
    supports_json_schema: bool
    """The server can constrain output to a JSON schema."""
    max_context: int
    """Context window in tokens."""
    is_local: bool
    """Runs on this machine; no data leaves it."""
    is_simulation: bool = False
    """Answers come from a simulated expert, not a language model; every output must say so."""


@dataclass(frozen=True, slots=True)
class Usage:
    """Accounting for one call or a sum of calls.

    ``queries`` counts questions asked (one per prompt per operation, cached or not). ``requests`` counts calls
    that reached the model (sampling k times or re-asking for valid JSON makes several) and ``cache_hits`` the
    calls answered from the cache instead; tokens and cost count only what the model really processed.
    ``retries`` counts transport-level retries (429, 5xx, timeouts), whose failed attempts add no tokens.
    ``wall_seconds`` is elapsed time: a batch's time is shared equally among its results.
    """

    queries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    wall_seconds: float = 0.0
    cost_usd: float | None = None
    requests: int = 0
    retries: int = 0

    def __add__(self, other: Usage) -> Usage:
        cost: float | None
        if self.cost_usd is None and other.cost_usd is None:
            cost = None
        else:
            cost = (self.cost_usd or 0.0) + (other.cost_usd or 0.0)
        return Usage(
            queries=self.queries + other.queries,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cache_hits=self.cache_hits + other.cache_hits,
            wall_seconds=self.wall_seconds + other.wall_seconds,
            cost_usd=cost,
            requests=self.requests + other.requests,
            retries=self.retries + other.retries,
        )

    @staticmethod
    def total(usages: Iterable[Usage]) -> Usage:
        """The sum of many usages (an empty sum is zero)."""
        result = Usage()
        for usage in usages:
            result = result + usage
        return result

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def summary(self) -> str:
        """One line for reports and the CLI, e.g. ``3 queries · 120+9 tokens · 1 cache hit · 0.41 s · $0.0001``."""
        cost = "cost n/a" if self.cost_usd is None else f"${self.cost_usd:.4f}"
        parts = [
            f"{self.queries} quer{'y' if self.queries == 1 else 'ies'}",
            f"{self.requests} request{'' if self.requests == 1 else 's'}",
            f"{self.prompt_tokens}+{self.completion_tokens} tokens",
            f"{self.cache_hits} cache hit{'' if self.cache_hits == 1 else 's'}",
        ]
        if self.retries:
            parts.append(f"{self.retries} retr{'y' if self.retries == 1 else 'ies'}")
        return " · ".join([*parts, f"{self.wall_seconds:.2f} s", cost])

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "queries": self.queries,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cache_hits": self.cache_hits,
            "requests": self.requests,
            "retries": self.retries,
            "wall_seconds": round(self.wall_seconds, 6),
            "cost_usd": self.cost_usd,
        }


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    usage: Usage
    finish_reason: str = "stop"


@dataclass(frozen=True, slots=True)
class Choice:
    """The probability a backend gives each option, in the order the options were passed.

    ``method`` is ``"logprobs"`` (normalised option likelihoods), ``"sampling"`` (vote shares over the readable
    ones of ``samples`` draws; ``abstentions`` draws could not be read) or ``"simulated"``. ``abstained`` is True
    when no option could be read at all; the probabilities are then uniform and must not be read as evidence.
    """

    options: tuple[str, ...]
    probs: tuple[float, ...]
    usage: Usage
    method: Literal["logprobs", "sampling", "simulated"] = "logprobs"
    samples: int = 0
    abstained: bool = False
    abstentions: int = 0

    @property
    def best(self) -> str:
        return self.options[max(range(len(self.probs)), key=self.probs.__getitem__)]

    def prob(self, option: str) -> float:
        return self.probs[self.options.index(option)]

    def as_dict(self) -> Mapping[str, float]:
        return dict(zip(self.options, self.probs, strict=True))


T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Structured(Generic[T]):
    """A validated object, or an abstention (``value is None``) after the retries ran out, with the reason."""

    value: T | None
    usage: Usage
    attempts: int = 1
    error: str | None = None

    @property
    def abstained(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class GenerationParams:
    """How to generate. ``seed`` matters (and enters cache keys) only when ``temperature > 0``.

    ``json_schema`` (a JSON schema as text) asks for output in that shape: servers that support it constrain
    decoding; other backends rely on the instruction in the prompt.
    """

    max_tokens: int = 256
    temperature: float = 0.0
    seed: int = 0
    stop: tuple[str, ...] = ()
    json_schema: str | None = None

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise InputError(f"max_tokens must be >= 1, got {self.max_tokens}", where="GenerationParams")
        if not 0.0 <= self.temperature <= 5.0:
            raise InputError(f"temperature must be in [0, 5], got {self.temperature}", where="GenerationParams")


DEFAULT_PARAMS = GenerationParams()


@runtime_checkable
class Backend(Protocol):
    """A language model (or simulated expert) that causalbridge can ask questions.

    ``name`` is the spec it was built from (``"local:smollm2"``) and appears in reports; a simulated expert's
    name contains ``"simulated"``. Every operation takes a batch and returns one result per prompt, in order.
    """

    @property
    def name(self) -> str: ...

    @property
    def capabilities(self) -> Capabilities: ...

    async def complete(self, prompts: Sequence[Prompt], params: GenerationParams = ...) -> list[Completion]:
        """Free text for each prompt."""
        ...

    async def choose(self, prompts: Sequence[Prompt], options: Sequence[str]) -> list[Choice]:
        """A probability for each option (the same options for every prompt of the batch)."""
        ...

    async def structured(self, prompts: Sequence[Prompt], schema: type[T], retries: int = 2) -> list[Structured[T]]:
        """A validated ``schema`` object for each prompt, or an abstention with the reason; never raises for bad
        model output (transport failures after all retries still raise BackendError)."""
        ...

    @property
    def usage(self) -> Usage:
        """Everything this backend instance has used so far."""
        ...
