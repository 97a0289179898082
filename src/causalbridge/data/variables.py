"""What a column means: :class:`Variable` and its :class:`VariableKind`.

A variable carries a natural-language description because LLM-assisted methods reason from meaning, not from
column names; the description is also what a human reads in reports. Kinds decide which statistics apply
(chi-square tests for discrete variables, partial correlations for continuous ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from causalbridge.errors import InputError


class VariableKind(Enum):
    """The measurement level of a variable."""

    BINARY = "binary"
    CATEGORICAL = "categorical"
    ORDINAL = "ordinal"
    CONTINUOUS = "continuous"
    COUNT = "count"

    @property
    def is_discrete(self) -> bool:
        """True for kinds whose values are labels from a finite list of states.

        Counts are integers but unbounded, so methods treat them as numeric rather than as categories.
        """
        return self in (VariableKind.BINARY, VariableKind.CATEGORICAL, VariableKind.ORDINAL)

    @classmethod
    def parse(cls, value: str | VariableKind, where: str | None = None) -> VariableKind:
        """Read a kind from user text (case-insensitive); the error lists the accepted spellings."""
        if isinstance(value, VariableKind):
            return value
        text = str(value).strip().lower()
        aliases = {"discrete": "categorical", "nominal": "categorical", "bool": "binary", "boolean": "binary"}
        text = aliases.get(text, text)
        for kind in cls:
            if kind.value == text:
                return kind
        accepted = ", ".join(k.value for k in cls)
        raise InputError(f"unknown variable kind {value!r} (use one of: {accepted})", where=where)


@dataclass(frozen=True, slots=True)
class Variable:
    """A named variable with a description, a kind and, for discrete kinds, its states in order.

    ``states`` are the labels of the values (``("yes", "no")``); numeric discrete data uses the numbers'
    text (``("0", "1")``). ``readable_name`` is a human label for prompts and plots when ``name`` is a code
    such as ``"LVEDVOLUME"``.
    """

    name: str
    description: str
    kind: VariableKind
    states: tuple[str, ...] | None = None
    unit: str | None = None
    readable_name: str | None = None

    def __post_init__(self) -> None:
        where = f"variable {self.name!r}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError("a variable needs a non-empty name", where=where)
        if not isinstance(self.kind, VariableKind):
            object.__setattr__(self, "kind", VariableKind.parse(self.kind, where))
        if self.states is None:
            return
        states = tuple(str(s) for s in self.states)
        object.__setattr__(self, "states", states)
        if not self.kind.is_discrete:
            raise InputError(f"a {self.kind.value} variable cannot list states {list(states)}", where=where)
        if not states:
            raise InputError("the list of states is empty", where=where)
        duplicates = sorted({s for s in states if states.count(s) > 1})
        if duplicates:
            raise InputError(f"states listed more than once: {', '.join(duplicates)}", where=where)
        if self.kind is VariableKind.BINARY and len(states) != 2:
            raise InputError(f"a binary variable has exactly 2 states, not {len(states)}: {states}", where=where)

    @property
    def label(self) -> str:
        """The readable name when there is one, else the name."""
        return self.readable_name or self.name

    @property
    def n_states(self) -> int | None:
        return None if self.states is None else len(self.states)

    def describe(self) -> str:
        """One line for prompts and reports: name, readable name, description, kind, states and unit."""
        head = self.name if self.readable_name in (None, self.name) else f"{self.name} ({self.readable_name})"
        details = [self.kind.value]
        if self.states is not None:
            details.append("states: " + ", ".join(self.states))
        if self.unit:
            details.append(f"unit: {self.unit}")
        text = " ".join(self.description.split())  # one line even when the description has line breaks
        return f"{head}: {text} [{'; '.join(details)}]"
