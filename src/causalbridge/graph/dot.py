"""DOT text in and out: a hand-written parser for the subset of Graphviz DOT people write for causal graphs.

Syntax errors are one :class:`GraphError` whose ``where`` says "line L, column C".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass

from causalbridge.errors import GraphError, InputError
from causalbridge.graph._arcs import _merge, _pair
from causalbridge.graph.core import CausalGraph, Edge, Mark

# ---------------------------------------------------------------------------------------------- DOT
_KEYWORDS = {"strict", "graph", "digraph", "node", "edge", "subgraph"}
_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)|(?P<op>->|--)"
    r"|(?P<num>-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))|(?P<id>[A-Za-z_\x80-\U0010ffff][\w\x80-\U0010ffff]*)"
    r"|(?P<punct>[{}\[\]=;,:+])",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "id", "quoted" (quoted or HTML id), "op", a punctuation character, or "eof"
    text: str
    pos: int


class _DotParser:
    """Recursive descent over the DOT grammar; subgraphs are flattened and only edge marks are kept."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tokens = self._tokenize()
        self.i = 0
        self.nodes: dict[str, None] = {}
        self.collectors: list[dict[str, None]] = []
        self.arcs: dict[frozenset[str], list[tuple[Edge, int]]] = {}
        self.directed = True

    def where(self, pos: int) -> str:
        line = bisect.bisect_right(self.line_starts, pos)
        return f"line {line}, column {pos - self.line_starts[line - 1] + 1}"

    def fail(self, message: str, pos: int) -> GraphError:
        return GraphError(message, self.where(pos))

    def _tokenize(self) -> list[_Token]:
        text, pos, out = self.text, 0, list[_Token]()
        while pos < len(text):
            ch = text[pos]
            if ch == "#" and not text[self.line_starts[bisect.bisect_right(self.line_starts, pos) - 1] : pos].strip():
                end = text.find("\n", pos)
                pos = len(text) if end < 0 else end
            elif ch == '"':
                value, pos = self._quoted(pos)
                out.append(value)
            elif ch == "<":
                value, pos = self._html(pos)
                out.append(value)
            elif text.startswith("/*", pos) and "*/" not in text[pos + 2 :]:
                raise self.fail("unterminated /* comment", pos)
            elif (m := _TOKEN.match(text, pos)) is None:
                raise self.fail(f"unexpected character {ch!r}", pos)
            else:
                kind = m.lastgroup or ""
                if kind == "num" and m.end() < len(text) and (text[m.end()].isalnum() or text[m.end()] == "_"):
                    raise self.fail(f"a name cannot start with a digit: quote it ({text[pos : m.end() + 1]!r}...)", pos)
                if kind in ("num", "id"):
                    out.append(_Token("id", m.group(), pos))
                elif kind in ("op", "punct"):
                    out.append(_Token("op" if kind == "op" else m.group(), m.group(), pos))
                pos = m.end()
        out.append(_Token("eof", "", len(text)))
        return out

    def _quoted(self, start: int) -> tuple[_Token, int]:
        # Graphviz only unescapes \" ; we also read \\ as one backslash so that to_dot can write any name.
        text, pos, chars = self.text, start + 1, list[str]()
        while pos < len(text):
            ch = text[pos]
            if ch == '"':
                return _Token("quoted", "".join(chars), start), pos + 1
            if ch == "\\" and pos + 1 < len(text) and text[pos + 1] in '"\\\n':
                chars.append("" if text[pos + 1] == "\n" else text[pos + 1])
                pos += 2
                continue
            chars.append(ch)
            pos += 1
        raise self.fail("unterminated quoted string", start)

    def _html(self, start: int) -> tuple[_Token, int]:
        depth, pos = 0, start
        while pos < len(self.text):
            depth += {"<": 1, ">": -1}.get(self.text[pos], 0)
            pos += 1
            if depth == 0:
                return _Token("quoted", self.text[start + 1 : pos - 1], start), pos
        raise self.fail("unterminated <...> string", start)

    # -- token helpers
    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def keyword(self, *words: str) -> bool:
        return self.tok.kind == "id" and self.tok.text.lower() in words

    def expect(self, kind: str, what: str) -> _Token:
        tok = self.tok
        if tok.kind != kind:
            found = "end of input" if tok.kind == "eof" else repr(tok.text)
            raise self.fail(f"expected {what}, found {found}", tok.pos)
        self.i += 1
        return tok

    def name(self, what: str = "a name") -> _Token:
        if self.keyword(*_KEYWORDS):
            raise self.fail(f"{self.tok.text!r} is a DOT keyword; quote it to use it as {what}", self.tok.pos)
        tok = self.tok if self.tok.kind == "quoted" else self.expect("id", what)
        if tok.kind == "quoted":
            self.i += 1
            while self.tok.kind == "+":  # "a" + "b" concatenation
                self.i += 1
                more = self.expect("quoted", "a quoted string after '+'")
                tok = _Token("quoted", tok.text + more.text, tok.pos)
        return tok

    # -- grammar
    def parse(self) -> CausalGraph:
        if self.keyword("strict"):
            self.i += 1
        if not self.keyword("graph", "digraph"):
            raise self.fail("expected 'graph' or 'digraph'", self.tok.pos)
        self.directed = self.tok.text.lower() == "digraph"
        self.i += 1
        if self.tok.kind != "{":
            self.name("the graph name")
        self.expect("{", "'{'")
        self.statements({})
        self.expect("}", "'}'")
        self.expect("eof", "end of input after the graph")
        edges = []
        for pair, found in self.arcs.items():
            edges.append(_merge(*_pair(pair), [e for e, _ in found], self.where(found[-1][1])))
        return CausalGraph(list(self.nodes), edges)

    def statements(self, defaults: dict[str, tuple[str, int]]) -> None:
        while self.tok.kind not in ("}", "eof"):
            self.statement(defaults)
            if self.tok.kind == ";":
                self.i += 1

    def statement(self, defaults: dict[str, tuple[str, int]]) -> None:
        if self.keyword("graph", "node", "edge"):
            kind = self.tok.text.lower()
            self.i += 1
            attrs = self.attributes(required=True)
            if kind == "edge":
                defaults.update(attrs)
            return
        if self.keyword("subgraph") or self.tok.kind == "{":
            operand = self.subgraph(defaults)
        else:
            tok = self.name()
            if self.tok.kind == "=":  # graph attribute: ID = ID
                self.i += 1
                self.name("a value")
                return
            self.port()
            operand = [self.declare(tok.text)]
            if self.tok.kind != "op":
                self.attributes(required=False)
                return
        self.edge_chain(operand, defaults)

    def port(self) -> None:
        for _ in range(2):
            if self.tok.kind != ":":
                return
            self.i += 1
            self.name("a port")

    def declare(self, node: str) -> str:
        self.nodes.setdefault(node)
        for collector in self.collectors:
            collector.setdefault(node)
        return node

    def subgraph(self, defaults: dict[str, tuple[str, int]]) -> list[str]:
        if self.keyword("subgraph"):
            self.i += 1
            if self.tok.kind != "{":
                self.name("a subgraph name or '{'")
        self.expect("{", "'{'")
        self.collectors.append({})
        self.statements(dict(defaults))
        self.expect("}", "'}'")
        return list(self.collectors.pop())

    def operand(self, defaults: dict[str, tuple[str, int]]) -> list[str]:
        if self.keyword("subgraph") or self.tok.kind == "{":
            return self.subgraph(defaults)
        tok = self.name("a node after the edge operator")
        self.port()
        return [self.declare(tok.text)]

    def edge_chain(self, first: list[str], defaults: dict[str, tuple[str, int]]) -> None:
        operands, ops = [first], []
        while self.tok.kind == "op":
            if self.tok.text == "->" and not self.directed:
                raise self.fail("'->' in an undirected graph: use '--', or write 'digraph'", self.tok.pos)
            ops.append(self.tok)
            self.i += 1
            operands.append(self.operand(defaults))
        attrs = {**defaults, **self.attributes(required=False)}
        for op, left, right in zip(ops, operands, operands[1:], strict=False):
            for a in left:
                for b in right:
                    self.add_arc(a, b, op, attrs)

    def add_arc(self, a: str, b: str, op: _Token, attrs: Mapping[str, tuple[str, int]]) -> None:
        if a == b:
            raise self.fail(f"self-loop on {a!r}: a variable cannot cause itself", op.pos)
        direction, dir_pos = attrs.get("dir", ("forward" if op.text == "->" else "none", op.pos))
        if direction.lower() not in ("forward", "back", "both", "none"):
            raise self.fail(f"dir={direction!r} is not forward, back, both or none", dir_pos)
        head = self.mark(attrs, "arrowhead") if direction.lower() in ("forward", "both") else Mark.TAIL
        tail = self.mark(attrs, "arrowtail") if direction.lower() in ("back", "both") else Mark.TAIL
        self.arcs.setdefault(frozenset((a, b)), []).append((Edge(a, b, tail, head), op.pos))

    @staticmethod
    def mark(attrs: Mapping[str, tuple[str, int]], key: str) -> Mark:
        """Arrow shapes: ``odot`` is a circle mark, ``none`` no mark (a tail), anything else an arrowhead."""
        shape = attrs.get(key, ("normal", 0))[0].strip().lower()
        return {"odot": Mark.CIRCLE, "none": Mark.TAIL}.get(shape, Mark.ARROW)

    def attributes(self, required: bool) -> dict[str, tuple[str, int]]:
        if required and self.tok.kind != "[":
            self.expect("[", "'[' after 'graph', 'node' or 'edge'")
        out: dict[str, tuple[str, int]] = {}
        while self.tok.kind == "[":
            self.i += 1
            while self.tok.kind != "]":
                key = self.name("an attribute name")
                self.expect("=", f"'=' after attribute {key.text!r}")
                value = self.name(f"a value for attribute {key.text!r}")
                out[key.text.lower()] = (value.text, value.pos)
                if self.tok.kind in (";", ","):
                    self.i += 1
            self.i += 1
        return out


def from_dot(text: str) -> CausalGraph:
    """Parse the DOT people write (Graphviz subset); any syntax error names its line and column.

    ``->`` is directed, ``--`` undirected (also inside a ``digraph``), ``a -> b`` plus ``b -> a`` undirected;
    ``dir=none|both|back`` and ``arrowhead``/``arrowtail`` (``odot`` = circle mark) set the marks, ``edge [...]``
    defaults included. Subgraphs are flattened; every other attribute is ignored.
    """
    if not isinstance(text, str):
        raise InputError(f"DOT text must be a string, got {type(text).__name__}")
    return _DotParser(text).parse()


def _dot_id(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(g: CausalGraph, name: str = "G") -> str:
    """DOT text that Graphviz draws and :func:`from_dot` reads back into an equal graph (IDs always quoted)."""
    lines = [f"digraph {_dot_id(name)} {{"]
    lines += [f"  {_dot_id(n)};" for n in g.nodes]
    for e in g.edges:  # canonical: the stronger mark is at v, so dir is never "back"
        attrs = []
        if e.mark_v is Mark.TAIL:
            attrs.append("dir=none")
        elif e.mark_u is not Mark.TAIL:
            attrs.append("dir=both")
        if e.mark_v is Mark.CIRCLE:
            attrs.append("arrowhead=odot")
        if e.mark_u is Mark.CIRCLE:
            attrs.append("arrowtail=odot")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {_dot_id(e.u)} -> {_dot_id(e.v)}{suffix};")
    return "\n".join([*lines, "}"]) + "\n"


# ---------------------------------------------------------------------------------------------- matrices
