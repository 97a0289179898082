"""Loaders for public causal-reasoning benchmarks, each a plain function from any path to a BenchDataset.

Library code calls the functions (``load_cladder(path)``); a string spec ``"<name>:<path>"`` is only for the
CLI and config files, resolved here by :func:`load_benchmark`. A bare path ending in ``.jsonl`` that names no
loader is read as our own item format (:meth:`BenchDataset.read_jsonl`).

| name | function | items |
|---|---|---|
| ``cladder`` | :func:`load_cladder` | yes/no, rungs 1-3, four naming variants |
| ``corr2cause`` | :func:`load_corr2cause` | yes/no: does a causal claim follow from (in)dependences |
| ``copa`` | :func:`load_copa` | two alternatives, cause or effect (COPA, Balanced-COPA) |
| ``ecare`` | :func:`load_ecare` | two hypotheses, cause or effect |
| ``crass`` | :func:`load_crass` | 3-4 answers to a counterfactual question |
| ``tuebingen`` | :func:`load_tuebingen` | two directions, cause-effect pairs |
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from causalbridge.bench.items import BenchDataset
from causalbridge.bench.load.cladder import load_cladder
from causalbridge.bench.load.copa import load_copa
from causalbridge.bench.load.corr2cause import load_corr2cause
from causalbridge.bench.load.crass import load_crass
from causalbridge.bench.load.ecare import load_ecare
from causalbridge.bench.load.tuebingen import load_tuebingen
from causalbridge.errors import InputError

Loader = Callable[[Path], BenchDataset]

_LOADERS: dict[str, Loader] = {
    "cladder": load_cladder,
    "corr2cause": load_corr2cause,
    "copa": load_copa,
    "ecare": load_ecare,
    "crass": load_crass,
    "tuebingen": load_tuebingen,
    "jsonl": BenchDataset.read_jsonl,
}
_ALIASES = {"e-care": "ecare", "balanced-copa": "copa", "tubingen": "tuebingen", "tübingen": "tuebingen"}

#: The registered loaders by name (read-only view; add with :func:`register_loader`).
LOADERS: Mapping[str, Loader] = MappingProxyType(_LOADERS)


def register_loader(name: str, loader: Loader) -> None:
    """Make ``"<name>:<path>"`` resolve to ``loader`` (for plugins); a taken name is an :class:`InputError`."""
    key = name.strip().lower()
    if not key or ":" in key:
        raise InputError(f"a loader name must be non-empty and contain no ':', got {name!r}")
    if key in _LOADERS or key in _ALIASES:
        raise InputError(f"a loader named {key!r} is already registered")
    _LOADERS[key] = loader


def load_benchmark(spec: str | Path) -> BenchDataset:
    """Resolve ``"cladder:path/to/dir"``, ``"copa:dev.jsonl"``, ... or a bare ``.jsonl`` path of our own items."""
    text = str(spec)
    name, sep, rest = text.partition(":")
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if sep and key in _LOADERS:
        if not rest.strip():
            raise InputError(f"no path after {name!r}: write '{name}:<path>'", where=f"spec {text!r}")
        return _LOADERS[key](Path(rest.strip()))
    if text.endswith(".jsonl") and (not sep or len(name) == 1):  # a plain path (or a Windows drive letter)
        return BenchDataset.read_jsonl(text)
    if sep:
        close = difflib.get_close_matches(key, [*_LOADERS, *_ALIASES], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(_LOADERS))})"
        raise InputError(f"unknown benchmark {name!r}{hint}", where=f"spec {text!r}")
    raise InputError(
        f"write '<benchmark>:<path>' with a benchmark among {', '.join(sorted(_LOADERS))}, "
        "or give a .jsonl file of items",
        where=f"spec {text!r}",
    )


__all__ = [
    "LOADERS",
    "Loader",
    "load_benchmark",
    "load_cladder",
    "load_copa",
    "load_corr2cause",
    "load_crass",
    "load_ecare",
    "load_tuebingen",
    "register_loader",
]
