"""Tübingen cause-effect pairs (Mooij et al., JMLR 2016) as "does A cause B, or B cause A?" questions.

Two inputs give the same items: the index CSV (``pairs_index.csv``: names, descriptions, ground truth, column
ranges, weight), or the original pair folder (``pairmeta.txt`` for columns and weights, ``README`` for the names
and data source, ``pairNNNN_des.txt`` for the descriptions). Only the variable names and descriptions are used,
not the data: the question asks for causal knowledge.

Multivariate pairs (weight 0, or a cause/effect spanning several columns, e.g. pairs 52-55 and 71) have no
two-name question and are skipped. The variables are named, and the two options listed, in an order fixed by
``(seed, pair id)``, because the files put the cause first in most pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from causalbridge.bench.items import BenchDataset, BenchItem, Meta
from causalbridge.bench.load._common import RecordErrors, csv_records, read_text, require_file, seeded_order
from causalbridge.errors import InputError

INDEX_COLUMNS = (
    "pair_id",
    "var1_readme",
    "var2_readme",
    "ground_truth_pairmeta",
    "cause_cols",
    "effect_cols",
    "weight",
)


@dataclass(frozen=True, slots=True)
class _Pair:
    pair_id: str
    x: str
    y: str
    x_desc: str
    y_desc: str
    x_causes_y: bool
    weight: float
    source: str


def load_tuebingen(path: str | Path, *, seed: int = 0) -> BenchDataset:
    """Load the pairs from ``pairs_index.csv`` or from the original pair folder (``pairmeta.txt`` inside)."""
    src = Path(path)
    pairs = _from_folder(src) if src.is_dir() else _from_index(require_file(src, "Tübingen index"))
    items = [_item(p, seed) for p in pairs]
    return BenchDataset("tuebingen", tuple(items), str(src))


def _clean(text: str) -> str:
    return " ".join(text.split())


def _columns(text: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _item(pair: _Pair, seed: int) -> BenchItem:
    a, b = seeded_order((pair.x, pair.y), pair.pair_id, seed)
    desc = {pair.x: pair.x_desc, pair.y: pair.y_desc}

    def named(v: str) -> str:
        d = desc[v]
        return f"{v} ({d})" if d and d.lower() != v.lower() else v

    source = f" in the '{pair.source}' data" if pair.source else ""
    cause, effect = (pair.x, pair.y) if pair.x_causes_y else (pair.y, pair.x)
    return BenchItem(
        id=pair.pair_id,
        dataset="tuebingen",
        question=(
            f"Two variables were measured together{source}: {named(a)} and {named(b)}. "
            f"Does {a} cause {b}, or does {b} cause {a}?"
        ),
        options=(f"{a} causes {b}", f"{b} causes {a}"),
        answer=f"{cause} causes {effect}",
        meta=Meta(cause=cause, effect=effect, weight=pair.weight, source=pair.source, file_order=(pair.x, pair.y)),
    )


def _from_index(src: Path) -> list[_Pair]:
    errors = RecordErrors(src)
    pairs: list[_Pair] = []
    seen: dict[str, int] = {}
    for line, row in csv_records(src, errors, INDEX_COLUMNS):
        pair_id, x, y = row["pair_id"].strip(), _clean(row["var1_readme"]), _clean(row["var2_readme"])
        truth = row["ground_truth_pairmeta"].strip().replace(" ", "")
        cause, effect = _columns(row["cause_cols"]), _columns(row["effect_cols"])
        try:
            weight = float(row["weight"])
        except ValueError:
            errors.add(line, f"weight must be a number, got {row['weight']!r}")
            continue
        if not pair_id or not x or not y:
            errors.add(line, "pair_id, var1_readme and var2_readme must be non-empty")
            continue
        if pair_id in seen:
            errors.add(line, f"pair {pair_id} already listed on line {seen[pair_id]}")
            continue
        seen[pair_id] = line
        if cause is None or effect is None:
            errors.add(line, f"cause_cols/effect_cols must look like '1-1', got {row['cause_cols']!r}")
            continue
        if weight == 0 or cause[0] != cause[1] or effect[0] != effect[1]:
            continue  # multivariate pair: no two-name question
        if truth not in ("x->y", "y->x"):
            errors.add(line, f"ground_truth_pairmeta must be 'x->y' or 'y->x', got {row['ground_truth_pairmeta']!r}")
            continue
        if (truth == "x->y") != (cause[0] < effect[0]):
            errors.add(line, f"ground truth {truth} contradicts cause_cols {row['cause_cols']!r}")
            continue
        if x.lower() == y.lower():
            errors.add(line, f"both variables are named {x!r}")
            continue
        x_desc, y_desc = _clean(row.get("x_desc_from_des", "")), _clean(row.get("y_desc_from_des", ""))
        pairs.append(
            _Pair(pair_id, x, y, x_desc, y_desc, truth == "x->y", weight, _clean(row.get("source_readme", "")))
        )
    errors.raise_if_any()
    return pairs


_DESC = {v: re.compile(rf"^\s*{v}\s*(?:\([^)]*\))?\s*:\s*(.+?)\s*$", re.MULTILINE) for v in ("x", "y")}


def _readme_rows(readme: Path) -> dict[str, tuple[str, str, str]]:
    rows: dict[str, tuple[str, str, str]] = {}
    for line in read_text(readme).split("\n"):
        if not re.match(r"^pair\d{4}\s", line):
            continue
        fields = [f.strip() for f in re.split(r"\t|\s{2,}", line) if f.strip()]
        if len(fields) >= 4:
            rows[fields[0]] = (fields[1], fields[2], fields[3])
    return rows


def _from_folder(folder: Path) -> list[_Pair]:
    meta = require_file(folder / "pairmeta.txt", "Tübingen pairmeta.txt")
    names = _readme_rows(require_file(folder / "README", "Tübingen README"))
    errors = RecordErrors(meta)
    pairs: list[_Pair] = []
    for line, text in enumerate(read_text(meta).split("\n"), start=1):
        if not text.strip():
            continue
        parts = text.split()
        try:
            number, c1, c2, e1, e2 = (int(p) for p in parts[:5])
            weight = float(parts[5])
        except (ValueError, IndexError):
            errors.add(line, f"expected 'pair cause_first cause_last effect_first effect_last weight', got {text!r}")
            continue
        if weight == 0 or c1 != c2 or e1 != e2:
            continue
        pair_id = f"pair{number:04d}"
        if pair_id not in names:
            errors.add(line, f"{pair_id} has no row in the README's overview table")
            continue
        x, y, source = names[pair_id]
        des_file = folder / f"{pair_id}_des.txt"
        des = read_text(des_file) if des_file.is_file() else ""
        x_desc, y_desc = (_clean(m.group(1)) if (m := _DESC[v].search(des)) else "" for v in ("x", "y"))
        if x.lower() == y.lower():
            errors.add(line, f"both variables of {pair_id} are named {x!r}")
            continue
        pairs.append(_Pair(pair_id, x, y, x_desc, y_desc, c1 < e1, weight, source))
    errors.raise_if_any()
    if not pairs:
        raise InputError("pairmeta.txt lists no two-variable pair", where=str(meta))
    return pairs
