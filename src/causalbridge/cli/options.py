"""Options several commands share: one name, one meaning and one help text wherever a command takes them.

``tests/cli/test_options.py`` walks the command tree and checks every command against these texts, so a new
command that calls a model, writes files or prints a result picks them up from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

LLM_HELP = "Model spec, e.g. local:smollm2 or openai:gpt-4o-mini (see 'causalbridge models list')."
CACHE_DIR_HELP = "Where the LLM answer cache lives."
NO_CACHE_HELP = "Do not read or write the LLM answer cache."
JSON_HELP = "Print the result as JSON on stdout (messages go to stderr)."


def llm_help(role: str = "") -> str:
    """The shared ``--llm`` help, then what the model does in this command (one sentence, optional)."""
    return f"{LLM_HELP} {role}".strip()


Llm = Annotated[str, typer.Option("--llm", help=LLM_HELP)]
CacheDir = Annotated[Path | None, typer.Option("--cache-dir", help=CACHE_DIR_HELP)]
NoCache = Annotated[bool, typer.Option("--no-cache", help=NO_CACHE_HELP)]
AsJson = Annotated[bool, typer.Option("--json", help=JSON_HELP)]

MISSING_HELP = "Missing cells: 'error' (stop and name the first one) or 'drop' (drop incomplete rows, with a warning)."
MissingCells = Annotated[str, typer.Option("--missing", help=MISSING_HELP)]


def missing_policy(value: str) -> Literal["error", "drop"]:
    """The ``--missing`` value, checked at the CLI edge."""
    from causalbridge.errors import InputError

    if value == "error":
        return "error"
    if value == "drop":
        return "drop"
    raise InputError(f"--missing takes 'error' or 'drop', not {value!r}", where="--missing")
