"""YAML/JSON input files for the probes, read into located nodes so every error names file:line:column.

Why not ``yaml.safe_load``: it forgets where each value came from (so an error could only say "template 7"),
and YAML 1.1 silently turns ``yes``/``no`` into booleans and ``3.50`` into ``3.5``, which would corrupt answer
options and template fillings. Here every scalar stays the exact text the user wrote, and each :class:`Node`
keeps its position. JSON files are read by the same code (JSON is YAML). Anchors and aliases work as in YAML.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from causalbridge.errors import InputError

NodeValue = str | tuple["Node", ...] | tuple[tuple[str, "Node"], ...]


@dataclass(frozen=True, slots=True)
class Node:
    """A value from a probe input file: scalar text, a list of nodes, or a mapping (kept as ordered pairs)."""

    kind: str  # "scalar" | "list" | "mapping"
    value: NodeValue
    source: str
    line: int
    column: int
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}:{self.column}"

    def error(self, message: str) -> InputError:
        return InputError(message, where=self.where)

    # ----------------------------------------------------------------- scalars
    def text(self, what: str) -> str:
        """The scalar's text (stripped); an error naming ``what`` if this is a list or mapping or empty."""
        if self.kind != "scalar":
            raise self.error(f"{what} must be a single value, not a {self.kind}")
        assert isinstance(self.value, str)
        text = self.value.strip()
        if not text:
            raise self.error(f"{what} must not be empty")
        return text

    def integer(self, what: str, minimum: int | None = None) -> int:
        raw = self.text(what)
        try:
            value = int(raw)
        except ValueError:
            raise self.error(f"{what} must be an integer, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise self.error(f"{what} must be >= {minimum}, got {value}")
        return value

    def number(self, what: str, low: float | None = None, high: float | None = None) -> float:
        raw = self.text(what)
        try:
            value = float(raw)
        except ValueError:
            raise self.error(f"{what} must be a number, got {raw!r}") from None
        if value != value or (low is not None and value < low) or (high is not None and value > high):
            raise self.error(f"{what} must be in [{low}, {high}], got {raw}")
        return value

    # ----------------------------------------------------------------- lists
    def items(self, what: str, *, allow_scalar: bool = False) -> tuple[Node, ...]:
        """The list's nodes; with ``allow_scalar`` a single value counts as a one-element list."""
        if self.kind == "scalar" and allow_scalar:
            return (self,)
        if self.kind != "list":
            raise self.error(f"{what} must be a list")
        assert isinstance(self.value, tuple)
        if not self.value:
            raise self.error(f"{what} must not be an empty list")
        return tuple(n for n in self.value if isinstance(n, Node))

    def texts(self, what: str, *, allow_scalar: bool = False) -> tuple[str, ...]:
        return tuple(node.text(f"an entry of {what}") for node in self.items(what, allow_scalar=allow_scalar))

    # ----------------------------------------------------------------- mappings
    def _pairs(self, what: str) -> tuple[tuple[str, Node], ...]:
        if self.kind != "mapping":
            raise self.error(f"{what} must be a mapping of key: value")
        assert isinstance(self.value, tuple)
        return tuple(p for p in self.value if isinstance(p, tuple))

    def mapping(self, what: str) -> Iterator[tuple[str, Node]]:
        yield from self._pairs(what)

    def keys(self, what: str) -> tuple[str, ...]:
        return tuple(key for key, _ in self._pairs(what))

    def get(self, key: str, what: str = "this entry") -> Node | None:
        for name, node in self._pairs(what):
            if name == key:
                return node
        return None

    def require(self, key: str, what: str) -> Node:
        found = self.get(key, what)
        if found is None:
            raise self.error(f"{what} needs a {key!r} key")
        return found

    def check_keys(self, allowed: set[str] | frozenset[str], what: str) -> None:
        """An error at the first unknown key's own line, listing the allowed keys."""
        lines = dict(self.key_lines)
        for key in self.keys(what):
            if key not in allowed:
                raise InputError(
                    f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})",
                    where=f"{self.source}:{lines.get(key, self.line)}",
                )


def _convert(node: yaml.Node, source: str, depth: int = 0) -> Node:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if depth > 50:
        raise InputError("the file nests too deeply", where=f"{source}:{line}")
    if isinstance(node, yaml.ScalarNode):
        return Node("scalar", "" if node.tag.endswith(":null") else str(node.value), source, line, column)
    if isinstance(node, yaml.SequenceNode):
        return Node("list", tuple(_convert(n, source, depth + 1) for n in node.value), source, line, column)
    if isinstance(node, yaml.MappingNode):
        pairs: list[tuple[str, Node]] = []
        key_lines: list[tuple[str, int]] = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError("mapping keys must be plain names", where=f"{source}:{key_node.start_mark.line + 1}")
            key, key_line = str(key_node.value), key_node.start_mark.line + 1
            if key == "<<":
                raise InputError("YAML merge keys (<<) are not supported", where=f"{source}:{key_line}")
            if any(key == seen for seen, _ in pairs):
                raise InputError(f"duplicate key {key!r}", where=f"{source}:{key_line}")
            pairs.append((key, _convert(value_node, source, depth + 1)))
            key_lines.append((key, key_line))
        return Node("mapping", tuple(pairs), source, line, column, tuple(key_lines))
    raise InputError(f"unsupported YAML node {type(node).__name__}", where=f"{source}:{line}")


def parse_text(text: str, source: str) -> Node:
    """Parse YAML/JSON ``text``; ``source`` names it in errors."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
        raise InputError(f"not valid YAML: {error.problem}", where=where) from None
    except yaml.YAMLError as error:
        raise InputError(f"not valid YAML: {error}", where=source) from None
    if root is None:
        raise InputError("the file is empty", where=source)
    return _convert(root, source)


def read_file(path: str | Path) -> Node:
    """Read and parse a probe input file (YAML or JSON)."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", where=str(target)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the file: {error}", where=str(target)) from None
    return parse_text(text, str(target))
