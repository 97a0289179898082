"""The output file: one JSON line per finished (example, target) pair, append-only, and safe to resume.

As in the benchmark runner's log, each finished batch is written whole, flushed and fsynced before the progress
bar moves, so a run killed at any instant leaves at most a torn last line (no final newline); reading drops it
and cuts the file back to its last complete line. Any other bad line was not written by a crash and is an
:class:`InputError` naming ``file:line``. Every line carries the run's identity (models, prompt version,
thresholds, candidates and seed); resuming with a different identity would mix incomparable edits in one file
and is refused with the differences.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from causalbridge.errors import InputError

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One generated edit and everything the filters measured about it."""

    edit: str | None
    edit_distance: float | None
    fluency: float | None
    fluency_method: str | None
    fluency_detail: str
    judge_label: str | None
    judge_prob: float | None
    judge_probs: tuple[tuple[str, float], ...]
    checks: Mapping[str, bool]
    kept: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "edit": self.edit,
            "kept": self.kept,
            "reasons": list(self.reasons),
            "judge_label": self.judge_label,
            "judge_prob": _round(self.judge_prob),
            "judge_probs": {label: _round(p) for label, p in self.judge_probs},
            "scores": {
                "edit_distance": _round(self.edit_distance),
                "fluency": _round(self.fluency),
                "fluency_method": self.fluency_method,
                "fluency_detail": self.fluency_detail,
                "judge_prob": _round(self.judge_prob),
            },
            "checks": dict(self.checks),
        }


@dataclass(frozen=True)
class CounterfactualRecord:
    """One output line: the original example, the chosen edit (the best kept candidate, else the best one) and,
    with several candidates, all of them."""

    id: str
    target: str
    original_label: str
    mode: str
    field: str
    original: Mapping[str, str]
    chosen: Candidate
    candidates: tuple[Candidate, ...]
    run: Mapping[str, Any]
    usage: Mapping[str, Any]

    @property
    def key(self) -> Key:
        return (self.id, self.target)

    @property
    def kept(self) -> bool:
        return self.chosen.kept

    def to_dict(self) -> dict[str, Any]:
        edited = None if self.chosen.edit is None else {**self.original, self.field: self.chosen.edit}
        data: dict[str, Any] = {
            "id": self.id,
            "intended_label": self.target,
            "original_label": self.original_label,
            "mode": self.mode,
            "field": self.field,
            "original": dict(self.original),
            "original_text": self.original[self.field],
            "edited": edited,
            **self.chosen.to_dict(),
        }
        if len(self.candidates) > 1:
            data["candidates"] = [c.to_dict() for c in self.candidates]
        data["run"] = dict(self.run)
        data["usage"] = dict(self.usage)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=False)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


class OutputLog:
    """The append-only output file of a run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None

    def read(self, run: Mapping[str, Any] | None = None, repair: bool = True) -> dict[Key, dict[str, Any]]:
        """The finished lines by ``(id, intended_label)``; a torn last line is dropped (and cut off if ``repair``).

        With ``run``, every line must carry that identity, else InputError naming the line and the differences.
        """
        if not self.path.exists():
            return {}
        if self.path.is_dir():
            raise InputError("is a directory; give a .jsonl file", where=str(self.path))
        raw = self.path.read_bytes()
        complete_end = raw.rfind(b"\n") + 1
        if complete_end < len(raw) and repair:
            with self.path.open("r+b") as fh:
                fh.truncate(complete_end)
                fh.flush()
                os.fsync(fh.fileno())
        done: dict[Key, dict[str, Any]] = {}
        for lineno, line in enumerate(raw[:complete_end].split(b"\n")[:-1], start=1):
            if not line.strip():
                continue
            where = f"{self.path}:{lineno}"
            data = _line(line, where)
            if run is not None and data["run"] != dict(run):
                raise InputError(
                    "this file holds edits from a different run ("
                    + "; ".join(_differences(data["run"], run))
                    + "); use another --out or delete the file",
                    where=where,
                )
            done.setdefault((data["id"], data["intended_label"]), data)
        return done

    def __enter__(self) -> OutputLog:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def append(self, records: Sequence[CounterfactualRecord]) -> None:
        """Write whole lines in one call, then flush and fsync: after this returns they survive a crash."""
        if not records:
            return
        if self._fh is None:
            raise RuntimeError("OutputLog.append outside 'with OutputLog(...)'")
        self._fh.write("".join(r.to_json() + "\n" for r in records))
        self._fh.flush()
        os.fsync(self._fh.fileno())


def _line(line: bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("not a JSON line written by this tool; delete the line or the file", where=where) from None
    if not isinstance(data, dict) or not all(k in data for k in ("id", "intended_label", "run", "kept")):
        raise InputError("not a counterfactual record (missing id, intended_label, run or kept)", where=where)
    if not isinstance(data["run"], dict):
        raise InputError("'run' must be an object", where=where)
    return data


def _differences(saved: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    keys = list(dict.fromkeys([*saved, *now]))
    return [f"{k}: {saved.get(k)!r} (saved) vs {now.get(k)!r} (now)" for k in keys if saved.get(k) != now.get(k)]
