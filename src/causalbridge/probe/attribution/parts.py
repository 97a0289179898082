"""A prompt split into named parts, and what "intervening on a part" means for each of them.

Each part is a factor with two levels: present (its own text) or intervened. How a part is intervened on is its
own choice, because the right counterfactual differs: a jailbreak suffix is best *removed*; a retrieved passage
can be *replaced by a neutral placeholder* of the same role (so the prompt keeps its shape); a system prompt can
be *swapped* for a counterpart (a different persona). ``fixed`` parts (the user's actual question) are always
present. System-role parts are joined into one system message and user-role parts into one user message, in
the order given, so removing a part never leaves an empty message or reorders the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from causalbridge.errors import InputError
from causalbridge.llm.types import Message

Ablation = Literal["remove", "neutral", "swap"]
ABLATIONS: tuple[Ablation, ...] = ("remove", "neutral", "swap")
PartRole = Literal["system", "user"]
DEFAULT_PLACEHOLDER = "[omitted]"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


@dataclass(frozen=True, slots=True)
class Part:
    """One named piece of a prompt and how to intervene on it.

    ``replacement`` is the neutral placeholder (``ablation="neutral"``, default ``"[omitted]"``) or the
    counterpart text (``ablation="swap"``, required); it is ignored for ``"remove"``.
    """

    name: str
    text: str
    role: PartRole = "user"
    ablation: Ablation = "remove"
    replacement: str | None = None
    fixed: bool = False

    def __post_init__(self) -> None:
        where = f"part {self.name!r}"
        if not _NAME.match(self.name):
            raise InputError("a part name must be letters, digits, '_' or '-'", where=where)
        if self.role not in ("system", "user"):
            raise InputError(f"role must be 'system' or 'user', got {self.role!r}", where=where)
        if self.ablation not in ABLATIONS:
            raise InputError(f"ablation must be one of {ABLATIONS}, got {self.ablation!r}", where=where)
        if self.ablation == "swap" and not self.replacement:
            raise InputError("a 'swap' ablation needs a replacement (the counterpart text)", where=where)
        if not self.text.strip():
            raise InputError("the part's text is empty", where=where)

    def intervened_text(self) -> str | None:
        """The text that stands in when the part is intervened on (None: the part is left out)."""
        if self.ablation == "remove":
            return None
        if self.ablation == "neutral":
            return self.replacement or DEFAULT_PLACEHOLDER
        return self.replacement

    def describe(self) -> str:
        if self.fixed:
            return "fixed"
        if self.ablation == "remove":
            return "removed"
        action = "replaced by placeholder" if self.ablation == "neutral" else "swapped for"
        return f"{action} {self.intervened_text()!r}"


@dataclass(frozen=True, slots=True)
class PromptParts:
    """An ordered prompt made of parts; :meth:`render` builds the chat with some parts intervened on."""

    parts: tuple[Part, ...]
    separator: str = "\n\n"

    def __post_init__(self) -> None:
        names = [p.name for p in self.parts]
        if len(set(names)) != len(names):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            raise InputError(f"part names must be unique; repeated: {duplicates}", where="parts")
        if not self.factors:
            raise InputError("at least one part must be intervenable (not fixed)", where="parts")
        if not any(p.role == "user" for p in self.parts):
            raise InputError("the prompt needs at least one user part", where="parts")

    @property
    def factors(self) -> tuple[str, ...]:
        """The names of the parts that are intervened on, in order."""
        return tuple(p.name for p in self.parts if not p.fixed)

    def part(self, name: str) -> Part:
        for part in self.parts:
            if part.name == name:
                return part
        raise InputError(f"no part named {name!r} (parts: {[p.name for p in self.parts]})", where="parts")

    def render(self, intervened: Iterable[str] = ()) -> tuple[Message, ...]:
        """The chat with the named parts intervened on and all others present."""
        chosen = frozenset(intervened)
        unknown = sorted(chosen - set(self.factors))
        if unknown:
            raise InputError(f"cannot intervene on {unknown}: not intervenable parts", where="render")
        texts: dict[str, list[str]] = {"system": [], "user": []}
        for part in self.parts:
            text = part.intervened_text() if part.name in chosen else part.text
            if text is not None and text.strip():
                texts[part.role].append(text.strip())
        messages = []
        if texts["system"]:
            messages.append(Message("system", self.separator.join(texts["system"])))
        # a user message always exists: when every user part is removed, an empty turn still asks for a reply
        messages.append(Message("user", self.separator.join(texts["user"]) or DEFAULT_PLACEHOLDER))
        return tuple(messages)
