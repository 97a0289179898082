"""Descriptions files: what the user tells us about each column, before we look at the data.

Three shapes are accepted, in YAML or JSON, because users write the short one and our bundled networks ship
the long one:

* ``{name: "description"}``
* ``{name: {description, kind, states, unit, readable_name}}`` (every key optional)
* ``{"network": ..., "domain": ..., "variables": {name: {readable_name, states, description}}}``
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from causalbridge.data.variables import VariableKind
from causalbridge.errors import InputError

_FIELDS = ("description", "kind", "states", "unit", "readable_name")


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. YAML 1.1 would turn the states ``yes``/``no``/``on``/``off`` into
    booleans, and the asia network's ``[yes, no]`` would silently become ``["True", "False"]``."""


_BOOL_TAG = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


@dataclass(frozen=True, slots=True)
class VariableSpec:
    """What a descriptions file says about one column; ``None`` means "infer it from the data"."""

    description: str | None = None
    kind: VariableKind | None = None
    states: tuple[str, ...] | None = None
    unit: str | None = None
    readable_name: str | None = None


DescriptionsLike = Mapping[str, Any]


def parse_descriptions(raw: Any, where: str = "descriptions") -> dict[str, VariableSpec]:
    """Turn a parsed descriptions document (any of the three shapes) into one spec per variable name."""
    if isinstance(raw, Mapping) and isinstance(raw.get("variables"), Mapping):
        raw = raw["variables"]  # the bundled-network shape; "network"/"domain" describe the whole set
    if not isinstance(raw, Mapping):
        raise InputError(f"expected a mapping of variable name to description, got {type(raw).__name__}", where=where)
    specs: dict[str, VariableSpec] = {}
    for name, entry in raw.items():
        specs[str(name)] = parse_spec(entry, where=f"{where}: variable {str(name)!r}")
    return specs


def parse_spec(entry: Any, where: str) -> VariableSpec:
    """One entry: a description string, a mapping of the fields in ``_FIELDS``, or a ready spec."""
    if isinstance(entry, VariableSpec):
        return entry
    if entry is None:
        return VariableSpec()
    if isinstance(entry, str):
        return VariableSpec(description=_text(entry, "description", where))
    if not isinstance(entry, Mapping):
        raise InputError(f"expected a description string or a mapping, got {type(entry).__name__}", where=where)
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        raise InputError(f"unknown keys {unknown} (allowed: {', '.join(_FIELDS)})", where=where)
    states = entry.get("states")
    if states is not None:
        if isinstance(states, str) or not isinstance(states, list | tuple):
            raise InputError(f"'states' must be a list, got {states!r}", where=where)
        states = tuple(str(s) for s in states)
    kind = entry.get("kind")
    return VariableSpec(
        description=_text(entry.get("description"), "description", where),
        kind=None if kind is None else VariableKind.parse(kind, where),
        states=states,
        unit=_text(entry.get("unit"), "unit", where),
        readable_name=_text(entry.get("readable_name"), "readable_name", where),
    )


def _text(value: Any, key: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InputError(f"{key!r} must be text, got {type(value).__name__}", where=where)
    text = str(value).strip()
    return text or None


def load_descriptions(path: str | Path) -> dict[str, VariableSpec]:
    """Read a YAML or JSON descriptions file; a syntax error names the file, line and column."""
    file = Path(path)
    if not file.is_file():
        raise InputError("descriptions file not found", where=str(file))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the descriptions file: {exc}", where=str(file)) from None
    if not text.strip():
        raise InputError("the descriptions file is empty", where=str(file))
    if file.suffix.lower() == ".json":
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", where=f"{file}:{exc.lineno}:{exc.colno}") from None
    else:
        try:
            raw = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(file)
            raise InputError(f"invalid YAML: {problem}", where=where) from None
    return parse_descriptions(raw, where=str(file))
