"""The words of a ladder question: a :class:`Concept` per variable and :class:`Theme` stories (pure data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Concept:
    """A binary variable in words: ``name`` (a noun phrase), ``on`` / ``off`` (clauses for states 1 / 0)."""

    name: str
    on: str
    off: str

    def clause(self, state: int) -> str:
        return self.on if state else self.off


@dataclass(frozen=True)
class Theme:
    """A real-world story for one template: a concept for every node symbol of that template."""

    id: str
    template: str
    concepts: Mapping[str, Concept]

    def __post_init__(self) -> None:
        object.__setattr__(self, "concepts", MappingProxyType(dict(self.concepts)))
