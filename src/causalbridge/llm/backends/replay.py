"""Record any backend's answers to a JSONL file, and answer exactly from such a file later.

Recording happens at the level of the three operations (not HTTP), so it works for every backend, including the
simulated expert and third-party ones, and a replay returns bit-for-bit the same :class:`Completion`,
:class:`Choice` and :class:`Structured` values. A request is identified by a sha256 of the operation, the rendered
messages, the claim a query carries, and the operation's arguments (generation parameters, options, or schema and
retries). The first line of the file is a header with the recorded backend's name and capabilities, so a replay
of a simulation is still labelled a simulation.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from causalbridge.errors import InputError
from causalbridge.llm.claims import CausalClaim
from causalbridge.llm.errors import BackendError, ReplayMissError
from causalbridge.llm.types import (
    DEFAULT_PARAMS,
    Backend,
    Capabilities,
    Choice,
    Completion,
    GenerationParams,
    Prompt,
    Structured,
    T,
    Usage,
    as_messages,
    claim_of,
)
from causalbridge.llm.usage import UsageMeter

FORMAT_VERSION = 1


def _claim_json(claim: CausalClaim | None) -> dict[str, Any] | None:
    if claim is None:
        return None
    return {
        "relation": claim.relation.value,
        "variables": list(claim.variables),
        "given": list(claim.given),
        "meanings": [[text, answer.value if answer else None] for text, answer in claim.meanings],
    }


def request_key(op: str, prompt: Prompt, arguments: dict[str, Any]) -> str:
    """The hash that identifies one recorded request."""
    material = {
        "op": op,
        "messages": [[m.role, m.content] for m in as_messages(prompt)],
        "claim": _claim_json(claim_of(prompt)),
        "arguments": arguments,
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _params_json(params: GenerationParams) -> dict[str, Any]:
    return {**asdict(params), "stop": list(params.stop)}


def _structured_arguments(schema: type[Any], retries: int) -> dict[str, Any]:
    return {"schema": schema.model_json_schema(), "retries": retries}


class RecordingBackend:
    """Wraps a backend and appends every answer it gives to ``path`` (created with mode 0600)."""

    def __init__(self, inner: Backend, path: str | os.PathLike[str]) -> None:
        self.inner = inner
        self.path = Path(path)
        self.name = inner.name
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        if self.path.exists() and self.path.stat().st_size > 0:
            header, records = _read(self.path)
            if header["backend"] != inner.name:
                raise InputError(
                    f"this file records {header['backend']!r}, not {inner.name!r}; use another file",
                    where=str(self.path),
                )
            self._seen = set(records)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(fd)
            header = {"causalbridge_replay": FORMAT_VERSION, "backend": inner.name, "capabilities": {}}
            header["capabilities"] = asdict(inner.capabilities)
            self._append([header])

    @property
    def capabilities(self) -> Capabilities:
        return self.inner.capabilities

    @property
    def usage(self) -> Usage:
        return self.inner.usage

    def _append(self, lines: list[dict[str, Any]]) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            for line in lines:
                handle.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()

    def _record(self, op: str, prompts: Sequence[Prompt], arguments: dict[str, Any], responses: list[Any]) -> None:
        lines = []
        for prompt, response in zip(prompts, responses, strict=True):
            key = request_key(op, prompt, arguments)
            if key in self._seen:
                continue
            self._seen.add(key)
            lines.append({"key": key, "op": op, "response": response})
        if lines:
            self._append(lines)

    async def complete(self, prompts: Sequence[Prompt], params: GenerationParams = DEFAULT_PARAMS) -> list[Completion]:
        results = await self.inner.complete(prompts, params)
        responses = [{"text": r.text, "finish_reason": r.finish_reason} for r in results]
        self._record("complete", prompts, _params_json(params), responses)
        return results

    async def choose(self, prompts: Sequence[Prompt], options: Sequence[str]) -> list[Choice]:
        results = await self.inner.choose(prompts, options)
        responses = [
            {
                "probs": list(r.probs),
                "method": r.method,
                "samples": r.samples,
                "abstained": r.abstained,
                "abstentions": r.abstentions,
            }
            for r in results
        ]
        self._record("choose", prompts, {"options": list(options)}, responses)
        return results

    async def structured(self, prompts: Sequence[Prompt], schema: type[T], retries: int = 2) -> list[Structured[T]]:
        results = await self.inner.structured(prompts, schema, retries)
        responses = [
            {
                "value": None if r.value is None else r.value.model_dump(mode="json"),
                "attempts": r.attempts,
                "error": r.error,
            }
            for r in results
        ]
        self._record("structured", prompts, _structured_arguments(schema, retries), responses)
        return results


def _read(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The header and the recorded responses by key; malformed files raise InputError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("replay file not found", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the replay file: {error}", where=str(path)) from None
    header: dict[str, Any] | None = None
    records: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"not JSON: {error.msg}", where=f"{path}:{number}:{error.colno}") from None
        if header is None:
            if not isinstance(entry, dict) or entry.get("causalbridge_replay") != FORMAT_VERSION:
                raise InputError("not a causalbridge replay file (bad header line)", where=f"{path}:{number}")
            header = entry
        elif isinstance(entry, dict) and {"key", "op", "response"} <= entry.keys():
            records[str(entry["key"])] = entry
        else:
            raise InputError("a record needs 'key', 'op' and 'response'", where=f"{path}:{number}")
    if header is None:
        raise InputError("the replay file is empty", where=str(path))
    return header, records


class ReplayBackend:
    """Answers exactly what a :class:`RecordingBackend` wrote; a request it never saw raises ReplayMissError."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        header, self._records = _read(self.path)
        self.recorded_backend = str(header["backend"])
        try:
            self.capabilities = Capabilities(**header["capabilities"])
        except TypeError as error:
            raise InputError(f"bad capabilities in the header: {error}", where=f"{self.path}:1") from None
        self.name = f"replay:{self.path} (recorded from {self.recorded_backend})"
        self._meter = UsageMeter()

    @property
    def usage(self) -> Usage:
        return self._meter.total

    def _lookup(self, op: str, prompts: Sequence[Prompt], arguments: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for prompt in prompts:
            key = request_key(op, prompt, arguments)
            record = self._records.get(key)
            if record is None or record["op"] != op:
                raise ReplayMissError(str(self.path), key, op)
            found.append(record["response"])
        return found

    def _usages(self, n: int, start: float) -> list[Usage]:
        share = (time.perf_counter() - start) / max(1, n)
        usages = [Usage(queries=1, wall_seconds=share) for _ in range(n)]
        self._meter.add(Usage.total(usages))
        return usages

    async def complete(self, prompts: Sequence[Prompt], params: GenerationParams = DEFAULT_PARAMS) -> list[Completion]:
        start = time.perf_counter()
        found = self._lookup("complete", prompts, _params_json(params))
        usages = self._usages(len(found), start)
        return [Completion(r["text"], u, r["finish_reason"]) for r, u in zip(found, usages, strict=True)]

    async def choose(self, prompts: Sequence[Prompt], options: Sequence[str]) -> list[Choice]:
        start = time.perf_counter()
        found = self._lookup("choose", prompts, {"options": list(options)})
        usages = self._usages(len(found), start)
        return [
            Choice(
                tuple(options),
                tuple(float(p) for p in r["probs"]),
                u,
                r["method"],
                int(r["samples"]),
                bool(r["abstained"]),
                int(r["abstentions"]),
            )
            for r, u in zip(found, usages, strict=True)
        ]

    async def structured(self, prompts: Sequence[Prompt], schema: type[T], retries: int = 2) -> list[Structured[T]]:
        start = time.perf_counter()
        found = self._lookup("structured", prompts, _structured_arguments(schema, retries))
        usages = self._usages(len(found), start)
        results: list[Structured[T]] = []
        for record, usage in zip(found, usages, strict=True):
            value = record["value"]
            try:
                parsed = None if value is None else schema.model_validate(value)
            except ValueError as error:
                raise BackendError(
                    f"the recorded {schema.__name__} no longer validates ({error}); re-record {self.path}", self.name
                ) from None
            results.append(Structured(parsed, usage, int(record["attempts"]), record["error"]))
        return results
