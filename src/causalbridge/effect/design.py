"""From a table to numeric arrays: the one place where columns are checked, encoded and cleaned.

Every estimator needs the same things — a treatment vector, an outcome vector and a covariate matrix — and
every user mistake (a misspelled column, an empty column, a text-valued outcome) should fail here with the
column named, before any numerical library sees the data. Discrete covariates become one-hot columns, binary
labels become 0/1 (the second state in the variable's order is "treated" / "1"), rows with missing values in
the columns used are dropped with a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from causalbridge.data.dataset import CausalDataset
from causalbridge.data.variables import Variable, VariableKind
from causalbridge.errors import InputError, UnknownVariableError

Data = CausalDataset | pd.DataFrame


class EffectWarning(UserWarning):
    """Something about the data or the fit that the user must know (trimmed propensities, a weak instrument)."""


def warn(message: str, notes: list[str]) -> None:
    """Record ``message`` in an estimate's notes and emit it as an :class:`EffectWarning`."""
    notes.append(message)
    warnings.warn(message, EffectWarning, stacklevel=3)


@dataclass(frozen=True)
class Design:
    """Numeric arrays for one fit. ``x`` has no intercept column; ``extra`` holds instrument/mediator columns."""

    treatment: str
    outcome: str
    t: np.ndarray
    y: np.ndarray
    x: np.ndarray
    x_names: tuple[str, ...]
    adjust: tuple[str, ...]
    extra: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    t_levels: tuple[str, str] | None = None
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return int(self.t.shape[0])

    @property
    def t_binary(self) -> bool:
        return is_binary(self.t)

    @property
    def y_binary(self) -> bool:
        return is_binary(self.y)


def is_binary(values: np.ndarray) -> bool:
    """True when the values are exactly 0 and 1, both present."""
    return set(np.unique(values).tolist()) == {0.0, 1.0}


def split_data(data: Data) -> tuple[pd.DataFrame, dict[str, Variable]]:
    """The frame and, for a :class:`CausalDataset`, its variables by name (a plain frame has none)."""
    if isinstance(data, CausalDataset):
        return data.frame, {v.name: v for v in data.variables}
    if isinstance(data, pd.DataFrame):
        frame = data.set_axis([str(c) for c in data.columns], axis=1)
        duplicates = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
        if duplicates:
            raise InputError(f"duplicate column names: {', '.join(duplicates)}", where="data")
        return frame, {}
    raise InputError(f"expected a CausalDataset or a pandas DataFrame, got {type(data).__name__}", where="data")


def build_design(
    data: Data,
    treatment: str,
    outcome: str,
    adjust: Iterable[str] = (),
    extra: Mapping[str, Sequence[str]] | None = None,
) -> Design:
    """Check and encode the columns one fit uses. ``extra`` maps a role ("instrument") to its column names."""
    frame, variables = split_data(data)
    columns = list(frame.columns)
    adjust_list = [str(a) for a in adjust] if not isinstance(adjust, str) else [adjust]
    roles: list[tuple[str, str]] = [(treatment, "treatment"), (outcome, "outcome")]
    roles += [(a, "adjustment set") for a in adjust_list]
    for role, role_columns in (extra or {}).items():
        roles += [(n, role) for n in role_columns]
    for name, role in roles:
        if name not in columns:
            raise UnknownVariableError(name, columns, where=f"data ({role})")
    if treatment == outcome:
        raise InputError(f"{treatment!r} is both the treatment and the outcome", where="treatment")
    for name in (treatment, outcome):
        if name in adjust_list:
            raise InputError(f"{name!r} cannot be in the adjustment set", where="adjustment set")
    used = list(dict.fromkeys(name for name, _ in roles))
    for name in used:
        if frame[name].isna().all():
            raise InputError("the column is empty (every value is missing)", where=f"column {name!r}")
    notes: list[str] = []
    complete = frame[used].notna().all(axis=1)
    if not complete.all():
        dropped = int((~complete).sum())
        warn(f"dropped {dropped} of {len(frame)} rows with missing values in {', '.join(used)}", notes)
        frame = frame.loc[complete]
    if len(frame) < 3:
        raise InputError(f"only {len(frame)} complete rows: too few to estimate an effect", where="data")
    t, t_levels = _single(frame[treatment], variables.get(treatment), treatment, "treatment")
    if np.unique(t).size < 2:
        raise InputError(
            "the treatment takes a single value: there is nothing to compare", where=f"column {treatment!r}"
        )
    if t_levels is not None:
        notes.append(f"treatment {treatment!r}: {t_levels[1]!r} coded as 1 (treated), {t_levels[0]!r} as 0")
    y, y_levels = _single(frame[outcome], variables.get(outcome), outcome, "outcome")
    if y_levels is not None:
        notes.append(f"outcome {outcome!r}: {y_levels[1]!r} coded as 1, {y_levels[0]!r} as 0")
    blocks: list[np.ndarray] = []
    x_names: list[str] = []
    for a in dict.fromkeys(adjust_list):
        block, block_names = _covariate(frame[a], variables.get(a), a)
        keep = [j for j in range(block.shape[1]) if np.ptp(block[:, j]) > 0]
        if len(keep) < block.shape[1]:
            notes.append(f"covariate {a!r} is constant in the data and was left out")
        blocks.append(block[:, keep])
        x_names += [block_names[j] for j in keep]
    x = np.hstack(blocks) if blocks else np.empty((len(frame), 0))
    extra_arrays: dict[str, np.ndarray] = {}
    for role, role_names in (extra or {}).items():
        for name in role_names:
            extra_arrays[name], _ = _single(frame[name], variables.get(name), name, role)
    return Design(
        treatment,
        outcome,
        t,
        y,
        x,
        tuple(x_names),
        tuple(dict.fromkeys(adjust_list)),
        MappingProxyType(extra_arrays),
        t_levels,
        tuple(notes),
    )


def _labels(series: pd.Series, variable: Variable | None) -> tuple[pd.Series, tuple[str, ...]]:
    """Text labels of a discrete column and its states in order (declared ones first, else sorted)."""
    labels = series.map(lambda v: str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v))
    present = sorted(set(labels))
    if variable is not None and variable.states is not None:
        states = tuple(s for s in variable.states if s in set(present))
        states += tuple(s for s in present if s not in states)
    elif isinstance(series.dtype, pd.CategoricalDtype):
        order = [str(c) for c in series.cat.categories]
        states = tuple(s for s in order if s in set(present)) + tuple(s for s in present if s not in order)
    else:
        states = tuple(present)
    return labels, states


def _is_numeric(series: pd.Series, variable: Variable | None) -> bool:
    if variable is not None:
        return not variable.kind.is_discrete
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _to_float(series: pd.Series, name: str) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        first = series[bad].iloc[0]
        raise InputError(f"the column is not numeric (it holds {first!r})", where=f"column {name!r}")
    out = values.to_numpy(dtype=float)
    if not np.isfinite(out).all():
        raise InputError("the column holds infinite values", where=f"column {name!r}")
    return out


def _single(
    series: pd.Series, variable: Variable | None, name: str, role: str
) -> tuple[np.ndarray, tuple[str, str] | None]:
    """One numeric column for a treatment, outcome, instrument or mediator; binary labels become 0/1."""
    if _is_numeric(series, variable):
        return _to_float(series, name), None
    labels, states = _labels(series, variable)
    numeric = _numeric_labels(states)
    if variable is not None and variable.kind is VariableKind.ORDINAL and numeric is None:
        return labels.map({s: float(i) for i, s in enumerate(states)}).to_numpy(dtype=float), None
    if len(states) <= 2:
        if numeric is not None and set(numeric) <= {0.0, 1.0}:
            return labels.map(dict(zip(states, numeric, strict=True))).to_numpy(dtype=float), None
        codes = {s: float(i) for i, s in enumerate(states)}
        levels = (states[0], states[1]) if len(states) == 2 else None
        return labels.map(codes).to_numpy(dtype=float), levels
    if numeric is not None:
        return labels.map(dict(zip(states, numeric, strict=True))).to_numpy(dtype=float), None
    shown = ", ".join(states[:6]) + (", ..." if len(states) > 6 else "")
    raise InputError(
        f"the {role} is categorical with {len(states)} states ({shown}); it must be numeric or binary "
        "(recode it, or compare two of its states)",
        where=f"column {name!r}",
    )


def _numeric_labels(states: tuple[str, ...]) -> list[float] | None:
    try:
        return [float(s) for s in states]
    except ValueError:
        return None


def _covariate(series: pd.Series, variable: Variable | None, name: str) -> tuple[np.ndarray, list[str]]:
    """A covariate as columns: numbers as is, ordinal states as their rank, other labels one-hot (first dropped)."""
    if _is_numeric(series, variable):
        return _to_float(series, name)[:, None], [name]
    labels, states = _labels(series, variable)
    numeric = _numeric_labels(states)
    if numeric is not None and (variable is None or variable.kind is not VariableKind.CATEGORICAL):
        return labels.map(dict(zip(states, numeric, strict=True))).to_numpy(dtype=float)[:, None], [name]
    if variable is not None and variable.kind is VariableKind.ORDINAL:
        return labels.map({s: float(i) for i, s in enumerate(states)}).to_numpy(dtype=float)[:, None], [name]
    values = labels.to_numpy()
    block = np.column_stack([(values == s).astype(float) for s in states[1:]]) if len(states) > 1 else None
    if block is None:
        return np.empty((len(series), 0)), []
    return block, [f"{name}={s}" for s in states[1:]]
