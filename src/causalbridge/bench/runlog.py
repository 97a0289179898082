"""The two files that make a benchmark run resumable: ``config.json`` and the append-only ``results.jsonl``.

A run may die at any instant (``kill -9``, a power cut, Ctrl-C). The log is therefore append-only, one complete
JSON line per finished item, written whole and flushed per finished batch before the batch is counted as done
(and fsynced at most once a second, see :class:`ResultLog`). The only damage a crash can do is a torn last line
(no newline at the end): reading the log drops it and truncates the file back to its last complete line, so the
next append starts clean. Any other bad line was not written by a crash and is reported with its line number
instead of being silently skipped.

``config.json`` records what the results mean (model, strategy and prompt version, dataset hash, whether options
were also asked reversed). Resuming with a different identity would mix incomparable answers in one log, so it is
refused with a message naming each difference.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from causalbridge.bench.items import BenchDataset, Meta
from causalbridge.bench.task import ItemResult
from causalbridge.errors import InputError

CONFIG_FILE = "config.json"
RESULTS_FILE = "results.jsonl"
CONFIG_VERSION = 1

#: Fields of :class:`RunConfig` that must match for a run directory to be resumed.
IDENTITY: tuple[str, ...] = ("model", "strategy", "prompt_version", "dataset_hash", "order_swap", "sample_seed")


def _plain(value: object) -> object:
    if isinstance(value, Meta):  # nested meta objects are encoded as the JSON objects they stand for
        return dict(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def dataset_hash(dataset: BenchDataset) -> str:
    """sha256 over the items' JSON lines (exactly :meth:`BenchItem.to_json`), in order: any change changes it.

    The same bytes as ``to_json`` are produced without its copy of every nested value (tuples are encoded as
    arrays and meta objects as objects directly): generated items carry their whole model in their meta, and
    hashing must stay a small part of the runner's per-item overhead.
    """
    digest = hashlib.sha256()
    encode = json.JSONEncoder(default=_plain, ensure_ascii=False, allow_nan=False).encode
    for item in dataset.items:
        fields = {
            "id": item.id,
            "dataset": item.dataset,
            "question": item.question,
            "options": item.options,
            "answer": item.answer,
            "meta": item.meta,
            "exact_value": item.exact_value,
            "derivation": item.derivation,
        }
        digest.update(encode(fields).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class RunConfig:
    """What a run directory holds answers to. ``sample_seed`` is None when every item is run (no ``limit``)."""

    model: str
    strategy: str
    prompt_version: str
    dataset: str
    dataset_hash: str
    order_swap: bool
    sample_seed: int | None
    dataset_spec: str | None = None
    dataset_size: int = 0
    limit: int | None = None
    version: int = CONFIG_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str) -> RunConfig:
        try:
            if data.get("version") != CONFIG_VERSION:
                raise ValueError(f"unsupported config version {data.get('version')!r}")
            known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            return cls(**known)
        except (TypeError, ValueError) as err:
            raise InputError(f"not a run config: {err}", where=where) from None

    def differences(self, other: RunConfig) -> list[str]:
        """One phrase per identity field that differs, saved value first.

        Two samples drawn with different seeds are different runs, but a sample and the whole dataset are not:
        the whole dataset contains every sample, so a sampled run can be completed to the full one and back.
        """
        diffs = []
        for name in IDENTITY:
            mine, theirs = getattr(self, name), getattr(other, name)
            if name == "sample_seed" and (mine is None or theirs is None):
                continue
            if mine != theirs:
                diffs.append(f"{name}: {mine!r} (saved) vs {theirs!r} (now)")
        return diffs


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write via a temporary file and ``os.replace`` so a crash never leaves half a JSON file."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_config(run_dir: Path) -> RunConfig:
    path = run_dir / CONFIG_FILE
    if not path.is_file():
        raise InputError(f"not a run directory (no {CONFIG_FILE})", where=str(run_dir))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"unreadable run config: {err}", where=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("a run config must be a JSON object", where=str(path))
    return RunConfig.from_dict(data, where=str(path))


def prepare_run_dir(run_dir: Path, config: RunConfig) -> RunConfig:
    """Create the directory and its config, or check that an existing one has the same identity.

    Returns the config the run continues under (the saved one, with this call's ``limit``).
    """
    config_path = run_dir / CONFIG_FILE
    if run_dir.exists() and not run_dir.is_dir():
        raise InputError("exists and is not a directory", where=str(run_dir))
    if config_path.is_file():
        saved = read_config(run_dir)
        diffs = saved.differences(config)
        if diffs:
            raise InputError(
                "this run directory holds a different run ("
                + "; ".join(diffs)
                + "); use another --out or delete the directory",
                where=str(run_dir),
            )
        config = RunConfig(**{**saved.to_dict(), "limit": config.limit, "dataset_spec": config.dataset_spec})
    elif (run_dir / RESULTS_FILE).exists():
        raise InputError(f"has {RESULTS_FILE} but no {CONFIG_FILE}; cannot tell what it holds", where=str(run_dir))
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(config_path, config.to_dict())
    return config


class ResultLog:
    """The append-only results file of one run directory.

    Every :meth:`append` writes whole lines and flushes them to the operating system, which is all a killed
    process needs (the kernel keeps what was written). ``fsync``, which also survives a power cut, costs several
    milliseconds on a busy disk, so an append fsyncs only when ``fsync_interval`` seconds have passed since the
    last fsync, and closing the log always does: a power cut can lose only items appended since the last fsync,
    and the next run simply answers them again.
    """

    def __init__(self, path: Path, fsync_interval: float = 1.0) -> None:
        self.path = path
        self.fsync_interval = fsync_interval
        self._fh: IO[str] | None = None
        self._synced_at = 0.0

    def read(self, repair: bool = True) -> dict[tuple[str, str], ItemResult]:
        """Every finished result by ``(dataset, id)``; a torn last line is dropped (and cut off if ``repair``).

        A duplicate key keeps the first line (the log is never written twice for one item, but a hand-merged
        file might be); any other malformed line is an :class:`InputError` naming ``file:line``.
        """
        if not self.path.exists():
            return {}
        raw = self.path.read_bytes()
        complete_end = raw.rfind(b"\n") + 1  # bytes up to and including the last newline
        if complete_end < len(raw) and repair:
            self._truncate(complete_end)
        results: dict[tuple[str, str], ItemResult] = {}
        for lineno, line in enumerate(raw[:complete_end].split(b"\n")[:-1], start=1):
            if not line.strip():
                continue
            where = f"{self.path}:{lineno}"
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("not UTF-8 text; delete the line or the run directory", where=where) from None
            result = ItemResult.from_json(text, where=where)
            results.setdefault(result.key, result)
        return results

    def _truncate(self, size: int) -> None:
        with self.path.open("r+b") as fh:
            fh.truncate(size)
            fh.flush()
            os.fsync(fh.fileno())

    def __enter__(self) -> ResultLog:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def append(self, results: Sequence[ItemResult]) -> None:
        """Write whole lines in one call and flush them: after this returns, they survive the process dying."""
        if not results:
            return
        if self._fh is None:
            raise RuntimeError("ResultLog.append outside 'with ResultLog(...)'")
        self._fh.write("".join(r.to_json() + "\n" for r in results))
        self._fh.flush()
        now = time.monotonic()
        if now - self._synced_at >= self.fsync_interval:
            os.fsync(self._fh.fileno())
            self._synced_at = now


def read_results(run_dir: Path) -> list[ItemResult]:
    """The results of a run directory in log order, without modifying the file."""
    return list(ResultLog(run_dir / RESULTS_FILE).read(repair=False).values())
