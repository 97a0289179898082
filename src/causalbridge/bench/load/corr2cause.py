"""Corr2Cause (Jin et al., ICLR 2024): from stated correlations and independences, does a causal claim follow?

The CSV has ``input`` ("Premise: ...\\nHypothesis: ...") and ``label`` (1 = the hypothesis holds in every DAG
that fits the premise), and in the Hugging Face release also ``num_variables`` and ``template``. This module
also owns the text format itself (the hypothesis wordings and a premise parser), which the Corr2Cause-style
generator writes, so that generated and published items read the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from causalbridge.bench.items import YES_NO, BenchDataset, BenchItem, Meta
from causalbridge.bench.load._common import RecordErrors, csv_records, require_file
from causalbridge.errors import InputError

#: The hypothesis wording of each template, about the ordered pair ``(a, b)``; the wording is Corr2Cause's.
TEMPLATE_TEXT: Mapping[str, str] = {
    "parent": "{a} directly causes {b}.",
    "child": "{b} directly causes {a}.",
    "non-parent ancestor": "{a} causes something else which causes {b}.",
    "non-child descendant": "{b} is a cause for {a}, but not a direct one.",
    "has_confounder": "There exists at least one confounder (i.e., common cause) of {a} and {b}.",
    "has_collider": "There exists at least one collider (i.e., common effect) of {a} and {b}.",
}
TEMPLATES: tuple[str, ...] = tuple(TEMPLATE_TEXT)

_HYPOTHESES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(.+?) directly causes (.+?)\.$"), "direct_cause"),
    (re.compile(r"^(.+?) causes something else which causes (.+?)\.$"), "indirect_cause"),
    (re.compile(r"^(.+?) is a cause for (.+?), but not a direct one\.$"), "indirect_cause"),
    (
        re.compile(r"^There exists at least one confounder \(i\.e\., common cause\) of (.+?) and (.+?)\.$"),
        "common_cause",
    ),
    (
        re.compile(r"^There exists at least one collider \(i\.e\., common effect\) of (.+?) and (.+?)\.$"),
        "common_effect",
    ),
)
_HEADER = re.compile(
    r"^Suppose there is a closed system of (\d+) variables?, (.+?)\. "
    r"All the statistical relations among these \d+ variables? (?:are|is) as follows:\s*(.*)$",
    re.DOTALL,
)
_CORR = re.compile(r"^(\S+) correlates with (\S+)$")
_MARGINAL = re.compile(r"^(\S+) is independent of (\S+)$")
_CONDITIONAL = re.compile(r"^(\S+) and (\S+) are independent given (.+)$")


def join_names(names: list[str] | tuple[str, ...]) -> str:
    """``A``, ``A and B``, ``A, B and C``: Corr2Cause's list style (no Oxford comma)."""
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def split_names(text: str) -> tuple[str, ...]:
    """The inverse of :func:`join_names` for names without commas or " and "."""
    head, _, last = text.rpartition(" and ")
    return (*[n.strip() for n in head.split(",")], last.strip()) if head else (last.strip(),)


def parse_hypothesis(text: str) -> tuple[str, str, str] | None:
    """``(relation, x, y)`` for a hypothesis in one of Corr2Cause's wordings, ``None`` for any other.

    ``relation`` is ``direct_cause`` / ``indirect_cause`` (x causes y) or ``common_cause`` / ``common_effect``.
    """
    for pattern, relation in _HYPOTHESES:
        match = pattern.match(text.strip())
        if match:
            return relation, match.group(1), match.group(2)
    return None


@dataclass(frozen=True, slots=True)
class Corr2CausePremise:
    """The facts a premise states: marginal correlations and (conditional) independences; all else dependent."""

    variables: tuple[str, ...]
    correlations: frozenset[frozenset[str]]
    independences: frozenset[tuple[frozenset[str], frozenset[str]]]
    """``(pair, conditioning set)`` for each stated independence."""


def parse_premise(text: str) -> Corr2CausePremise:
    """Parse a premise written in Corr2Cause's wording (single-token variable names, as in the dataset)."""
    body = text.strip().removeprefix("Premise:").strip()
    match = _HEADER.match(body)
    if not match:
        raise InputError("not a Corr2Cause premise (no 'Suppose there is a closed system of N variables')")
    variables = split_names(match.group(2))
    if len(variables) != int(match.group(1)):
        raise InputError(f"the premise announces {match.group(1)} variables but lists {len(variables)}")
    known = set(variables)
    corrs: set[frozenset[str]] = set()
    indeps: set[tuple[frozenset[str], frozenset[str]]] = set()
    for raw in re.split(r"(?<=\.)\s+", match.group(3).strip()):
        sentence = raw.strip().removeprefix("However,").strip().removesuffix(".")
        if not sentence:
            continue
        if m := _CORR.match(sentence):
            pair, given = frozenset(m.groups()), frozenset[str]()
        elif m := _MARGINAL.match(sentence):
            pair, given = frozenset(m.groups()), frozenset()
        elif m := _CONDITIONAL.match(sentence):
            pair, given = frozenset(m.groups()[:2]), frozenset(split_names(m.group(3)))
        else:
            raise InputError(f"unrecognised statement {raw!r}")
        if not (pair | given) <= known or len(pair) != 2:
            raise InputError(f"statement {raw!r} names a variable outside {join_names(list(variables))}")
        if m.re is _CORR:
            corrs.add(pair)
        else:
            indeps.add((pair, given))
    return Corr2CausePremise(variables, frozenset(corrs), frozenset(indeps))


def load_corr2cause(path: str | Path) -> BenchDataset:
    """Load a Corr2Cause CSV (``input``, ``label``; ``num_variables`` and ``template`` when present).

    Ids are ``c2c-<record number>`` (1-based, in file order); ``meta["relation"]`` and ``meta["pair"]`` come
    from the hypothesis wording, so results can be broken down even for files without a template column.
    """
    src = require_file(path, "Corr2Cause CSV")
    errors = RecordErrors(src)
    items: list[BenchItem] = []
    for number, (line, row) in enumerate(csv_records(src, errors, ("input", "label")), start=1):
        text = row["input"].strip()
        premise, sep, hypothesis = text.partition("\nHypothesis:")
        if not premise.startswith("Premise:") or not sep or not hypothesis.strip():
            errors.add(line, "field 'input' must read 'Premise: ...\\nHypothesis: ...'")
            continue
        label = row["label"].strip()
        if label not in ("0", "1"):
            errors.add(line, f"field 'label' must be 0 or 1, got {row['label']!r}")
            continue
        announced = _HEADER.match(premise.removeprefix("Premise:").strip())
        n_vars_text = row.get("num_variables", "").strip() or (announced.group(1) if announced else "")
        if not n_vars_text.isdigit() or int(n_vars_text) < 2:
            errors.add(line, f"field 'num_variables' must be an integer >= 2, got {n_vars_text!r}")
            continue
        if announced and int(announced.group(1)) != int(n_vars_text):
            errors.add(line, f"num_variables is {n_vars_text} but the premise announces {announced.group(1)}")
            continue
        template = row.get("template", "").strip() or None
        if template is not None and template not in TEMPLATE_TEXT:
            errors.add(line, f"unknown template {template!r} (known: {', '.join(TEMPLATES)})")
            continue
        parsed = parse_hypothesis(hypothesis)
        items.append(
            BenchItem(
                id=f"c2c-{number:05d}",
                dataset="corr2cause",
                question=text,
                options=YES_NO,
                answer="yes" if label == "1" else "no",
                meta=Meta(
                    template=template,
                    n_vars=int(n_vars_text),
                    hypothesis=hypothesis.strip(),
                    relation=parsed[0] if parsed else None,
                    pair=parsed[1:] if parsed else None,
                ),
            )
        )
    errors.raise_if_any()
    return BenchDataset("corr2cause", tuple(items), str(src))
