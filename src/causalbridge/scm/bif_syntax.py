"""A strict structural check of BIF text, so a broken file fails with one error naming its line.

pgmpy's ``BIFReader`` (which does the real parsing) is regex-based and lenient: it silently skips text it does
not recognise, fills missing CPT rows with zeros and fails deep inside numpy on a wrong value count. This module
walks the same grammar token by token, records where each block starts, and raises :class:`InputError` with
``where="file:line"`` at the first thing that is not well-formed BIF. It builds no model.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from causalbridge.errors import InputError

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_TOKEN = re.compile(r"\s+|(?P<punct>[{}()\[\];,|])|(?P<word>[^\s{}()\[\];,|]+)")
UNSAFE_NAME = re.compile(r'[\s{}()\[\];,|"]|//|/\*')


@dataclass
class BifOutline:
    """What the check learned: declared states and the line of each declaration and probability block."""

    states: dict[str, list[str]] = field(default_factory=dict)
    variable_line: dict[str, int] = field(default_factory=dict)
    probability_line: dict[str, int] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)


def clean(text: str) -> str:
    """Comments blanked (newlines kept, so line numbers survive), quotes removed as pgmpy does, LF endings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return text.replace('"', " ") + "\n"


class _Tokens:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        breaks = [i for i, ch in enumerate(text) if ch == "\n"]
        self.items: list[tuple[str, int]] = []
        for m in _TOKEN.finditer(text):
            if m.lastgroup:
                self.items.append((m.group(0), bisect.bisect_right(breaks, m.start() - 1) + 1))
        self.pos = 0
        self.last_line = text.rstrip().count("\n") + 1

    def error(self, message: str, line: int | None = None) -> InputError:
        at = line if line is not None else self.line
        return InputError(message, f"{self.source}:{at}")

    @property
    def line(self) -> int:
        return self.items[self.pos][1] if self.pos < len(self.items) else self.last_line

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def next(self, what: str) -> str:
        if self.pos >= len(self.items):
            raise self.error(f"the file ends where {what} was expected")
        tok = self.items[self.pos][0]
        self.pos += 1
        return tok

    def expect(self, token: str) -> None:
        line = self.line
        got = self.next(repr(token))
        if got != token:
            raise self.error(f"expected {token!r}, found {got!r}", line)

    def until(self, stop: str, what: str) -> Iterator[tuple[str, int]]:
        """Yield tokens up to (and consuming) ``stop``."""
        while True:
            line = self.line
            tok = self.next(what)
            if tok == stop:
                return
            yield tok, line


def check_bif(text: str, source: str) -> BifOutline:
    """Raise :class:`InputError` at the first malformed construct of (cleaned) BIF ``text``."""
    toks = _Tokens(text, source)
    out = BifOutline()
    blocks: list[tuple[str, list[str], list[list[tuple[str, int]]], int]] = []
    while toks.peek() is not None:
        line = toks.line
        keyword = toks.next("a block")
        if keyword == "network":
            list(toks.until("{", "'{'"))
            _skip_block(toks)
        elif keyword == "variable":
            _variable(toks, out, line)
        elif keyword == "probability":
            child, parents = _probability_header(toks)
            blocks.append((child, parents, _rows(toks), line))
        else:
            raise toks.error(f"expected 'network', 'variable' or 'probability', found {keyword!r}", line)
    if not out.states:
        raise toks.error("no variable is declared: this is not a BIF network", 1)
    for child, parents, rows, line in blocks:
        _check_probability(toks, out, child, parents, rows, line)
    for v, line in out.variable_line.items():
        if v not in out.probability_line:
            raise toks.error(f"variable {v!r} has no probability block", line)
    return out


def _skip_block(toks: _Tokens) -> None:
    depth = 1
    while depth:
        tok = toks.next("'}'")
        depth += {"{": 1, "}": -1}.get(tok, 0)


def _variable(toks: _Tokens, out: BifOutline, line: int) -> None:
    name_tokens = [t for t, _ in toks.until("{", "'{' after the variable name")]
    if len(name_tokens) != 1:
        raise toks.error(f"a variable name must be one word, found {' '.join(name_tokens) or 'nothing'!r}", line)
    name = name_tokens[0]
    if name in out.states:
        raise toks.error(f"variable {name!r} is declared twice (first on line {out.variable_line[name]})", line)
    states: list[str] | None = None
    while toks.peek() != "}":
        item_line = toks.line
        head = toks.next("'type' or '}'")
        if head == "type":
            toks.next("the variable type")
            toks.expect("[")
            count_tok = toks.next("the number of states")
            toks.expect("]")
            toks.expect("{")
            states = [t for t, _ in toks.until("}", "'}' after the states") if t != ","]
            toks.expect(";")
            if not count_tok.isdigit() or int(count_tok) != len(states):
                raise toks.error(f"{name!r} declares [ {count_tok} ] states but lists {len(states)}", item_line)
            if len(set(states)) != len(states):
                raise toks.error(f"{name!r} lists a state twice: {states}", item_line)
        elif head == "property":
            list(toks.until(";", "';' ending the property"))
        else:
            raise toks.error(f"expected 'type' or 'property' inside variable {name!r}, found {head!r}", item_line)
    toks.next("'}'")
    if not states:
        raise toks.error(f"variable {name!r} has no 'type discrete [ n ] {{ ... }};' line", line)
    out.states[name] = states
    out.variable_line[name] = line


def _probability_header(toks: _Tokens) -> tuple[str, list[str]]:
    toks.expect("(")
    inside = [t for t, _ in toks.until(")", "')' closing the probability header")]
    toks.expect("{")
    if "|" in inside:
        bar = inside.index("|")
        child_part, parents = inside[:bar], [t for t in inside[bar + 1 :] if t != ","]
    else:  # the old BIF form lists the child and then its parents, space separated
        words = [t for t in inside if t != ","]
        child_part, parents = words[:1], words[1:]
    if len(child_part) != 1:
        raise toks.error(f"cannot read the variable of 'probability ( {' '.join(inside)} )'")
    return child_part[0], parents


def _rows(toks: _Tokens) -> list[list[tuple[str, int]]]:
    rows: list[list[tuple[str, int]]] = []
    while toks.peek() != "}":
        rows.append(list(toks.until(";", "';' ending a probability row")))
    toks.next("'}'")
    return rows


def _numbers(toks: _Tokens, tokens: list[tuple[str, int]], child: str) -> int:
    count = 0
    for tok, line in tokens:
        if tok == ",":
            continue
        try:
            value = float(tok)
        except ValueError:
            raise toks.error(f"{tok!r} is not a number (in the probability of {child!r})", line) from None
        if not math.isfinite(value) or value < 0:
            raise toks.error(f"{tok!r} is not a probability (in the probability of {child!r})", line)
        count += 1
    return count


def _check_probability(
    toks: _Tokens, out: BifOutline, child: str, parents: list[str], rows: list[list[tuple[str, int]]], line: int
) -> None:
    for v in [child, *parents]:
        if v not in out.states:
            raise toks.error(f"the probability block uses {v!r}, which is not declared", line)
    if child in out.probability_line:
        raise toks.error(
            f"{child!r} has a second probability block (first on line {out.probability_line[child]})", line
        )
    out.probability_line[child] = line
    out.parents[child] = parents
    card = len(out.states[child])
    seen: set[tuple[str, ...]] = set()
    table_rows = 0
    for row in rows:
        if not row:
            raise toks.error(f"an empty row (a lone ';') in the probability of {child!r}", line)
        head, row_line = row[0]
        if head == "default":
            raise toks.error("'default' rows are not supported: list every parent setting", row_line)
        if head == "property":
            continue
        if head == "table":
            table_rows += 1
            expected = card * math.prod(len(out.states[p]) for p in parents)
            got = _numbers(toks, row[1:], child)
            if got != expected:
                raise toks.error(f"the table of {child!r} has {got} numbers, expected {expected}", row_line)
            continue
        if head != "(" or not parents:
            raise toks.error(f"expected '(parent states)' or 'table' in the probability of {child!r}", row_line)
        close = next((i for i, (t, _) in enumerate(row) if t == ")"), None)
        if close is None:
            raise toks.error("a parent setting is not closed by ')'", row_line)
        combo = tuple(t for t, _ in row[1:close] if t != ",")
        if len(combo) != len(parents):
            raise toks.error(f"the row names {len(combo)} parent states, expected {len(parents)}", row_line)
        for p, s in zip(parents, combo, strict=True):
            if s not in out.states[p]:
                raise toks.error(f"{s!r} is not a state of {p!r}; its states are {out.states[p]}", row_line)
        if combo in seen:
            raise toks.error(f"the parent setting {combo} is given twice", row_line)
        seen.add(combo)
        got = _numbers(toks, row[close + 1 :], child)
        if got != card:
            raise toks.error(f"the row has {got} numbers, expected {card} (the states of {child!r})", row_line)
    if table_rows > 1 or (table_rows and seen):
        raise toks.error(f"the probability of {child!r} mixes 'table' with other rows", line)
    if not table_rows and not parents:
        raise toks.error(f"the probability of {child!r} has no 'table' row", line)
    if not table_rows:
        settings = itertools.product(*[out.states[p] for p in parents])
        missing = next((c for c in settings if c not in seen), None)
        if missing is not None:
            raise toks.error(f"the probability of {child!r} has no row for parent setting {missing}", line)
