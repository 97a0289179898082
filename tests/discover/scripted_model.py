"""Helpers for tests that talk to a scripted model: read the prompt, answer like a model that knows a graph."""

from __future__ import annotations

import re
from typing import Any

from causalbridge.graph import CausalGraph
from causalbridge.llm.scripted_server import Reply

_DIRECTION = re.compile(r"^A\. (\S+) directly causes (\S+)\.$", re.MULTILINE)


def last_user(body: dict[str, Any]) -> str:
    return next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")


def truthful_direction(graph: CausalGraph, prompt: str) -> str | None:
    """The right option letter for a three-way direction prompt about ``graph``, or None for other prompts."""
    match = _DIRECTION.search(prompt)
    if match is None:
        return None
    first, second = match.groups()
    if graph.has_edge(first, second):
        return "A"
    return "B" if graph.has_edge(second, first) else "C"


def option_reply(letter: str, options: tuple[str, ...] = ("A", "B", "C")) -> Reply:
    """A reply whose first-token log-probabilities put almost all mass on ``letter``."""
    tops = tuple((o, -0.05 if o == letter else -4.0) for o in options)
    return Reply(letter, tops)
