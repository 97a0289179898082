"""Probability terms that carry their own text, so one estimand function yields value, formula and arithmetic.

An estimand (say, backdoor adjustment) is written once as ordinary arithmetic over :class:`Expr` leaves. Run
with *symbolic* leaves it gives the expanded formula (``P(Z=1)*(P(Y=1 | X=1, Z=1) - ...)``) and the exact value;
run with *stated* leaves (the rounded numbers printed in the question) it gives the numbers plugged in and the
value a careful reader would compute from the text. Comparing the two is how the generator makes sure a
question's answer really follows from what the question says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Operator precedence of an expression's outermost operation: sums bind loosest, atoms tightest.
_SUM, _PRODUCT, _ATOM = 1, 2, 3


@dataclass(frozen=True, slots=True)
class Expr:
    """A number with the text that computes it; ``+ - * /`` combine both (parentheses only where needed)."""

    value: float
    text: str
    precedence: int = _ATOM

    def _wrap(self, needed: int) -> str:
        return f"({self.text})" if self.precedence < needed else self.text

    def __add__(self, other: Expr) -> Expr:
        return Expr(self.value + other.value, f"{self._wrap(_SUM)} + {other._wrap(_SUM)}", _SUM)

    def __sub__(self, other: Expr) -> Expr:
        return Expr(self.value - other.value, f"{self._wrap(_SUM)} - {other._wrap(_PRODUCT)}", _SUM)

    def __mul__(self, other: Expr) -> Expr:
        return Expr(self.value * other.value, f"{self._wrap(_PRODUCT)}*{other._wrap(_PRODUCT)}", _PRODUCT)

    def __truediv__(self, other: Expr) -> Expr:
        if other.value == 0.0:
            raise ZeroDivisionError(f"division by {other.text} = 0")
        return Expr(self.value / other.value, f"{self._wrap(_PRODUCT)}/{other._wrap(_ATOM)}", _PRODUCT)


ONE = Expr(1.0, "1")


def total(terms: Iterable[Expr]) -> Expr:
    """The sum of one or more terms (``sum`` would start from a zero that shows up in the text)."""
    items = list(terms)
    if not items:
        raise ValueError("total() needs at least one term")
    out = items[0]
    for term in items[1:]:
        out = out + term
    return out


Assignment = tuple[tuple[str, int], ...]


def _assignment(values: Mapping[str, int]) -> Assignment:
    return tuple((str(k), int(v)) for k, v in values.items())


@dataclass(frozen=True, slots=True)
class Quantity:
    """An observational probability ``P(event | given)`` over binary variables, named by symbols."""

    event: Assignment
    given: Assignment = ()

    @classmethod
    def of(cls, event: Mapping[str, int], given: Mapping[str, int] | None = None) -> Quantity:
        return cls(_assignment(event), _assignment(given or {}))

    @property
    def symbol(self) -> str:
        """``P(Y=1 | X=0, Z=1)``: the name used in derivations and in ``meta["given"]``."""
        head = ", ".join(f"{v}={s}" for v, s in self.event)
        if not self.given:
            return f"P({head})"
        return f"P({head} | {', '.join(f'{v}={s}' for v, s in self.given)})"


def stated(value: float) -> float:
    """The number a question prints for a probability: two decimals (a whole percentage), as CLadder does."""
    return round(value, 2)


def fmt(value: float) -> str:
    """Two-decimal text of a stated number (``0.26``), the form derivations plug in."""
    return f"{value:.2f}"


def percent(value: float) -> str:
    """``0.26`` -> ``"26%"`` for a stated number."""
    return f"{round(value * 100)}%"
