"""CLadder (Jin et al., NeurIPS 2023): yes/no questions on the three rungs of Pearl's ladder of causation.

Reads the generator outputs of the official repository (``test-generate-<variant>.json``, one JSON array each)
and joins every question to its causal model in ``test-model-meta.json`` (by ``meta.model_id``) for the
background text, the graph and the variable names. The question shown to a model is
``background + given_info + question``, as in the CLadder paper's prompt.

The file's variant names the naming mode: ``easy`` and ``hard`` (commonsensical stories, two difficulty levels)
and ``det`` (deterministic mechanisms) are ``commonsense``; ``anti`` is ``anticommonsense``; ``non`` is
``nonsense``. The raw variant is kept in ``meta["variant"]``; a file with another name falls back to the model's
own ``nonsense`` / ``anticommonsense`` flags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from causalbridge.bench.items import YES_NO, BenchDataset, BenchItem, Meta
from causalbridge.bench.load._common import RecordErrors, choice_field, read_text, require_file, text_field
from causalbridge.errors import InputError

META_FILE = "test-model-meta.json"
QUESTION_GLOB = "test-generate-*.json"

VARIANT_NAMING: Mapping[str, str] = {
    "easy": "commonsense",
    "hard": "commonsense",
    "det": "commonsense",
    "deterministic": "commonsense",
    "commonsense": "commonsense",
    "anti": "anticommonsense",
    "anticommonsense": "anticommonsense",
    "non": "nonsense",
    "nonsense": "nonsense",
}

_EDGE = re.compile(r"^\s*(\w+)\s*->\s*(\w+)\s*$")


def load_cladder(path: str | Path, *, meta_path: str | Path | None = None) -> BenchDataset:
    """Load one ``test-generate-*.json`` file, or every such file in a directory (sorted by name).

    ``meta_path`` defaults to ``test-model-meta.json`` beside the question file(s).
    """
    src = Path(path)
    if src.is_dir():
        files = sorted(p for p in src.glob(QUESTION_GLOB) if p.name != META_FILE)
        if not files:
            raise InputError(f"no CLadder question files ({QUESTION_GLOB}) in this directory", where=str(src))
    else:
        files = [require_file(src, "CLadder question")]
    meta_file = require_file(Path(meta_path) if meta_path else files[0].parent / META_FILE, "CLadder model-meta")
    models = _read_models(meta_file)
    items: list[BenchItem] = []
    for file in files:
        items.extend(_read_questions(file, models))
    return BenchDataset("cladder", tuple(items), str(src))


def _load_array(path: Path) -> list[Any]:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as err:
        raise InputError(f"invalid JSON ({err.msg})", where=f"{path}:{err.lineno}:{err.colno}") from None
    if not isinstance(data, list):
        raise InputError(f"expected a JSON array of records, got {type(data).__name__}", where=str(path))
    return data


def _read_models(path: Path) -> dict[int, Mapping[str, Any]]:
    errors = RecordErrors(path, unit="record")
    models: dict[int, Mapping[str, Any]] = {}
    for i, record in enumerate(_load_array(path)):
        if not isinstance(record, dict):
            errors.add(i, f"expected a JSON object, got {type(record).__name__}")
            continue
        model_id = record.get("model_id")
        if not isinstance(model_id, int) or isinstance(model_id, bool):
            errors.add(i, f"field 'model_id' must be an integer, got {model_id!r}")
            continue
        if model_id in models:
            errors.add(i, f"model_id {model_id} appears twice")
            continue
        if text_field(record, "background", errors, i) is None:
            continue
        structure = record.get("structure", "")
        if not isinstance(structure, str) or (structure and not all(_EDGE.match(e) for e in structure.split(","))):
            errors.add(i, f"field 'structure' must look like 'X->Y,V2->Y', got {structure!r}")
            continue
        if not isinstance(record.get("variable_mapping", {}), dict):
            errors.add(i, "field 'variable_mapping' must be an object")
            continue
        models[model_id] = record
    errors.raise_if_any()
    return models


def _variant(path: Path) -> str:
    stem = path.stem
    return stem.rsplit("-", 1)[-1] if "-" in stem else stem


def _naming(variant: str, model: Mapping[str, Any]) -> str:
    if variant in VARIANT_NAMING:
        return VARIANT_NAMING[variant]
    if model.get("nonsense"):
        return "nonsense"
    if model.get("anticommonsense"):
        return "anticommonsense"
    return "commonsense"


def _graph(structure: str) -> tuple[tuple[str, str], ...]:
    edges = []
    for part in structure.split(",") if structure else []:
        match = _EDGE.match(part)
        assert match is not None  # checked in _read_models
        edges.append((match.group(1), match.group(2)))
    return tuple(edges)


def _variables(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {key[: -len("name")]: value for key, value in mapping.items() if key.endswith("name")}


def _derivation(reasoning: Any) -> str | None:
    if not isinstance(reasoning, dict) or not reasoning:
        return None
    lines = [f"{key}: {value}" for key, value in reasoning.items() if str(value).strip()]
    return "\n".join(lines) or None


def _read_questions(path: Path, models: Mapping[int, Mapping[str, Any]]) -> list[BenchItem]:
    errors = RecordErrors(path, unit="record")
    variant = _variant(path)
    items: list[BenchItem] = []
    seen: dict[str, int] = {}
    for i, record in enumerate(_load_array(path)):
        if not isinstance(record, dict):
            errors.add(i, f"expected a JSON object, got {type(record).__name__}")
            continue
        desc_id = text_field(record, "desc_id", errors, i)
        question = text_field(record, "question", errors, i)
        answer = choice_field(record, "answer", YES_NO, errors, i)
        given = record.get("given_info", "")
        meta = record.get("meta")
        if not isinstance(given, str):
            errors.add(i, f"field 'given_info' must be a string, got {given!r}")
            continue
        if not isinstance(meta, dict):
            errors.add(i, "missing or non-object field 'meta'")
            continue
        rung = choice_field(meta, "rung", (1, 2, 3), errors, i)
        query_type = text_field(meta, "query_type", errors, i)
        model_id = meta.get("model_id")
        if desc_id is None or question is None or answer is None or rung is None or query_type is None:
            continue
        if not isinstance(model_id, int) or model_id not in models:
            errors.add(i, f"meta.model_id {model_id!r} is not in {META_FILE}")
            continue
        if desc_id in seen:
            errors.add(i, f"desc_id {desc_id!r} already used by record {seen[desc_id]}")
            continue
        seen[desc_id] = i
        model = models[model_id]
        background = str(model["background"]).strip()
        groundtruth = meta.get("groundtruth")
        exact = groundtruth if isinstance(groundtruth, int | float) and not isinstance(groundtruth, bool) else None
        extra = {
            "question_id": record.get("question_id"),
            "variant": variant,
            "naming": _naming(variant, model),
            "graph": _graph(str(model.get("structure", ""))),
            "variables": _variables(model.get("variable_mapping", {})),
            "difficulty": model.get("difficulty"),
            "builder": model.get("builder"),
            "equation_type": model.get("equation_type"),
            "anticommonsense_change": model.get("anticommonsense"),
        }
        try:
            items.append(
                BenchItem(
                    id=desc_id,
                    dataset="cladder",
                    question=" ".join(part for part in (background, given.strip(), question) if part),
                    options=YES_NO,
                    answer=answer,
                    meta=Meta({**meta, **extra}),
                    exact_value=exact,
                    derivation=_derivation(record.get("reasoning")),
                )
            )
        except InputError as err:
            errors.add(i, str(err))
    errors.raise_if_any()
    return items
