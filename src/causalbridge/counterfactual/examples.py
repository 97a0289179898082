"""Labelled text examples read from JSONL, checked record by record so a bad one is reported as ``file:line``.

Two shapes are understood, one per file:

* NLI: ``{"premise": ..., "hypothesis": ..., "label": "entailment"}`` (the hypothesis is edited by default);
* single text (sentiment or any text classification): ``{"text": ..., "label": "positive"}``.

``id`` is optional: without it an example is named by a hash of its content, which stays the same when other
records are added or removed, so a resumed run recognises the examples it has already done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from causalbridge.errors import InputError

#: At most this many bad records are named in one error message.
_SHOWN_PROBLEMS = 5


@dataclass(frozen=True, slots=True)
class TaskKind:
    """A record shape: its text fields in display order, the field edited by default, and what the labels mean."""

    name: str
    fields: tuple[str, ...]
    edit_field: str
    description: str
    default_labels: tuple[str, ...] = ()


NLI = TaskKind(
    "nli",
    ("premise", "hypothesis"),
    "hypothesis",
    "Natural language inference: does the premise entail the hypothesis, contradict it, or neither?",
    ("entailment", "neutral", "contradiction"),
)
TEXT = TaskKind("sentiment", ("text",), "text", "Text classification (for example sentiment) of a short text.")
KINDS = (NLI, TEXT)


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled record; ``fields`` holds its text fields in the kind's order, ``where`` its ``file:line``."""

    id: str
    label: str
    fields: tuple[tuple[str, str], ...]
    where: str = ""

    def field(self, name: str) -> str:
        return dict(self.fields)[name]

    def with_field(self, name: str, text: str) -> dict[str, str]:
        """The fields as a dict with ``name`` replaced by ``text`` (an edited copy)."""
        return {key: (text if key == name else value) for key, value in self.fields}


@dataclass(frozen=True)
class ExampleSet:
    """The examples of one file, their kind and label set (judge options, in a fixed order)."""

    examples: tuple[Example, ...]
    kind: TaskKind
    labels: tuple[str, ...]
    source: str = "examples"

    def __len__(self) -> int:
        return len(self.examples)

    def __iter__(self) -> Iterator[Example]:
        return iter(self.examples)


def read_examples(path: str | Path, labels: Sequence[str] | None = None) -> ExampleSet:
    """Read and check a JSONL file of examples; every problem names ``file:line``.

    ``labels`` fixes the label set (and its order); by default it is the kind's standard set when the data's
    labels fall within it (NLI), else the data's labels sorted.
    """
    file = Path(path)
    if not file.is_file():
        raise InputError("examples file not found", where=str(file))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the examples: {exc}", where=str(file)) from None
    return parse_examples(text.splitlines(), str(file), labels)


def parse_examples(lines: Sequence[str], source: str, labels: Sequence[str] | None = None) -> ExampleSet:
    problems: list[tuple[str, str]] = []
    examples: list[Example] = []
    kind: TaskKind | None = None
    seen: dict[str, str] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("a record must be a JSON object")
            found = _kind_of(record)
            if kind is None:
                kind = found
            elif found is not kind:
                raise ValueError(f"a {found.name} record in a file of {kind.name} records (first record's shape)")
            example = _example(record, kind, where)
            if example.id in seen:
                raise ValueError(f"id {example.id!r} was already used at {seen[example.id]}")
        except json.JSONDecodeError as exc:
            problems.append((where, f"not valid JSON: {exc.msg} at column {exc.colno}"))
            continue
        except ValueError as exc:
            problems.append((where, str(exc)))
            continue
        seen[example.id] = where
        examples.append(example)
    if problems:
        first_where, first = problems[0]
        more = ""
        if len(problems) > 1:
            shown = ", ".join(w.rsplit(":", 1)[1] for w, _ in problems[1 : 1 + _SHOWN_PROBLEMS])
            extra = "" if len(problems) <= 1 + _SHOWN_PROBLEMS else ", ..."
            more = f" (and {len(problems) - 1} more bad records, at lines {shown}{extra})"
        raise InputError(first + more, where=first_where)
    if kind is None:
        raise InputError("no examples in the file", where=source)
    label_set = _labels(examples, kind, labels, source)
    return ExampleSet(tuple(examples), kind, label_set, source)


def _kind_of(record: Mapping[str, Any]) -> TaskKind:
    if "premise" in record or "hypothesis" in record:
        return NLI
    if "text" in record:
        return TEXT
    raise ValueError("expected the fields premise, hypothesis and label (NLI) or text and label")


def _example(record: Mapping[str, Any], kind: TaskKind, where: str) -> Example:
    fields: list[tuple[str, str]] = []
    for name in kind.fields:
        value = record.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name!r} must be a non-empty string, got {_shown(value)}")
        fields.append((name, value.strip()))
    label = record.get("label")
    if not isinstance(label, str) or not label.strip():
        hint = " (map numeric labels to their names first)" if isinstance(label, int | float) else ""
        raise ValueError(f"'label' must be a non-empty string, got {_shown(label)}{hint}")
    raw_id = record.get("id")
    if raw_id is None:
        digest = hashlib.sha256(json.dumps([fields, label.strip()], ensure_ascii=False).encode()).hexdigest()
        example_id = f"h{digest[:12]}"
    elif isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and str(raw_id).strip():
        example_id = str(raw_id).strip()
    else:
        raise ValueError(f"'id' must be a string or an integer, got {_shown(raw_id)}")
    return Example(example_id, label.strip(), tuple(fields), where)


def _labels(examples: Sequence[Example], kind: TaskKind, labels: Sequence[str] | None, source: str) -> tuple[str, ...]:
    present = {e.label for e in examples}
    if labels is not None:
        chosen = tuple(dict.fromkeys(label.strip() for label in labels if label.strip()))
        for e in examples:
            if e.label not in chosen:
                raise InputError(f"label {e.label!r} is not among the labels {list(chosen)}", where=e.where)
    elif kind.default_labels and present <= set(kind.default_labels):
        chosen = kind.default_labels
    else:
        chosen = tuple(sorted(present))
    if len(chosen) < 2:
        raise InputError(
            f"a judge needs at least two labels to choose from, found {list(chosen)}; give the label set", where=source
        )
    return chosen


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not None else "nothing"
    return text if len(text) <= 40 else text[:37] + "..."
