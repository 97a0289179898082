"""CRASS (Frohberg & Binder, LREC 2022): counterfactual "what would have happened if ..." questions.

The ``;``-separated CSV lists ``PCTID``, ``BatchID``, ``Premise``, ``QCC`` (the counterfactual question),
``CorrectAnswer``, ``Answer1``, ``Answer2`` and an optional ``PossibleAnswer3``. The file always puts the correct
answer first, so the options are put in an order fixed by ``(seed, PCTID)``: the same on every run and machine,
and uncorrelated with correctness.
"""

from __future__ import annotations

from pathlib import Path

from causalbridge.bench.items import BenchDataset, BenchItem, Meta
from causalbridge.bench.load._common import RecordErrors, csv_records, require_file, seeded_order

COLUMNS = ("PCTID", "BatchID", "Premise", "QCC", "CorrectAnswer", "Answer1", "Answer2")


def load_crass(path: str | Path, *, seed: int = 0) -> BenchDataset:
    """Load the CRASS CSV; ``seed`` fixes the option order (the answer set never changes)."""
    src = require_file(path, "CRASS CSV")
    errors = RecordErrors(src)
    items: list[BenchItem] = []
    seen: dict[str, int] = {}
    for line, row in csv_records(src, errors, COLUMNS, delimiter=";"):
        values = {k: (row.get(k) or "").strip() for k in (*COLUMNS, "PossibleAnswer3")}
        empty = [k for k in COLUMNS if not values[k]]
        if empty:
            errors.add(line, f"empty field(s) {', '.join(empty)}")
            continue
        item_id = values["PCTID"]
        if item_id in seen:
            errors.add(line, f"PCTID {item_id} already used on line {seen[item_id]}")
            continue
        answers = [values["CorrectAnswer"], values["Answer1"], values["Answer2"]]
        if values["PossibleAnswer3"]:
            answers.append(values["PossibleAnswer3"])
        if len(set(answers)) != len(answers):
            errors.add(line, "two answers are identical")
            continue
        seen[item_id] = line
        items.append(
            BenchItem(
                id=item_id,
                dataset="crass",
                question=f"{values['Premise']} {values['QCC']}",
                options=seeded_order(answers, item_id, seed),
                answer=values["CorrectAnswer"],
                meta=Meta(batch=values["BatchID"], premise=values["Premise"], n_options=len(answers)),
            )
        )
    errors.raise_if_any()
    return BenchDataset("crass", tuple(items), str(src))
