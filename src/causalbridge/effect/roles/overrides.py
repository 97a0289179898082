"""User overrides of roles and edges, read from a small YAML file; they always win over the model.

The file::

    roles:                 # variable: role (confounder, mediator, collider, instrument, effect_modifier, irrelevant)
      age: confounder
      region: irrelevant
    edges:
      add: ["age -> income", "t <-> y"]   # "a -> b", "a <- b", "a <-> b" (latent confounding), or [a, b]
      remove: ["region -> y"]

Every entry remembers its ``file:line``, so a variable the data does not have is reported as one line naming the
file, the line and the variable, before any model is asked anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from causalbridge.effect.roles.questions import ROLES
from causalbridge.errors import InputError, UnknownVariableError

EdgeKind = Literal["->", "<->"]
_EDGE = re.compile(r"^\s*(.+?)\s*(<->|->|<-)\s*(.+?)\s*$")
_ALIASES = {
    "common_cause": "confounder",
    "consequence": "collider",
    "modifier": "effect_modifier",
    "precision": "effect_modifier",
    "none": "irrelevant",
    "unrelated": "irrelevant",
}


@dataclass(frozen=True, slots=True)
class RoleOverride:
    variable: str
    role: str
    where: str


@dataclass(frozen=True, slots=True)
class EdgeOverride:
    """``action`` an edge ``source kind target``; ``where`` is the file:line it came from."""

    source: str
    target: str
    kind: EdgeKind
    action: Literal["add", "remove"]
    where: str

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.target}"


@dataclass(frozen=True)
class RoleOverrides:
    """Roles and edge changes chosen by the user. Build from a file with :func:`read_role_overrides` or in code
    with :meth:`of`."""

    roles: tuple[RoleOverride, ...] = ()
    edges: tuple[EdgeOverride, ...] = ()
    source: str = "overrides"

    @classmethod
    def of(
        cls,
        roles: Mapping[str, str] | None = None,
        add: Iterable[tuple[str, str]] = (),
        remove: Iterable[tuple[str, str]] = (),
    ) -> RoleOverrides:
        """Overrides from Python values: ``RoleOverrides.of({"age": "confounder"}, add=[("age", "income")])``."""
        rows = tuple(
            RoleOverride(v, normalise_role(r, f"overrides: roles.{v}"), f"overrides: roles.{v}")
            for v, r in (roles or {}).items()
        )
        edges = [EdgeOverride(a, b, "->", "add", "overrides: edges.add") for a, b in add]
        edges += [EdgeOverride(a, b, "->", "remove", "overrides: edges.remove") for a, b in remove]
        return cls(rows, tuple(edges))

    def __bool__(self) -> bool:
        return bool(self.roles or self.edges)

    def role_of(self, variable: str) -> RoleOverride | None:
        for row in self.roles:
            if row.variable == variable:
                return row
        return None

    def check(self, names: Sequence[str], treatment: str, outcome: str) -> None:
        """Raise a one-line error for the first entry naming a variable that is not in ``names``."""
        known = list(names)
        for row in self.roles:
            if row.variable not in known:
                raise UnknownVariableError(row.variable, known, where=row.where)
            if row.variable in (treatment, outcome):
                which = "treatment" if row.variable == treatment else "outcome"
                raise InputError(f"{row.variable!r} is the {which}; it cannot have a role", where=row.where)
        for edge in self.edges:
            for end in (edge.source, edge.target):
                if end not in known:
                    raise UnknownVariableError(end, known, where=edge.where)


def normalise_role(text: object, where: str) -> str:
    """A role name from user text (case, spaces and hyphens do not matter); InputError listing the roles."""
    key = re.sub(r"[\s\-]+", "_", str(text).strip().lower())
    key = _ALIASES.get(key, key)
    if key not in ROLES:
        raise InputError(f"unknown role {text!r} (use one of: {', '.join(ROLES)})", where=where)
    return key


def read_role_overrides(path: str | Path) -> RoleOverrides:
    """Read a roles file (see the module docstring); errors name ``file:line``."""
    file = Path(path)
    if not file.is_file():
        raise InputError("roles file not found", where=str(file))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the roles file: {exc}", where=str(file)) from None
    return parse_role_overrides(text, str(file))


def parse_role_overrides(text: str, source: str = "roles") -> RoleOverrides:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        raise InputError(f"not valid YAML: {exc.problem or exc}", where=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", where=source) from None
    if root is None:
        return RoleOverrides(source=source)
    top = _mapping(root, source, "the file")
    roles: list[RoleOverride] = []
    edges: list[EdgeOverride] = []
    for key, value in top:
        name = _scalar(key, source)
        if name == "roles":
            roles += _roles(value, source)
        elif name == "edges":
            edges += _edges(value, source)
        else:
            raise InputError(f"unknown section {name!r} (expected 'roles' and/or 'edges')", where=_at(key, source))
    seen: dict[str, str] = {}
    for row in roles:
        if row.variable in seen:
            raise InputError(f"{row.variable!r} is given a role twice (first at {seen[row.variable]})", where=row.where)
        seen[row.variable] = row.where
    return RoleOverrides(tuple(roles), tuple(edges), source)


# ---------------------------------------------------------------------- YAML node helpers
def _at(node: yaml.Node, source: str) -> str:
    return f"{source}:{node.start_mark.line + 1}"


def _mapping(node: yaml.Node, source: str, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise InputError(f"{what} must be a mapping", where=_at(node, source))
    return list(node.value)


def _scalar(node: yaml.Node, source: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise InputError("expected a name", where=_at(node, source))
    return str(node.value).strip()


def _roles(node: yaml.Node, source: str) -> list[RoleOverride]:
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return []
    out = []
    for key, value in _mapping(node, source, "'roles'"):
        variable = _scalar(key, source)
        where = _at(key, source)
        out.append(RoleOverride(variable, normalise_role(_scalar(value, source), where), where))
    return out


def _edges(node: yaml.Node, source: str) -> list[EdgeOverride]:
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return []
    out: list[EdgeOverride] = []
    for key, value in _mapping(node, source, "'edges'"):
        action = _scalar(key, source)
        if action not in ("add", "remove"):
            raise InputError(f"unknown edge action {action!r} (expected 'add' or 'remove')", where=_at(key, source))
        if not isinstance(value, yaml.SequenceNode):
            raise InputError(f"'edges.{action}' must be a list of edges", where=_at(value, source))
        out += [_edge(item, "add" if action == "add" else "remove", source) for item in value.value]
    return out


def _edge(node: yaml.Node, action: Literal["add", "remove"], source: str) -> EdgeOverride:
    where = _at(node, source)
    if isinstance(node, yaml.SequenceNode):
        parts = [_scalar(n, source) for n in node.value]
        if len(parts) != 2:
            raise InputError(f"an edge as a list is [source, target], got {parts}", where=where)
        return EdgeOverride(parts[0], parts[1], "->", action, where)
    text = _scalar(node, source)
    match = _EDGE.match(text)
    if match is None:
        raise InputError(f"expected 'a -> b', 'a <- b' or 'a <-> b', got {text!r}", where=where)
    a, arrow, b = match.groups()
    if a == b:
        raise InputError(f"an edge from {a!r} to itself", where=where)
    if arrow == "<-":
        return EdgeOverride(b, a, "->", action, where)
    return EdgeOverride(a, b, "->" if arrow == "->" else "<->", action, where)
