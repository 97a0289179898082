"""Model spec strings (``openai:gpt-4o-mini``, ``local:smollm2`` ...) and the one registry that builds backends.

Strings exist only at the CLI / config edge: :func:`parse_spec` turns one into a frozen :class:`ModelSpec` (or one
clear InputError), and :func:`make_backend` hands it to the factory registered for its kind with
:func:`register_backend`. Factories import their optional dependencies lazily, so a missing torch only matters to
someone who asks for ``hf:``. Every spec may end in ``?key=value&...`` options, checked against the options its
kind declares, e.g. ``simulated:asia?accuracy=0.8&seed=0`` or ``openai:gpt-4o-mini?concurrency=16``.
"""

from __future__ import annotations

import difflib
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from causalbridge.errors import InputError
from causalbridge.llm.cache import Cache, NullCache, SqliteCache
from causalbridge.llm.types import Backend

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A parsed spec: ``kind:target[#model][?options]``. ``model`` is set only for ``openai-compatible``."""

    kind: str
    target: str
    model: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    raw: str = ""

    def __str__(self) -> str:
        return self.raw or f"{self.kind}:{self.target}"

    @property
    def name(self) -> str:
        """The spec without its options: how backends and reports name the model."""
        return f"{self.kind}:{self.target}" + (f"#{self.model}" if self.model else "")

    def option(self, key: str) -> str | None:
        return dict(self.options).get(key)

    def get_int(self, key: str, default: int, minimum: int | None = None) -> int:
        raw = self.option(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InputError(f"option {key!r} must be an integer, got {raw!r}", where=f"model spec {self}") from None
        if minimum is not None and value < minimum:
            raise InputError(f"option {key!r} must be >= {minimum}, got {value}", where=f"model spec {self}")
        return value

    def get_float(self, key: str, default: float, low: float | None = None, high: float | None = None) -> float:
        raw = self.option(key)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"option {key!r} must be a number, got {raw!r}", where=f"model spec {self}") from None
        if (low is not None and value < low) or (high is not None and value > high) or value != value:
            raise InputError(f"option {key!r} must be in [{low}, {high}], got {raw}", where=f"model spec {self}")
        return value

    def get_bool(self, key: str, default: bool) -> bool:
        raw = self.option(key)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise InputError(f"option {key!r} must be true or false, got {raw!r}", where=f"model spec {self}")


Factory = Callable[[ModelSpec, Cache], Backend]
Check = Callable[[ModelSpec], str | None]


@dataclass(frozen=True, slots=True)
class BackendKind:
    """A registered kind: how to build it, which options it takes, and how to tell whether it can run here."""

    kind: str
    factory: Factory
    options: frozenset[str]
    example: str
    summary: str
    check: Check
    needs_model: bool = False


_REGISTRY: dict[str, BackendKind] = {}
_BUILTINS = "causalbridge.llm.backends.factories"


def register_backend(
    kind: str,
    *,
    example: str,
    summary: str,
    options: frozenset[str] | set[str] = frozenset(),
    check: Check | None = None,
    needs_model: bool = False,
) -> Callable[[Factory], Factory]:
    """Register ``factory(spec, cache) -> Backend`` for specs starting with ``kind:``.

    ``check(spec)`` returns None when the kind can run on this machine, else the reason it cannot (used by
    ``causalbridge models list``); ``needs_model`` marks the ``base_url#model`` form.
    """

    def decorate(factory: Factory) -> Factory:
        _REGISTRY[kind] = BackendKind(
            kind, factory, frozenset(options), example, summary, check or (lambda spec: None), needs_model
        )
        return factory

    return decorate


def registered_kinds() -> list[BackendKind]:
    """Every known kind, built-in ones first, in registration order."""
    importlib.import_module(_BUILTINS)
    return list(_REGISTRY.values())


def _kind(kind: str, where: str) -> BackendKind:
    importlib.import_module(_BUILTINS)
    if kind in _REGISTRY:
        return _REGISTRY[kind]
    close = difflib.get_close_matches(kind, list(_REGISTRY), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputError(f"unknown model kind {kind!r}{hint}; known kinds: {', '.join(_REGISTRY)}", where=where)


def parse_spec(text: str) -> ModelSpec:
    """Parse ``kind:target[?options]`` (``openai-compatible:<base_url>#<model>[?options]``) or raise InputError."""
    where = f"model spec {text!r}"
    spec_text = text.strip()
    kind_text, colon, rest = spec_text.partition(":")
    if not colon or not kind_text:
        known = ", ".join(k.example for k in registered_kinds())
        raise InputError(f"a model spec looks like KIND:TARGET, e.g. {known}", where=where)
    kind = _kind(kind_text.strip().lower(), where)
    model: str | None = None
    if kind.needs_model:
        base, hash_sign, model_part = rest.rpartition("#")
        if not hash_sign or not base:
            raise InputError(f"expected {kind.kind}:<base_url>#<model>, e.g. {kind.example}", where=where)
        model, _, query = model_part.partition("?")
        target = base
        if not model:
            raise InputError(f"the model name after '#' is empty; e.g. {kind.example}", where=where)
    else:
        target, _, query = rest.partition("?")
    if not target.strip():
        raise InputError(f"nothing after '{kind.kind}:'; e.g. {kind.example}", where=where)
    options = _parse_options(query, kind, where)
    return ModelSpec(kind.kind, target.strip(), model, options, spec_text)


def _parse_options(query: str, kind: BackendKind, where: str) -> tuple[tuple[str, str], ...]:
    if not query:
        return ()
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InputError(f"options must look like key=value&key=value, got {query!r}", where=where) from None
    keys = [key for key, _ in pairs]
    for key in keys:
        if key not in kind.options:
            allowed = ", ".join(sorted(kind.options)) or "none"
            raise InputError(f"unknown option {key!r} for {kind.kind}: (allowed: {allowed})", where=where)
        if keys.count(key) > 1:
            raise InputError(f"option {key!r} given twice", where=where)
    return tuple(sorted(pairs))


def resolve_cache(
    cache: Cache | None = None, cache_dir: str | os.PathLike[str] | None = None, no_cache: bool = False
) -> Cache:
    """The cache a backend should use: none with ``no_cache``, else ``cache``, else sqlite in ``cache_dir``."""
    if no_cache:
        return NullCache()
    if cache is not None:
        return cache
    return SqliteCache(cache_dir)


def make_backend(
    spec: str | ModelSpec,
    *,
    cache: Cache | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    no_cache: bool = False,
) -> Backend:
    """Build the backend a spec names (``--no-cache`` and ``--cache-dir`` map onto the keyword arguments)."""
    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    kind = _kind(parsed.kind, f"model spec {parsed}")
    return kind.factory(parsed, resolve_cache(cache, cache_dir, no_cache))


def availability(spec: str | ModelSpec) -> str | None:
    """None when ``spec`` can run on this machine, else why not (missing package, file or API key)."""
    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    return _kind(parsed.kind, f"model spec {parsed}").check(parsed)
