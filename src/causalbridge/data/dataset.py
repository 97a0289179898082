"""A data frame together with the meaning of its columns: :class:`CausalDataset`.

Every method in causalbridge that reads data takes a ``CausalDataset`` so the descriptions travel with the
numbers: statistical methods read ``frame``, LLM-assisted ones read ``describe_text()``, and both agree on the
variable names because construction checks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from causalbridge.data.inference import (
    DEFAULT_MAX_LEVELS,
    Locate,
    check_states,
    index_locator,
    infer_variables,
    row_label,
    state_labels,
)
from causalbridge.data.specs import parse_descriptions
from causalbridge.data.variables import Variable, VariableKind
from causalbridge.errors import InputError, UnknownVariableError


@dataclass(frozen=True, eq=False)
class CausalDataset:
    """Rows of data (``frame``) and one :class:`Variable` per column, in the same order.

    Construction validates: no duplicate columns, unique variable names, every variable is a column, no
    column without a variable, and discrete values are among their variable's states. The frame's columns
    are put in the variables' order. Treat ``frame`` as read-only: the dataset owns it.

    >>> ds = CausalDataset.infer(pd.DataFrame({"smoker": ["yes", "no"], "age": [31.5, 40.2]}))
    >>> [(v.name, v.kind.value) for v in ds.variables]
    [('smoker', 'binary'), ('age', 'continuous')]
    """

    frame: pd.DataFrame
    variables: tuple[Variable, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise InputError(f"expected a pandas DataFrame, got {type(self.frame).__name__}", where="dataset")
        variables = tuple(self.variables)
        object.__setattr__(self, "variables", variables)
        columns = [str(c) for c in self.frame.columns]
        duplicates = sorted({c for c in columns if columns.count(c) > 1})
        if duplicates:
            raise InputError(f"duplicate column names: {', '.join(duplicates)}", where="dataset")
        names = [v.name for v in variables]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise InputError(f"variables listed more than once: {', '.join(repeated)}", where="dataset")
        missing = [n for n in names if n not in columns]
        if missing:
            raise InputError(f"variables without a column in the frame: {', '.join(missing)}", where="dataset")
        extra = [c for c in columns if c not in set(names)]
        if extra:
            raise InputError(f"columns without a variable: {', '.join(extra)}", where="dataset")
        frame = self.frame.set_axis(columns, axis=1)
        if columns != names:
            frame = frame[names]
        object.__setattr__(self, "frame", frame)
        locate = index_locator(frame)
        for variable in variables:
            check_states(frame[variable.name], variable, locate)

    # ------------------------------------------------------------------ construction
    @classmethod
    def infer(
        cls,
        frame: pd.DataFrame,
        descriptions: Mapping[str, Any] | None = None,
        *,
        max_levels: int = DEFAULT_MAX_LEVELS,
        source: str = "data",
        locate: Locate | None = None,
    ) -> CausalDataset:
        """Build a dataset whose variables are inferred from the values (see :mod:`causalbridge.data.inference`).

        ``descriptions`` maps a column to its description text or to ``{description, kind, states, unit,
        readable_name}`` (the bundled-network shape with a ``"variables"`` key works too); a declared kind or
        state list wins over inference. Naming a column the frame lacks is an error; leaving columns
        undescribed warns once, listing them.
        """
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"expected a pandas DataFrame, got {type(frame).__name__}", where=source)
        specs = None if descriptions is None else parse_descriptions(descriptions, where=f"{source}: descriptions")
        converted, variables = infer_variables(frame, specs, max_levels=max_levels, locate=locate, source=source)
        return cls(converted, variables)

    # ------------------------------------------------------------------ queries
    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    @property
    def n_variables(self) -> int:
        return len(self.variables)

    def __len__(self) -> int:
        return len(self.frame)

    def __contains__(self, name: object) -> bool:
        return any(v.name == name for v in self.variables)

    def __repr__(self) -> str:
        shown = ", ".join(f"{v.name}:{v.kind.value}" for v in self.variables[:8])
        more = ", ..." if len(self.variables) > 8 else ""
        return f"CausalDataset({self.n_rows} rows; {shown}{more})"

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise UnknownVariableError(name, list(self.names), where="dataset")

    @property
    def is_discrete(self) -> bool:
        """Every variable is binary, categorical or ordinal (chi-square / G-test territory)."""
        return all(v.kind.is_discrete for v in self.variables)

    @property
    def is_continuous(self) -> bool:
        """Every variable is continuous or a count (correlation territory)."""
        return all(not v.kind.is_discrete for v in self.variables)

    def kinds(self) -> dict[str, VariableKind]:
        return {v.name: v.kind for v in self.variables}

    def select(self, names: Iterable[str]) -> CausalDataset:
        """The dataset restricted to ``names``, in that order."""
        chosen = list(names)
        variables = tuple(self.variable(n) for n in chosen)
        return CausalDataset(self.frame[chosen], variables)

    def with_frame(self, frame: pd.DataFrame) -> CausalDataset:
        """The same variables over other rows (a bootstrap sample, a subset): validated again."""
        return CausalDataset(frame, self.variables)

    def describe_text(self) -> str:
        """One line per variable (name, readable name, description, kind, states, unit), for prompts."""
        return "\n".join(f"- {v.describe()}" for v in self.variables)

    # ------------------------------------------------------------------ checks and encodings
    def require_numeric(self) -> None:
        """Raise :class:`InputError` naming the first column (and its first row) that does not hold numbers.

        Discrete variables stored as labels fail this check; use :meth:`encoded` to turn them into codes.
        """
        for v in self.variables:
            column = self.frame[v.name]
            if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
                continue
            values = pd.to_numeric(column.map(lambda x: None if isinstance(x, bool | np.bool_) else x), errors="coerce")
            bad = (values.isna() & column.notna()).to_numpy()
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"column {v.name!r} is not numeric: row {row_label(self.frame.index, first)} holds "
                    f"{column.iloc[first]!r} ({int(bad.sum())} non-numeric value(s) in all)",
                    where=f"column {v.name!r}",
                )

    def require_complete(self) -> None:
        """Raise :class:`InputError` naming the first column with missing cells, its first such row and count."""
        for v in self.variables:
            missing = self.frame[v.name].isna().to_numpy()
            if missing.any():
                first = int(np.flatnonzero(missing)[0])
                raise InputError(
                    f"column {v.name!r} has {int(missing.sum())} missing value(s), the first in row "
                    f"{row_label(self.frame.index, first)} (drop or impute them first)",
                    where=f"column {v.name!r}",
                )

    def encoded(self) -> np.ndarray:
        """An ``(n_rows, n_variables)`` float array: discrete values as their state's index, numbers as is.

        Missing cells are NaN. This is the form causal-learn's tests and most estimators want.
        """
        out = np.empty((self.n_rows, self.n_variables), dtype=float)
        for j, v in enumerate(self.variables):
            column = self.frame[v.name]
            if v.kind.is_discrete:
                labels = state_labels(column)
                states = v.states if v.states is not None else tuple(sorted(set(labels)))
                codes = {s: i for i, s in enumerate(states)}
                out[:, j] = np.nan
                positions = column.notna().to_numpy()
                out[positions, j] = labels.map(codes).to_numpy(dtype=float)
            else:
                out[:, j] = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        return out
