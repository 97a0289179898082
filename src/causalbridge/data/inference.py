"""Infer each column's :class:`VariableKind` and states from its values (and whatever the user declared).

Rules, applied to the non-missing values of a column unless a descriptions entry fixes the kind:

* ``bool`` -> binary (states ``False``, ``True``); a pandas ``Categorical`` -> categorical, binary when it has
  two categories, or ordinal when it is ordered, with the categories' order as the states' order;
* numbers that are all whole and take at most ``max_levels`` distinct values -> binary (2) or categorical, with
  the numbers' text as states in numeric order; other whole numbers -> count when none is negative;
  everything else numeric -> continuous;
* text -> categorical (binary with two values), states sorted; text that parses as numbers -> numbers;
* a column that mixes numbers and text is an error naming the first value of the minority type, unless its
  entry declares a discrete kind (then every value is a label).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from causalbridge.data.specs import VariableSpec
from causalbridge.data.variables import Variable, VariableKind
from causalbridge.errors import InputError, UnknownVariableError

#: Maps a row position (0-based, in the frame) to the place a user can find it: ``"data.csv:12"``, ``"row 11"``.
Locate = Callable[[int], str]

DEFAULT_MAX_LEVELS = 10


class DataWarning(UserWarning):
    """Data that can be used but probably is not what the user meant (constant columns, too few rows, ...)."""


_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside ``causalbridge.data``.

    Call it from the function that calls ``warnings.warn``; the warning then shows the user's line, however
    deep inside the readers it was raised.
    """
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and str(Path(frame.f_code.co_filename).resolve().parent) == _PACKAGE_DIR:
        frame = frame.f_back
        level += 1
    return level


def index_locator(frame: pd.DataFrame) -> Locate:
    """Name rows by their index label, which is what a pandas user sees."""
    return lambda pos: f"row {row_label(frame.index, pos)}"


def row_label(index: pd.Index, pos: int) -> str:
    """The index label at ``pos`` as a user would type it (``12``, not ``np.int64(12)``)."""
    value = index[pos]
    item = getattr(value, "item", None)
    return repr(item() if callable(item) else value)


def state_labels(series: pd.Series) -> pd.Series:
    """The text label of every non-missing value: whole floats lose their ``.0`` so ``1.0`` matches state ``"1"``."""
    values = series.dropna()
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.map(str)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.map(_number_label)
    return values.map(lambda v: _number_label(v) if isinstance(v, float | np.floating) else str(v))


def _number_label(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    if np.isfinite(number) and number == round(number):
        return str(int(number))
    return str(value)


def check_states(series: pd.Series, variable: Variable, locate: Locate) -> None:
    """Every value of a discrete column must be one of its variable's states."""
    if variable.states is None or series.empty:
        return
    labels = state_labels(series)
    allowed = set(variable.states)
    bad = ~labels.isin(allowed)
    if bool(bad.any()):
        first = int(np.flatnonzero(bad.to_numpy())[0])
        position = int(np.flatnonzero(series.notna().to_numpy())[first])  # robust to duplicate index labels
        raise InputError(
            f"column {variable.name!r} holds {labels.iloc[first]!r}, which is not one of its states "
            f"({', '.join(variable.states)})",
            where=locate(position),
        )


def infer_variables(
    frame: pd.DataFrame,
    specs: Mapping[str, VariableSpec] | None,
    *,
    max_levels: int = DEFAULT_MAX_LEVELS,
    locate: Locate | None = None,
    source: str = "data",
) -> tuple[pd.DataFrame, tuple[Variable, ...]]:
    """Coerce text columns that hold numbers, infer every column's variable, and warn about odd data.

    Returns the (possibly converted) frame and one :class:`Variable` per column, in column order.
    """
    locate = locate or index_locator(frame)
    names = [str(c) for c in frame.columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"duplicate column names: {', '.join(duplicates)}", where=source)
    frame = frame.set_axis(names, axis=1)
    if specs is not None:
        _check_spec_names(specs, names, source)
        undescribed = [n for n in names if n not in specs or specs[n].description is None]
        if undescribed:
            warnings.warn(
                f"{source}: no description for {len(undescribed)} column(s), using the column name instead: "
                + ", ".join(undescribed),
                DataWarning,
                stacklevel=user_stacklevel(),
            )
    columns: dict[str, pd.Series] = {}
    variables: list[Variable] = []
    for name in names:
        spec = (specs or {}).get(name, VariableSpec())
        column = _coerce(frame[name], name, spec, locate)
        variable = _infer_one(column, name, spec, max_levels, source)
        check_states(column, variable, locate)
        columns[name] = column
        variables.append(variable)
    converted = pd.DataFrame(columns, index=frame.index)
    _warn_about_shape(converted, variables, source)
    return converted, tuple(variables)


def _check_spec_names(specs: Mapping[str, VariableSpec], names: list[str], source: str) -> None:
    unknown = [n for n in specs if n not in names]
    if not unknown:
        return
    if len(unknown) == 1:
        raise UnknownVariableError(unknown[0], names, where=f"{source}: descriptions")
    raise InputError(
        f"the descriptions name {len(unknown)} columns the data does not have: {', '.join(unknown)} "
        f"(columns: {', '.join(names[:12])}{', ...' if len(names) > 12 else ''})",
        where=f"{source}: descriptions",
    )


def _coerce(series: pd.Series, name: str, spec: VariableSpec, locate: Locate) -> pd.Series:
    """Text columns become numbers when every value is a number; mixed columns are an error."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return series
    if pd.api.types.is_numeric_dtype(dtype):
        return series
    present = series.notna()
    if spec.kind is not None and spec.kind.is_discrete:
        return series.map(lambda v: v if isinstance(v, str) or pd.isna(v) else _number_label(v))
    # Only a column mixing Python bools into other values needs the per-cell pass; plain text goes straight in.
    plain = series if pd.api.types.infer_dtype(series, skipna=True) == "string" else series.map(_plain)
    as_numbers = pd.to_numeric(plain, errors="coerce")
    is_number = (as_numbers.notna() & present).to_numpy()
    is_text = (present & as_numbers.isna()).to_numpy()
    if not is_text.any():
        return as_numbers
    declared_numeric = spec.kind in (VariableKind.CONTINUOUS, VariableKind.COUNT)
    if not is_number.any():
        if not declared_numeric:
            return series
        first = int(np.flatnonzero(is_text)[0])
        raise InputError(
            f"column {name!r} is declared {spec.kind.value if spec.kind else ''}, but the column holds text "
            f"such as {series.iloc[first]!r}",
            where=locate(first),
        )
    numbers_win = declared_numeric or is_number.sum() >= is_text.sum()
    offending = int(np.flatnonzero(is_text if numbers_win else is_number)[0])
    majority, minority = ("numbers", "text") if numbers_win else ("text", "a number")
    raise InputError(
        f"column {name!r} mixes numbers and text: it holds {minority} {series.iloc[offending]!r} "
        f"but its other values are {majority} (declare its kind as categorical to read every value as a label)",
        where=locate(offending),
    )


def _plain(value: object) -> object:
    """Booleans are not numbers here: ``True`` in a text column is the label ``"True"``."""
    return None if isinstance(value, bool | np.bool_) else value


def _infer_one(series: pd.Series, name: str, spec: VariableSpec, max_levels: int, source: str) -> Variable:
    where = f"{source}: column {name!r}"
    kind, states = _infer_kind(series, max_levels)
    if spec.kind is not None:
        kind = _declared_kind(series, spec.kind, where)
        if not kind.is_discrete:
            states = None
    if spec.states is not None:
        states = spec.states
    elif kind.is_discrete and states is None:
        states = _sorted_labels(series)
    if kind is VariableKind.BINARY and spec.states is None and states is not None and len(states) < 2:
        kind = VariableKind.CATEGORICAL  # a declared yes/no column whose data only ever shows one value
    try:
        return Variable(
            name=name,
            description=spec.description or name,
            kind=kind,
            states=states,
            unit=spec.unit,
            readable_name=spec.readable_name,
        )
    except InputError as exc:
        raise InputError(exc.detail, where=where) from None


def _infer_kind(series: pd.Series, max_levels: int) -> tuple[VariableKind, tuple[str, ...] | None]:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return VariableKind.BINARY, ("False", "True")
    if isinstance(dtype, pd.CategoricalDtype):
        categories = tuple(state_labels(pd.Series(dtype.categories)))
        if dtype.ordered:
            return VariableKind.ORDINAL, categories
        return _discrete_kind(len(categories)), categories
    values = series.dropna()
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = values.to_numpy(dtype=float)
        whole = bool(np.all(np.isfinite(numbers) & (numbers == np.round(numbers))))
        distinct = np.unique(numbers)
        if whole and len(distinct) <= max_levels:
            return _discrete_kind(len(distinct)), tuple(_number_label(v) for v in distinct)
        if whole and (numbers.size == 0 or numbers.min() >= 0):
            return VariableKind.COUNT, None
        return VariableKind.CONTINUOUS, None
    states = _sorted_labels(series)
    return _discrete_kind(len(states)), states


def _discrete_kind(n_states: int) -> VariableKind:
    return VariableKind.BINARY if n_states == 2 else VariableKind.CATEGORICAL


def _sorted_labels(series: pd.Series) -> tuple[str, ...]:
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return tuple(_number_label(v) for v in np.unique(series.dropna().to_numpy(dtype=float)))
    return tuple(sorted(set(state_labels(series))))


def _declared_kind(series: pd.Series, kind: VariableKind, where: str) -> VariableKind:
    """A declared kind wins over inference, but a number kind must fit the values."""
    if kind.is_discrete:
        return kind
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise InputError(f"declared {kind.value}, but the column holds text", where=where)
    if kind is VariableKind.COUNT:
        numbers = series.dropna().to_numpy(dtype=float)
        bad = ~(np.isfinite(numbers) & (numbers == np.round(numbers)) & (numbers >= 0))
        if bad.any():
            raise InputError(
                f"declared count, but it holds {numbers[bad][0]!r} (counts are whole numbers >= 0)", where=where
            )
    return kind


def _warn_about_shape(frame: pd.DataFrame, variables: list[Variable], source: str) -> None:
    constant = [v.name for v in variables if _is_constant(frame[v.name])]
    if constant:
        warnings.warn(
            f"{source}: constant column(s) carry no information about causes: {', '.join(constant)}",
            DataWarning,
            stacklevel=user_stacklevel(),
        )
    if 0 < len(frame) < len(variables):
        warnings.warn(
            f"{source}: {len(frame)} rows for {len(variables)} variables; most methods need many more rows "
            "than variables",
            DataWarning,
            stacklevel=user_stacklevel(),
        )


def _is_constant(series: pd.Series) -> bool:
    values = series.dropna()
    if values.empty:
        return True
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return bool(values.min() == values.max())  # cheaper than counting distinct values
    return bool(values.nunique() <= 1)
