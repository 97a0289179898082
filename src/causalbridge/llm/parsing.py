"""Reading answers out of free text, and the instructions that ask for them.

Models wrap answers in prose, quotes, markdown and "The answer is". :func:`extract_option` tries readings from
the strictest to the loosest and returns None (an abstention) rather than guess when two options fit equally,
because a wrong vote is worse than no vote. The instruction helpers append one fixed line to the user's prompt so
that every backend (and the cache) sees the same text for the same question.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from causalbridge.llm.types import Message

_WRAPPERS = " \t\r\n\"'`*_.,;:!?()[]{}<>"
_LEAD_INS = re.compile(
    r"^(?:final answer|the answer is|the correct answer is|my answer is|answer|option|choice)\s*(?:is)?\s*[:\-]?\s*",
    re.IGNORECASE,
)
_LETTER = re.compile(r"^\(?([A-Za-z])[\).:]?$")


def _norm(text: str) -> str:
    return " ".join(text.strip(_WRAPPERS).lower().split())


def _starts_with_phrase(text: str, phrase: str) -> bool:
    return text == phrase or (text.startswith(phrase) and not text[len(phrase)].isalnum())


def extract_option(text: str, options: Sequence[str]) -> int | None:
    """The index of the option ``text`` answers with, or None when it cannot be read unambiguously.

    Tried in order: the whole reply is an option; the same after a lead-in ("Answer: yes"); a lone letter
    ("B", "(b)") when no option is itself that letter; the reply starts with an option (the longest one wins);
    its first word is the first word of exactly one option; exactly one option occurs as a phrase in it.
    """
    normed = [_norm(option) for option in options]
    reply = _norm(text)
    if not reply:
        return None
    for candidate in (reply, _norm(_LEAD_INS.sub("", reply, count=1))):
        if candidate in normed:
            return normed.index(candidate)
    reply = _norm(_LEAD_INS.sub("", reply, count=1)) or reply
    letter = _LETTER.match(reply)
    if letter and len(options) <= 26 and reply not in normed:
        index = ord(letter.group(1).lower()) - ord("a")
        if index < len(options):
            return index
    prefixes = [i for i, option in enumerate(normed) if option and _starts_with_phrase(reply, option)]
    if prefixes:
        longest = max(len(normed[i]) for i in prefixes)
        best = [i for i in prefixes if len(normed[i]) == longest]
        return best[0] if len(best) == 1 else None
    first = reply.split()[0].strip(_WRAPPERS)
    firsts = [i for i, option in enumerate(normed) if option and option.split()[0] == first]
    if len(firsts) == 1:
        return firsts[0]
    inside = [i for i, option in enumerate(normed) if option and re.search(rf"(?<!\w){re.escape(option)}(?!\w)", reply)]
    return inside[0] if len(inside) == 1 else None


def _append_to_last_user(messages: tuple[Message, ...], line: str) -> tuple[Message, ...]:
    """Add ``line`` to the last user message (or a new one) so the instruction is the last thing read."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "user":
            updated = Message("user", f"{messages[i].content.rstrip()}\n\n{line}")
            return (*messages[:i], updated, *messages[i + 1 :])
    return (*messages, Message("user", line))


def choose_messages(messages: tuple[Message, ...], options: Sequence[str]) -> tuple[Message, ...]:
    """The prompt with one line asking for exactly one of ``options``."""
    listed = ", ".join(json.dumps(option, ensure_ascii=False) if "," in option else option for option in options)
    return _append_to_last_user(messages, f"Answer with exactly one of: {listed}.")


def structured_messages(messages: tuple[Message, ...], schema_json: str) -> tuple[Message, ...]:
    """The prompt with one line asking for a JSON object matching ``schema_json``."""
    return _append_to_last_user(
        messages, f"Reply with only a JSON object, no other text, matching this JSON schema:\n{schema_json}"
    )


def retry_messages(messages: tuple[Message, ...], reply: str, error: str) -> tuple[Message, ...]:
    """The conversation continued with the bad reply and what was wrong with it, to ask again."""
    return (
        *messages,
        Message("assistant", reply),
        Message("user", f"That reply was not valid: {error}\nReply again with only the corrected JSON object."),
    )


def extract_json(text: str) -> Any:
    """The JSON value in a reply, tolerating code fences and prose around one object; raises ValueError."""
    stripped = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", stripped, re.DOTALL)
    if fenced:
        stripped = fenced.group(1).strip()
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        pass
    start, end = stripped.find("{"), stripped.rfind("}")
    if start == -1 or end <= start:
        raise ValueError("the reply contains no JSON object")
    try:
        return json.loads(stripped[start : end + 1])
    except json.JSONDecodeError as error:
        raise ValueError(f"the reply is not valid JSON: {error.msg} at position {error.pos}") from error
