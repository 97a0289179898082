"""Read a user's CSV/TSV/parquet file (plus an optional descriptions file) into a :class:`CausalDataset`.

Text files are parsed with the standard ``csv`` module rather than ``pandas.read_csv`` because every problem
must be reported at its line: pandas renames duplicate columns (``x.1``), pads short rows with NaN and reports
long ones in its own words. Each bad input raises one :class:`InputError` whose ``where`` is ``file:line`` or
``file: column 'x'``; nothing from pandas, pyarrow or yaml escapes for bad input.
"""

from __future__ import annotations

import csv
import gzip
import importlib
import io
import warnings
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from causalbridge.data.dataset import CausalDataset
from causalbridge.data.inference import DEFAULT_MAX_LEVELS, DataWarning, user_stacklevel
from causalbridge.data.specs import VariableSpec, load_descriptions, parse_descriptions
from causalbridge.errors import DependencyMissingError, InputError

#: Cells read as missing. Deliberately not ``None``: it is a state name in the child and insurance networks.
NA_TOKENS = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "<NA>", "#N/A"})

_DELIMITERS = (",", "\t", ";", "|")
_PARQUET = (".parquet", ".pq")

Missing = Literal["error", "drop", "keep"]


def read_dataset(
    path: str | Path,
    descriptions: str | Path | Mapping[str, Any] | None = None,
    sep: str | None = None,
    *,
    missing: Missing = "error",
    na_values: Collection[str] | None = None,
    max_levels: int = DEFAULT_MAX_LEVELS,
) -> CausalDataset:
    """Read ``path`` (``.csv``, ``.tsv``, ``.txt``, optionally ``.gz``; or ``.parquet``) into a dataset.

    ``sep`` is the delimiter; by default it is guessed from the header among ``, \\t ; |``. ``descriptions``
    is a YAML/JSON file or a mapping (see :mod:`causalbridge.data.specs`). ``missing`` decides what happens
    to empty/``NA`` cells: ``"error"`` (the default) names the first one, ``"drop"`` drops incomplete rows
    with a warning, ``"keep"`` keeps them as missing values. ``na_values`` replaces :data:`NA_TOKENS`.
    """
    file = Path(path)
    if not file.exists():
        raise InputError("file not found", where=str(file))
    if not file.is_file():
        raise InputError("not a file", where=str(file))
    if missing not in ("error", "drop", "keep"):
        raise InputError(f"missing must be 'error', 'drop' or 'keep', not {missing!r}", where="read_dataset")
    specs = _specs(descriptions)
    tokens = NA_TOKENS if na_values is None else frozenset(na_values)
    if file.suffix.lower() in _PARQUET:
        frame, locate = _read_parquet(file)
    else:
        frame, locate = _read_text(file, sep, tokens)
    frame, locate = _handle_missing(frame, locate, missing, str(file))
    return CausalDataset.infer(frame, specs, max_levels=max_levels, source=str(file), locate=locate)


def _specs(descriptions: str | Path | Mapping[str, Any] | None) -> dict[str, VariableSpec] | None:
    if descriptions is None:
        return None
    if isinstance(descriptions, str | Path):
        return load_descriptions(descriptions)
    return parse_descriptions(descriptions)


# ---------------------------------------------------------------------- text files
def _read_text(file: Path, sep: str | None, tokens: frozenset[str]) -> tuple[pd.DataFrame, Callable[[int], str]]:
    text = _decode(file)
    if not text.strip():
        raise InputError("the file is empty", where=str(file))
    if sep is not None and len(sep) != 1:
        raise InputError(f"sep must be one character, not {sep!r}", where=str(file))
    delimiter = sep or _guess_delimiter(file, text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    try:
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank line
            if header is None:
                header, header_line = [c.strip() for c in record], start
                _check_header(header, file, header_line)
                continue
            if len(record) != len(header):
                raise InputError(
                    f"expected {len(header)} fields (as in the header on line {header_line}) but found {len(record)}",
                    where=f"{file}:{start}",
                )
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise InputError(f"cannot parse the file: {exc}", where=f"{file}:{reader.line_num}") from None
    assert header is not None
    if not rows:
        raise InputError(f"the file has a header (line {header_line}) but no data rows", where=str(file))
    columns: dict[str, pd.Series] = {}
    for name, cells in zip(header, zip(*rows, strict=True), strict=True):
        column = pd.Series(cells, dtype=object).str.strip()
        columns[name] = column.mask(column.isin(tokens), None)
    frame = pd.DataFrame(columns)
    line_numbers = np.asarray(lines)
    return frame, _line_locator(file, line_numbers)


def _line_locator(file: Path, line_numbers: np.ndarray) -> Callable[[int], str]:
    return lambda pos: f"{file}:{int(line_numbers[pos])}"


def _decode(file: Path) -> str:
    try:
        raw = file.read_bytes()
        if file.suffix.lower() == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"cannot read the file: {exc}", where=str(file)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte {raw[exc.start]:#04x}); save the file as UTF-8", where=f"{file}:{line}"
        ) from None


def _guess_delimiter(file: Path, text: str) -> str:
    """The delimiter that splits the header into the most fields; tab for .tsv files."""
    inner = file.name.lower().removesuffix(".gz")
    if inner.endswith((".tsv", ".tab")):
        return "\t"
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_fields = ",", 1
    for delimiter in _DELIMITERS:
        fields = len(next(csv.reader([first], delimiter=delimiter)))
        if fields > best_fields:
            best, best_fields = delimiter, fields
    return best


def _check_header(header: list[str], file: Path, line: int) -> None:
    for j, name in enumerate(header):
        if not name:
            raise InputError(f"column {j + 1} of the header has no name", where=f"{file}:{line}")
    seen: dict[str, int] = {}
    for j, name in enumerate(header):
        if name in seen:
            raise InputError(
                f"duplicate column name {name!r} (columns {seen[name] + 1} and {j + 1})", where=f"{file}:{line}"
            )
        seen[name] = j


# ---------------------------------------------------------------------- parquet
def _read_parquet(file: Path) -> tuple[pd.DataFrame, Callable[[int], str]]:
    try:
        pq = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise DependencyMissingError("pyarrow", "reading parquet files", extra="parquet") from None
    try:
        names = [str(n) for n in pq.read_schema(file).names]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise InputError(f"duplicate column names: {', '.join(duplicates)}", where=str(file))
        if not names:
            raise InputError("the file is empty (no columns)", where=str(file))
        table = pq.read_table(file)
    except InputError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types for a corrupt file
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read the parquet file: {first}", where=str(file)) from None
    if table.num_rows == 0:
        raise InputError(f"the file has columns ({', '.join(names[:8])}) but no data rows", where=str(file))
    frame = table.to_pandas().reset_index(drop=True)
    return frame, lambda pos: f"{file}: row {pos + 1}"


# ---------------------------------------------------------------------- missing values
def _handle_missing(
    frame: pd.DataFrame, locate: Callable[[int], str], missing: Missing, source: str
) -> tuple[pd.DataFrame, Callable[[int], str]]:
    mask: np.ndarray = frame.isna().to_numpy()
    if missing == "keep" or not mask.any():
        return frame, locate
    incomplete = mask.any(axis=1)
    if missing == "error":
        row = int(np.flatnonzero(incomplete)[0])
        column = str(frame.columns[int(np.flatnonzero(mask[row])[0])])
        bad_columns = [str(frame.columns[int(j)]) for j in np.flatnonzero(mask.any(axis=0))]
        raise InputError(
            f"missing value ({int(mask.sum())} missing cell(s) in {int(incomplete.sum())} row(s), in column(s) "
            f"{', '.join(bad_columns)}); drop incomplete rows with --missing drop (Python: missing='drop')",
            where=f"{locate(row)}: column {column!r}",
        )
    keep = np.flatnonzero(~incomplete)
    if keep.size == 0:
        raise InputError("every row has a missing value; nothing is left after dropping them", where=source)
    warnings.warn(
        f"{source}: dropped {int(incomplete.sum())} of {len(frame)} rows with missing values",
        DataWarning,
        stacklevel=user_stacklevel(),
    )
    kept = frame.iloc[keep].reset_index(drop=True)
    return kept, lambda pos: locate(int(keep[pos]))
