"""The role table: each variable's role with its probability, rationale and provenance, and the graph it implies.

The graph is built from the roles alone, one pattern per role, plus ``T -> Y`` (the effect being asked about):

* confounder c: ``c -> T``, ``c -> Y``      * mediator m: ``T -> m -> Y``     * collider k: ``T -> k <- Y``
* instrument z: ``z -> T``                  * effect modifier e: ``e -> Y``   * irrelevant / unknown: no edge

Every pattern points from causes of T, through T and its mediators, to Y and then its consequences, so the result
is always a DAG; only the user's added edges can make a cycle, and that is reported against the roles file.
Provenance is recorded per variable and per edge: ``llm`` (the model's answers) or ``user`` (the overrides file).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from causalbridge.effect.roles.questions import ROLES, UNKNOWN
from causalbridge.errors import UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.llm.types import Usage

Provenance = Literal["llm", "user"]


@dataclass(frozen=True, slots=True)
class VariableRole:
    """One row of the role table.

        ``probability`` is the chosen role's probability under the model's answers (None when the role is unknown or
        was set by the user without the model being asked); ``probabilities`` holds every role's; ``answers`` the
        model's probability of "yes" to each question (None: it abstained). ``llm_role`` keeps what the model said
        when the user overrode it. ``bad_control`` says what kind of bad control the variable is in the proposed graph
    (mediator, collider, descendant of the outcome ...) and ``bad_control_reason`` why adjusting for it biases.
    """

    variable: str
    role: str
    probability: float | None
    provenance: Provenance = "llm"
    probabilities: tuple[tuple[str, float], ...] = ()
    answers: tuple[tuple[str, float | None], ...] = ()
    rationale: str | None = None
    llm_role: str | None = None
    bad_control: str | None = None
    bad_control_reason: str | None = None
    note: str | None = None

    @property
    def is_unknown(self) -> bool:
        return self.role == UNKNOWN

    def probability_of(self, role: str) -> float | None:
        return dict(self.probabilities).get(role)

    def to_dict(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "role": self.role,
            "probability": _round(self.probability),
            "provenance": self.provenance,
            "probabilities": {r: _round(p) for r, p in self.probabilities},
            "answers": {q: _round(p) for q, p in self.answers},
            "rationale": self.rationale,
            "llm_role": self.llm_role,
            "bad_control": self.bad_control,
            "bad_control_reason": self.bad_control_reason,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class EdgeSource:
    """An edge of the proposed graph and why it is there (``reason``: the role that implies it, or the file)."""

    source: str
    target: str
    provenance: Provenance
    reason: str
    kind: Literal["->", "<->"] = "->"

    def to_dict(self) -> dict[str, str]:
        return {
            "edge": f"{self.source} {self.kind} {self.target}",
            "provenance": self.provenance,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RoleTable:
    """Roles of every variable other than the treatment and outcome, the proposed graph, and what it cost."""

    treatment: str
    outcome: str
    roles: tuple[VariableRole, ...]
    graph: CausalGraph
    edges: tuple[EdgeSource, ...]
    model: str
    usage: Usage = field(default_factory=Usage)
    simulated: bool = False
    notes: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[VariableRole]:
        return iter(self.roles)

    def __len__(self) -> int:
        return len(self.roles)

    def role(self, variable: str) -> VariableRole:
        for row in self.roles:
            if row.variable == variable:
                return row
        raise UnknownVariableError(variable, [r.variable for r in self.roles], where="role table")

    def as_dict(self) -> dict[str, str]:
        """``{variable: role}``."""
        return {row.variable: row.role for row in self.roles}

    def with_role(self, role: str) -> tuple[str, ...]:
        return tuple(row.variable for row in self.roles if row.role == role)

    @property
    def unknown(self) -> tuple[str, ...]:
        return self.with_role(UNKNOWN)

    @property
    def overridden(self) -> int:
        """How many rows and edges come from the user."""
        return sum(r.provenance == "user" for r in self.roles) + sum(e.provenance == "user" for e in self.edges)

    def to_dict(self) -> dict[str, Any]:
        return {
            "treatment": self.treatment,
            "outcome": self.outcome,
            "model": self.model,
            "simulated": self.simulated,
            "roles": [row.to_dict() for row in self.roles],
            "edges": [e.to_dict() for e in self.edges],
            "usage": self.usage.to_dict(),
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """Plain text: one line per variable, then the notes and the usage."""
        width = max((len(r.variable) for r in self.roles), default=8)
        lines = [f"Roles for the effect of {self.treatment} on {self.outcome} (from {self.model})"]
        for row in self.roles:
            prob = "  n/a" if row.probability is None else f"{row.probability:5.2f}"
            extra = f" (model said {row.llm_role})" if row.llm_role and row.llm_role != row.role else ""
            lines.append(f"  {row.variable:<{width}}  {row.role:<15} {prob}  [{row.provenance}]{extra}")
        lines += [f"  note: {n}" for n in self.notes]
        lines.append(f"  usage: {self.usage.summary()}")
        return "\n".join(lines)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


_PATTERNS: Mapping[str, Sequence[tuple[str, str]]] = {
    "confounder": (("v", "t"), ("v", "y")),
    "mediator": (("t", "v"), ("v", "y")),
    "collider": (("t", "v"), ("y", "v")),
    "instrument": (("v", "t"),),
    "effect_modifier": (("v", "y"),),
    "irrelevant": (),
    UNKNOWN: (),
}
assert set(_PATTERNS) == {*ROLES, UNKNOWN}


def role_edges(roles: Sequence[VariableRole], treatment: str, outcome: str) -> list[EdgeSource]:
    """The edges the roles imply, plus ``treatment -> outcome``, each with the provenance of its role."""
    edges = [EdgeSource(treatment, outcome, "llm", "the effect being estimated")]
    for row in roles:
        names = {"v": row.variable, "t": treatment, "y": outcome}
        for a, b in _PATTERNS[row.role]:
            edges.append(EdgeSource(names[a], names[b], row.provenance, f"{row.variable} is a {row.role}"))
    return edges


def merge_edges(edges: Sequence[EdgeSource]) -> list[EdgeSource]:
    """The edges with one per pair and kind: a later edge replaces an earlier one (so user edges, listed last,
    win), and a directed edge replaces the opposite direction."""
    chosen: dict[tuple[frozenset[str], str], EdgeSource] = {}
    for e in edges:
        key = (frozenset((e.source, e.target)), e.kind)
        chosen.pop(key, None)  # re-insert so the order is the order of the last mention
        chosen[key] = e
    return list(chosen.values())


def graph_of(nodes: Sequence[str], edges: Sequence[EdgeSource]) -> CausalGraph:
    """The graph of the (merged) edges over ``nodes``."""
    merged = merge_edges(edges)
    directed = [(e.source, e.target) for e in merged if e.kind == "->"]
    bidirected = [(e.source, e.target) for e in merged if e.kind == "<->"]
    return CausalGraph.from_edges(directed=directed, bidirected=bidirected, nodes=nodes)
