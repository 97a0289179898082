"""The benchmark item and dataset types every generator, loader, runner and scorer shares.

A :class:`BenchItem` is one multiple-choice question with its gold answer. The question text never lists the
options: the solver renders them (or scores them with ``choose``), so asking the same item with its options in
another order (order-swap consistency) is a pure reordering, :meth:`BenchItem.with_options`.

Everything a source knows about an item that is not the question itself (rung, query type, naming mode, graph,
template, ...) goes into :attr:`BenchItem.meta`, an immutable, hashable, JSON-compatible :class:`Meta`, so that
scorers can break results down by any key and a JSONL file round-trips an item exactly.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias, Union

from causalbridge.errors import InputError

#: The options of every yes/no item, in this order.
YES_NO: tuple[str, str] = ("yes", "no")

#: The shared vocabulary for ``meta["naming"]``: how the variables of a question are named. ``story`` is a
#: real-world theme told as a story, ``commonsense`` real names whose causal story agrees with common sense,
#: ``anticommonsense`` real names whose story contradicts it (separates reasoning from memorised knowledge),
#: ``nonsense`` made-up tokens, ``symbolic`` bare letters (A, B, C, ...), ``user`` names the user supplied.
NAMING_MODES: tuple[str, ...] = ("story", "commonsense", "anticommonsense", "nonsense", "symbolic", "user")

MetaScalar: TypeAlias = str | int | float | bool | None
MetaValue: TypeAlias = Union[MetaScalar, tuple["MetaValue", ...], "Meta"]


class Meta(Mapping[str, Any]):
    """An immutable, hashable mapping of JSON-compatible values (lists become tuples, dicts become ``Meta``).

    Frozen all the way down so that a :class:`BenchItem` is a true value: hashable, safe to share between
    threads and impossible to change behind a cache's back. Values are typed ``Any`` (every value is a
    :data:`MetaValue`) so that callers can use ``item.meta["rung"]`` without a cast per access.
    """

    __slots__ = ("_data", "_hash")

    _data: dict[str, MetaValue]
    _hash: int | None

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), /, **kwargs: Any) -> None:
        raw = dict(data)
        raw.update(kwargs)
        frozen: dict[str, MetaValue] = {}
        for key, value in raw.items():
            if not isinstance(key, str):
                raise InputError(f"meta keys must be strings, got {type(key).__name__} {key!r}")
            frozen[key] = freeze(value, where=f"meta[{key!r}]")
        object.__setattr__(self, "_data", frozen)
        object.__setattr__(self, "_hash", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Meta is immutable")

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._data.items())))
        assert self._hash is not None
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Meta):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Meta({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # pickling goes through __init__, which re-freezes
        return (Meta, (self._data,))

    def updated(self, **changes: Any) -> Meta:
        """A copy with ``changes`` applied (a value of ``None`` is stored, not removed)."""
        return Meta({**self._data, **changes})

    def to_plain(self) -> dict[str, Any]:
        """Plain dicts and lists, ready for :func:`json.dumps`."""
        return {k: thaw(v) for k, v in self._data.items()}


def freeze(value: Any, where: str = "value") -> MetaValue:
    """Turn a JSON-like value into its immutable form; anything JSON cannot hold is an :class:`InputError`."""
    # numpy scalars and arrays first: np.float64 subclasses float but must be stored as a plain float
    if type(value).__module__ == "numpy" and callable(getattr(value, "tolist", None)):
        return freeze(value.tolist(), where=where)
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"non-finite number {value!r} cannot be stored in JSON", where=where)
        return value
    if isinstance(value, Meta):
        return value
    if isinstance(value, Mapping):
        return Meta(value)
    if isinstance(value, list | tuple):
        return tuple(freeze(v, where=f"{where}[{i}]") for i, v in enumerate(value))
    raise InputError(f"a value of type {type(value).__name__} cannot be stored in JSON", where=where)


def thaw(value: MetaValue) -> Any:
    """The inverse of :func:`freeze`: tuples back to lists, :class:`Meta` back to dicts."""
    if isinstance(value, Meta):
        return value.to_plain()
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class BenchItem:
    """One multiple-choice question with its gold answer.

    ``question`` is the full text shown to a model (context and background included, options excluded);
    ``answer`` is one of ``options``. ``exact_value`` is the number the answer was computed from, when there is
    one (an effect size, a probability); ``derivation`` says in a few lines how the answer follows.
    """

    id: str
    dataset: str
    question: str
    options: tuple[str, ...]
    answer: str
    meta: Meta = field(default_factory=Meta)
    exact_value: float | None = None
    derivation: str | None = None

    def __post_init__(self) -> None:
        where = f"item {self.id!r}" if isinstance(self.id, str) else "item"
        for name in ("id", "dataset", "question", "answer"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"{name} must be a non-empty string, got {value!r}", where=where)
        options = self.options
        if isinstance(options, str) or not isinstance(options, Iterable):
            raise InputError(f"options must be a sequence of strings, got {options!r}", where=where)
        options = tuple(options)
        if len(options) < 2:
            raise InputError(f"an item needs at least two options, got {options!r}", where=where)
        for opt in options:
            if not isinstance(opt, str) or not opt.strip():
                raise InputError(f"every option must be a non-empty string, got {opt!r}", where=where)
        if len(set(options)) != len(options):
            raise InputError(f"options repeat: {options!r}", where=where)
        if self.answer not in options:
            raise InputError(f"answer {self.answer!r} is not one of the options {options!r}", where=where)
        object.__setattr__(self, "options", options)
        if not isinstance(self.meta, Meta):
            if not isinstance(self.meta, Mapping):
                raise InputError(f"meta must be a mapping, got {type(self.meta).__name__}", where=where)
            object.__setattr__(self, "meta", Meta(self.meta))
        if self.exact_value is not None:
            if isinstance(self.exact_value, bool) or not isinstance(self.exact_value, int | float):
                raise InputError(f"exact_value must be a number or None, got {self.exact_value!r}", where=where)
            if not math.isfinite(self.exact_value):
                raise InputError(f"exact_value must be finite, got {self.exact_value!r}", where=where)
            object.__setattr__(self, "exact_value", float(self.exact_value))
        if self.derivation is not None and not isinstance(self.derivation, str):
            raise InputError(f"derivation must be a string or None, got {self.derivation!r}", where=where)

    @property
    def answer_index(self) -> int:
        """Position of the gold answer in :attr:`options`."""
        return self.options.index(self.answer)

    @property
    def is_yes_no(self) -> bool:
        return set(self.options) == set(YES_NO)

    def with_options(self, options: Iterable[str]) -> BenchItem:
        """The same item with its options in another order (the same set, the same answer)."""
        new = tuple(options)
        if sorted(new) != sorted(self.options):
            raise InputError(f"{new!r} is not a reordering of {self.options!r}", where=f"item {self.id!r}")
        return BenchItem(
            self.id, self.dataset, self.question, new, self.answer, self.meta, self.exact_value, self.derivation
        )

    def reversed_options(self) -> BenchItem:
        """The options in reverse order: for two options, the swap an order-consistency check asks."""
        return self.with_options(reversed(self.options))

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "question": self.question,
            "options": list(self.options),
            "answer": self.answer,
            "meta": self.meta.to_plain(),
            "exact_value": self.exact_value,
            "derivation": self.derivation,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str | None = None) -> BenchItem:
        """Build an item from :meth:`to_dict`'s output; a missing or unknown field is an :class:`InputError`."""
        if not isinstance(data, Mapping):
            raise InputError(f"an item must be a JSON object, got {type(data).__name__}", where=where)
        required = ("id", "dataset", "question", "options", "answer")
        missing = [k for k in required if k not in data]
        if missing:
            raise InputError(f"missing field(s) {', '.join(missing)}", where=where)
        unknown = sorted(set(data) - {*required, "meta", "exact_value", "derivation"})
        if unknown:
            raise InputError(f"unknown field(s) {', '.join(unknown)}", where=where)
        options = data["options"]
        if not isinstance(options, list | tuple):
            raise InputError(f"options must be a list, got {options!r}", where=where)
        try:
            return cls(
                id=data["id"],
                dataset=data["dataset"],
                question=data["question"],
                options=tuple(options),
                answer=data["answer"],
                meta=Meta(data.get("meta") or {}),
                exact_value=data.get("exact_value"),
                derivation=data.get("derivation"),
            )
        except InputError as err:
            if where is None:
                raise
            raise InputError(str(err), where=where) from None

    def to_json(self) -> str:
        """One line of JSON (no newlines inside), the unit of a JSONL file."""
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str, where: str | None = None) -> BenchItem:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"invalid JSON: {err.msg} at column {err.colno}", where=where) from None
        return cls.from_dict(data, where=where)


MetaCriterion: TypeAlias = Any
"""A scalar (equality), a ``set``/``frozenset`` (membership) or a one-argument predicate on the value."""


@dataclass(frozen=True)
class BenchDataset:
    """A named, ordered collection of items with unique ids; ``source`` says where it came from."""

    name: str
    items: tuple[BenchItem, ...]
    source: str | None = None

    def __post_init__(self) -> None:
        items = tuple(self.items)
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, BenchItem):
                raise InputError(f"dataset {self.name!r} holds a {type(item).__name__}, not a BenchItem")
            if item.id in seen:
                raise InputError(f"item id {item.id!r} appears twice", where=self.source or f"dataset {self.name!r}")
            seen.add(item.id)
        object.__setattr__(self, "items", items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[BenchItem]:
        return iter(self.items)

    def __getitem__(self, index: int) -> BenchItem:
        return self.items[index]

    def get(self, item_id: str) -> BenchItem:
        """The item with this id (:class:`InputError` if there is none)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise InputError(f"no item with id {item_id!r}", where=f"dataset {self.name!r}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    # ------------------------------------------------------------------ selection
    def _replace(self, items: Iterable[BenchItem]) -> BenchDataset:
        return BenchDataset(self.name, tuple(items), self.source)

    def where(self, predicate: Callable[[BenchItem], bool]) -> BenchDataset:
        return self._replace(item for item in self.items if predicate(item))

    def filter(self, **criteria: MetaCriterion) -> BenchDataset:
        """Items whose meta matches every criterion: ``ds.filter(rung=1, naming={"nonsense", "symbolic"})``.

        A key that no item has is an :class:`InputError` (almost always a typo); items that lack a key that
        others have simply do not match.
        """
        for key in criteria:
            if not any(key in item.meta for item in self.items):
                known = sorted({k for item in self.items for k in item.meta})
                raise InputError(f"no item has meta key {key!r} (known: {', '.join(known)})", where=self.name)
        tests = {key: _criterion(value) for key, value in criteria.items()}
        return self.where(lambda it: all(key in it.meta and test(it.meta[key]) for key, test in tests.items()))

    def head(self, n: int) -> BenchDataset:
        return self._replace(self.items[:n])

    def sample(self, n: int, seed: int) -> BenchDataset:
        """``n`` items drawn without replacement (all of them if ``n >= len(self)``), kept in dataset order."""
        if n >= len(self.items):
            return self
        picked = set(random.Random(seed).sample(range(len(self.items)), n))
        return self._replace(item for i, item in enumerate(self.items) if i in picked)

    def counts(self, key: str) -> Counter[MetaValue]:
        """How many items have each value of a meta key (missing keys count as ``None``)."""
        return Counter(item.meta.get(key) for item in self.items)

    def answer_counts(self) -> Counter[str]:
        return Counter(item.answer for item in self.items)

    @classmethod
    def merge(cls, name: str, datasets: Iterable[BenchDataset], source: str | None = None) -> BenchDataset:
        """All items of several datasets in order (their ids must not collide)."""
        return cls(name, tuple(item for ds in datasets for item in ds.items), source)

    # ------------------------------------------------------------------ files
    def to_jsonl(self, path: str | Path) -> Path:
        """Write one item per line (UTF-8); returns the path."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for item in self.items:
                fh.write(item.to_json())
                fh.write("\n")
        return out

    @classmethod
    def read_jsonl(cls, path: str | Path, name: str | None = None) -> BenchDataset:
        """Read a file written by :meth:`to_jsonl`; a bad line is an :class:`InputError` naming ``file:line``.

        The name defaults to the items' common ``dataset`` field, or the file's stem when they differ.
        """
        src = Path(path)
        if not src.is_file():
            raise InputError("no such file" if not src.exists() else "not a file", where=str(src))
        items: list[BenchItem] = []
        first_line: dict[str, int] = {}
        with src.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                where = f"{src}:{lineno}"
                item = BenchItem.from_json(line, where=where)
                if item.id in first_line:
                    raise InputError(f"item id {item.id!r} already used on line {first_line[item.id]}", where=where)
                first_line[item.id] = lineno
                items.append(item)
        if name is None:
            names = {item.dataset for item in items}
            name = names.pop() if len(names) == 1 else src.stem
        return cls(name, tuple(items), str(src))


def _criterion(value: MetaCriterion) -> Callable[[MetaValue], bool]:
    if callable(value) and not isinstance(value, Meta):
        return lambda v: bool(value(v))
    if isinstance(value, set | frozenset):
        allowed = {freeze(v) for v in value}
        return lambda v: v in allowed
    target = freeze(value)
    return lambda v: v == target
