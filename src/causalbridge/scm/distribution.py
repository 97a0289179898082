"""An immutable joint distribution over a few discrete variables: the answer type of every exact query.

Queries return probabilities *tables*, not samples, so answers can be compared exactly against another engine
(pgmpy) or a hand calculation. Keeping the states next to the table means a caller never has to remember which
axis index means which state name.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from causalbridge.errors import InputError, UnknownVariableError

if TYPE_CHECKING:
    import pandas as pd

_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True, eq=False)
class Distribution:
    """P(variables): ``table[i, j, ...]`` is the probability of the i-th state of the first variable, etc.

    >>> d = Distribution(("rain",), {"rain": ("yes", "no")}, np.array([0.3, 0.7]))
    >>> d.prob(rain="yes")
    0.3
    """

    variables: tuple[str, ...]
    states: Mapping[str, tuple[str, ...]]
    table: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        variables = tuple(str(v) for v in self.variables)
        if len(set(variables)) != len(variables):
            raise InputError(f"a variable is listed twice in {variables}")
        missing = [v for v in variables if v not in self.states]
        if missing:
            raise InputError(f"no states given for {missing}")
        states = MappingProxyType({v: tuple(str(s) for s in self.states[v]) for v in variables})
        table = np.array(self.table, dtype=float)  # a private copy, so the caller cannot mutate ours
        shape = tuple(len(states[v]) for v in variables)
        if table.shape != shape:
            raise InputError(f"probability table has shape {table.shape}, expected {shape} for {variables}")
        if not np.all(np.isfinite(table)) or np.any(table < 0):
            raise InputError("probabilities must be finite and non-negative")
        if abs(float(table.sum()) - 1.0) > _SUM_TOLERANCE:
            raise InputError(f"probabilities sum to {float(table.sum())!r}, not 1")
        table.flags.writeable = False
        object.__setattr__(self, "variables", variables)
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "table", table)

    def __reduce__(self) -> tuple[Any, ...]:  # the read-only states mapping does not pickle by itself
        return (Distribution, (self.variables, dict(self.states), np.array(self.table)))

    # ------------------------------------------------------------------ look-ups
    def _axis(self, var: str) -> int:
        if var not in self.states:
            raise UnknownVariableError(var, self.variables, where="distribution")
        return self.variables.index(var)

    def state_index(self, var: str, state: object) -> int:
        """The axis index of ``state`` of ``var``; a clear error lists the valid states."""
        self._axis(var)
        names = self.states[var]
        key = str(state)
        if key not in names:
            raise InputError(f"{state!r} is not a state of {var!r}; its states are {list(names)}", f"variable {var!r}")
        return names.index(key)

    def prob(self, assignment: Mapping[str, object] | None = None, /, **kwargs: object) -> float:
        """P(assignment); variables left out are summed over, so a partial assignment gives a marginal."""
        full = {**(assignment or {}), **kwargs}
        index: list[int | slice] = [slice(None)] * len(self.variables)
        for var, state in full.items():
            index[self._axis(var)] = self.state_index(var, state)
        return float(np.sum(self.table[tuple(index)]))

    def marginal(self, variables: str | Sequence[str]) -> Distribution:
        """The distribution of a subset of the variables, in the order asked for."""
        keep = [variables] if isinstance(variables, str) else list(variables)
        axes = [self._axis(v) for v in keep]
        drop = tuple(i for i in range(len(self.variables)) if i not in axes)
        summed = self.table.sum(axis=drop) if drop else self.table
        remaining = [i for i in range(len(self.variables)) if i not in drop]
        order = [remaining.index(a) for a in axes]
        return Distribution(tuple(keep), {v: self.states[v] for v in keep}, np.transpose(summed, order))

    def condition(self, evidence: Mapping[str, object]) -> Distribution:
        """P(other variables | evidence); raises :class:`InputError` when the evidence has probability 0."""
        index: list[int | slice] = [slice(None)] * len(self.variables)
        for var, state in evidence.items():
            index[self._axis(var)] = self.state_index(var, state)
        sub = self.table[tuple(index)]
        total = float(np.sum(sub))
        if total <= 0.0:
            raise InputError(f"the evidence {dict(evidence)} has probability 0")
        rest = tuple(v for v in self.variables if v not in evidence)
        return Distribution(rest, {v: self.states[v] for v in rest}, np.asarray(sub) / total)

    def expectation(self, var: str, values: Mapping[str, float] | None = None) -> float:
        """E[value(var)]: ``values`` maps states to numbers; without it the state names must parse as numbers."""
        marg = self.marginal(var).table
        names = self.states[var]
        if values is None:
            try:
                numbers = [float(s) for s in names]
            except ValueError:
                raise InputError(
                    f"the states of {var!r} ({list(names)}) are not numbers: pass values={{state: number}}",
                    f"variable {var!r}",
                ) from None
        else:
            unknown = [s for s in values if str(s) not in names]
            missing = [s for s in names if s not in values]
            if unknown or missing:
                raise InputError(
                    f"values must give a number for each state {list(names)}; unknown {unknown}, missing {missing}",
                    f"variable {var!r}",
                )
            numbers = [float(values[s]) for s in names]
        return float(np.dot(marg, numbers))

    def mode(self) -> dict[str, str]:
        """The most probable joint assignment (first one on ties)."""
        flat = int(np.argmax(self.table))
        idx = np.unravel_index(flat, self.table.shape)
        return {v: self.states[v][int(i)] for v, i in zip(self.variables, idx, strict=True)}

    # ------------------------------------------------------------------ comparison and export
    def allclose(self, other: Distribution, atol: float = 1e-9) -> bool:
        """Same variables and states (in any variable order) and tables equal to ``atol``."""
        if set(self.variables) != set(other.variables):
            return False
        if any(self.states[v] != other.states[v] for v in self.variables):
            return False
        aligned = other.marginal(self.variables).table if other.variables else other.table
        return bool(np.allclose(self.table, aligned, rtol=0.0, atol=atol))

    def items(self) -> Iterable[tuple[tuple[str, ...], float]]:
        """(states, probability) pairs in table order."""
        names = [self.states[v] for v in self.variables]
        for combo, p in zip(itertools.product(*names), self.table.ravel(), strict=True):
            yield combo, float(p)

    def to_dict(self) -> dict[tuple[str, ...], float]:
        return dict(self.items())

    def to_frame(self) -> pd.DataFrame:
        """One row per joint assignment: a column per variable and a ``probability`` column."""
        import pandas as pd

        rows: list[dict[str, Any]] = [
            {**dict(zip(self.variables, combo, strict=True)), "probability": p} for combo, p in self.items()
        ]
        frame = pd.DataFrame(rows, columns=[*self.variables, "probability"])
        for v in self.variables:
            frame[v] = pd.Categorical(frame[v], categories=list(self.states[v]))
        return frame

    def __repr__(self) -> str:
        head = f"P({', '.join(self.variables)})" if self.variables else "P()"
        rows = list(self.items())
        width = max(
            (len(", ".join(f"{v}={s}" for v, s in zip(self.variables, c, strict=True))) for c, _ in rows), default=0
        )
        lines = [head]
        for combo, p in rows[:32]:
            label = ", ".join(f"{v}={s}" for v, s in zip(self.variables, combo, strict=True))
            lines.append(f"  {label:<{width}}  {p:.6f}")
        if len(rows) > 32:
            lines.append(f"  ... ({len(rows) - 32} more rows)")
        return "\n".join(lines)
