"""What every loader shares: file checks, line-numbered record readers, and one error for all bad records.

A loader reads every record before it fails, so that a user fixing a file sees all its problems at once, in one
:class:`InputError` whose ``where`` is the first bad ``file:line`` and whose message lists each bad record with
its line (JSON/CSV line numbers are 1-based physical lines, a CSV record spanning lines is named by its first).
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from causalbridge.errors import InputError

#: At most this many bad records are spelled out in the message (the count is always exact).
MAX_LISTED = 20


class RecordErrors:
    """Collects ``(location, message)`` problems for one file and raises them as one :class:`InputError`."""

    def __init__(self, path: Path, unit: str = "line") -> None:
        self.path = path
        self.unit = unit
        self.problems: list[tuple[int, str]] = []

    def add(self, location: int, message: str) -> None:
        self.problems.append((location, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        first = self.problems[0][0]
        listed = "; ".join(f"{self.unit} {loc}: {msg}" for loc, msg in self.problems[:MAX_LISTED])
        more = f"; ... and {len(self.problems) - MAX_LISTED} more" if len(self.problems) > MAX_LISTED else ""
        n = len(self.problems)
        raise InputError(
            f"{n} bad record{'s' if n > 1 else ''}: {listed}{more}",
            where=f"{self.path}:{first}" if self.unit == "line" else f"{self.path}[{first}]",
        )


def require_file(path: str | Path, what: str) -> Path:
    """The path as a :class:`Path`, or an :class:`InputError` that says which file the loader wanted."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} file not found", where=str(p))
    if not p.is_file():
        raise InputError(f"{what} must be a file, but this is a directory", where=str(p))
    return p


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text ({err.reason} at byte {err.start})", where=str(path)) from None


def jsonl_records(path: Path, errors: RecordErrors) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, object)`` for each non-blank line; a line that is not a JSON object goes to ``errors``."""
    # split on "\n" only: str.splitlines() would also break at U+2028 and friends, legal inside JSON strings
    for lineno, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            errors.add(lineno, f"invalid JSON ({err.msg} at column {err.colno})")
            continue
        if not isinstance(record, dict):
            errors.add(lineno, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield lineno, record


def csv_records(
    path: Path, errors: RecordErrors, required: Sequence[str], delimiter: str = ","
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` per CSV record after the header; a missing column fails at once (``file:1``)."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError("the file is empty (expected a header line)", where=f"{path}:1") from None
    except csv.Error as err:
        raise InputError(f"unreadable header: {err}", where=f"{path}:1") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} (found: {', '.join(header)}; delimiter {delimiter!r})",
            where=f"{path}:1",
        )
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            errors.add(start, f"unreadable CSV ({err})")
            return
        line, start = start, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.add(line, f"expected {len(header)} fields, found {len(row)}")
            continue
        yield line, dict(zip(header, row, strict=True))


def text_field(record: Mapping[str, Any], key: str, errors: RecordErrors, loc: int) -> str | None:
    """A required non-empty string field (stripped), or ``None`` after recording the problem."""
    if key not in record:
        errors.add(loc, f"missing field {key!r}")
        return None
    value = record[key]
    if not isinstance(value, str) or not value.strip():
        errors.add(loc, f"field {key!r} must be a non-empty string, got {value!r}")
        return None
    return value.strip()


def choice_field(record: Mapping[str, Any], key: str, allowed: Sequence[Any], errors: RecordErrors, loc: int) -> Any:
    """A required field whose value must be one of ``allowed`` (compared as given, so 1 is not "1")."""
    if key not in record:
        errors.add(loc, f"missing field {key!r}")
        return None
    value = record[key]
    if isinstance(value, bool) or value not in allowed:
        errors.add(loc, f"field {key!r} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
        return None
    return value


def seeded_order(options: Sequence[str], key: str, seed: int) -> tuple[str, ...]:
    """The options in an order fixed by ``(seed, key)``: deterministic across runs, machines and hash seeds.

    Used where a source lists the correct answer first (CRASS) or a fixed direction first (Tübingen), so that
    the answer's position carries no signal.
    """
    order = list(options)
    random.Random(f"{seed}:{key}").shuffle(order)
    return tuple(order)


def copa_style_question(premise: str, asks_for: str) -> str:
    """The wording COPA and e-CARE share: the premise, then what the alternatives must be."""
    ask = "What was the cause of this?" if asks_for == "cause" else "What happened as a result?"
    return f"{premise} {ask}"
