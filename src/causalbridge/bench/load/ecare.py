"""e-CARE (Du et al., ACL 2022): COPA-style causal reasoning questions, two hypotheses, one plausible.

Reads the causal-reasoning files (``Causal_Reasoning__*.jsonl``: ``index``, ``premise``, ``ask-for``,
``hypothesis1``, ``hypothesis2``, ``label`` 0/1). The explanation-generation files are a free-text task with no
options, so they are refused with a message rather than loaded as a second kind of item.
"""

from __future__ import annotations

from pathlib import Path

from causalbridge.bench.items import BenchDataset, BenchItem, Meta
from causalbridge.bench.load._common import (
    RecordErrors,
    choice_field,
    copa_style_question,
    jsonl_records,
    require_file,
    text_field,
)
from causalbridge.errors import InputError

_EXPLANATION_FIELDS = {"cause", "effect", "conceptual_explanation"}


def load_ecare(path: str | Path) -> BenchDataset:
    """Load an e-CARE causal-reasoning ``.jsonl`` file; ids are the file's ``index`` values (``dev-0``, ...)."""
    src = require_file(path, "e-CARE")
    errors = RecordErrors(src)
    items: list[BenchItem] = []
    seen: dict[str, int] = {}
    for line, record in jsonl_records(src, errors):
        if record.keys() >= _EXPLANATION_FIELDS and "premise" not in record:
            raise InputError(
                "this is an e-CARE explanation-generation file (free text, no options); "
                "load a Causal_Reasoning__*.jsonl file instead",
                where=f"{src}:{line}",
            )
        item_id = text_field(record, "index", errors, line)
        premise = text_field(record, "premise", errors, line)
        asks_for = choice_field(record, "ask-for", ("cause", "effect"), errors, line)
        hyps = (text_field(record, "hypothesis1", errors, line), text_field(record, "hypothesis2", errors, line))
        label = choice_field(record, "label", (0, 1), errors, line)
        if item_id is None or premise is None or asks_for is None or None in hyps or label is None:
            continue
        if item_id in seen:
            errors.add(line, f"index {item_id!r} already used on line {seen[item_id]}")
            continue
        if hyps[0] == hyps[1]:
            errors.add(line, "the two hypotheses are identical")
            continue
        seen[item_id] = line
        options = (str(hyps[0]), str(hyps[1]))
        items.append(
            BenchItem(
                id=item_id,
                dataset="e-care",
                question=copa_style_question(premise, asks_for),
                options=options,
                answer=options[label],
                meta=Meta(asks_for=asks_for, premise=premise),
            )
        )
    errors.raise_if_any()
    return BenchDataset("e-care", tuple(items), str(src))
