"""One place for terminal output and for turning user errors into one line and an exit code."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rich.console import Console
from rich.markup import escape

from causalbridge.errors import CausalBridgeError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

EXIT_OK = 0
EXIT_PROBLEM = 1  # the analysis ran, but found something the user must see (e.g. --strict refutation failure)
EXIT_BAD_INPUT = 2


@dataclass
class Verbosity:
    level: int = 0  # -1 quiet, 0 normal, 1 verbose (tracebacks for user errors)


verbosity = Verbosity()

T = TypeVar("T")


def report_user_error(exc: CausalBridgeError) -> int:
    """Print a one-line error (and the traceback only with -v); return the exit code."""
    if verbosity.level > 0:
        err.print(traceback.format_exc(), markup=False)
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)  # the message is text, not markup
    return EXIT_BAD_INPUT


def run_guarded(func: Callable[[], T]) -> T:
    """Run a CLI entry point; user errors become one line on stderr and exit code 2."""
    try:
        return func()
    except CausalBridgeError as exc:
        sys.exit(report_user_error(exc))
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/] — finished items are saved; run the same command again to resume.")
        sys.exit(130)
