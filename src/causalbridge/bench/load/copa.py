"""COPA (Roemmele et al., 2011) and Balanced-COPA (Kavumba et al., 2019): pick the more plausible cause/effect.

Reads the JSON-lines form (``id``, ``asks-for``, ``premise``, ``choice1``, ``choice2``,
``most-plausible-alternative``) and the original XML release (``<item id= asks-for= most-plausible-alternative=>
<p/><a1/><a2/></item>``). The two alternatives keep the file's order; the answer is the one the label names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from causalbridge.bench.items import BenchDataset, BenchItem, Meta
from causalbridge.bench.load._common import (
    RecordErrors,
    choice_field,
    copa_style_question,
    jsonl_records,
    read_text,
    require_file,
    text_field,
)
from causalbridge.errors import InputError


def load_copa(path: str | Path) -> BenchDataset:
    """Load COPA or Balanced-COPA from a ``.jsonl`` or ``.xml`` file.

    ``meta["mirrored"]`` is True for Balanced-COPA's mirrored items (ids above 1000, as its README defines).
    """
    src = require_file(path, "COPA")
    errors = RecordErrors(src)
    records = _xml_records(src, errors) if src.suffix.lower() == ".xml" else jsonl_records(src, errors)
    items: list[BenchItem] = []
    seen: dict[str, int] = {}
    for line, record in records:
        raw_id = record.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, int | str) or not str(raw_id).strip():
            errors.add(line, f"field 'id' must be an integer or a string, got {raw_id!r}")
            continue
        item_id = str(raw_id).strip()
        asks_for = choice_field(record, "asks-for", ("cause", "effect"), errors, line)
        premise = text_field(record, "premise", errors, line)
        choices = (text_field(record, "choice1", errors, line), text_field(record, "choice2", errors, line))
        label = choice_field(record, "most-plausible-alternative", (1, 2), errors, line)
        if asks_for is None or premise is None or None in choices or label is None:
            continue
        if item_id in seen:
            errors.add(line, f"id {item_id} already used on line {seen[item_id]}")
            continue
        if choices[0] == choices[1]:
            errors.add(line, "the two alternatives are identical")
            continue
        seen[item_id] = line
        options = (str(choices[0]), str(choices[1]))
        items.append(
            BenchItem(
                id=item_id,
                dataset="copa",
                question=copa_style_question(premise, asks_for),
                options=options,
                answer=options[label - 1],
                meta=Meta(asks_for=asks_for, premise=premise, mirrored=item_id.isdigit() and int(item_id) > 1000),
            )
        )
    errors.raise_if_any()
    return BenchDataset("copa", tuple(items), str(src))


def _xml_records(path: Path, errors: RecordErrors) -> Iterator[tuple[int, dict[str, Any]]]:
    """COPA's XML as the same records as the JSON-lines form, each with the line of its ``<item>`` tag."""
    records: list[tuple[int, dict[str, Any]]] = []
    parser = expat.ParserCreate()
    current: dict[str, Any] | None = None
    field: str | None = None
    fields = {"p": "premise", "a1": "choice1", "a2": "choice2"}

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal current, field
        if tag == "item":
            current = {"id": attrs.get("id"), "asks-for": attrs.get("asks-for"), "premise": ""}
            label = attrs.get("most-plausible-alternative", "")
            current["most-plausible-alternative"] = int(label) if label.strip().isdigit() else label
            current["choice1"] = current["choice2"] = ""
            records.append((parser.CurrentLineNumber, current))
        elif current is not None and tag in fields:
            field = fields[tag]

    def end(tag: str) -> None:
        nonlocal current, field
        if tag == "item":
            current = None
        field = None

    def text(data: str) -> None:
        if current is not None and field is not None:
            current[field] += data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(read_text(path), True)
    except expat.ExpatError as err:
        raise InputError(f"invalid XML ({expat.errors.messages[err.code]})", where=f"{path}:{err.lineno}") from None
    if not records:
        raise InputError("no <item> elements: not a COPA XML file", where=str(path))
    yield from records
