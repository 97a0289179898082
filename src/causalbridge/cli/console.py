"""One place for terminal output and for turning user errors into one line and an exit code."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console
from rich.markup import escape

from causalbridge.errors import CausalBridgeError

if TYPE_CHECKING:
    from causalbridge.llm.types import Usage

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


def chatter(message: str, *, to_stderr: bool = False) -> None:
    """A progress or status line that is not the result: dropped by ``-q``; on stderr while stdout holds JSON."""
    if verbosity.level >= 0:
        (err if to_stderr else out).print(message, soft_wrap=True)


@contextmanager
def stage_progress(title: str) -> Iterator[Callable[[str, int, int], None]]:
    """A transient progress bar on stderr, driven by ``update(stage, done, total)`` calls from a library loop.

    It is off with ``-q`` and when stderr is not a terminal (a log file or a pipe gets no bar frames); the
    library functions take the ``update`` callable as their ``progress`` argument.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn(escape(title)),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=verbosity.level < 0 or not err.is_terminal,
    )
    task = bar.add_task(title, total=None, stage="")

    def update(stage: str, done: int, total: int) -> None:
        bar.update(task, completed=done, total=total, stage=escape(stage))

    with bar:
        yield update


def finish(
    usage: Usage | None,
    written: Iterable[Path | str] = (),
    *,
    model: str | None = None,
    to_stderr: bool = False,
) -> None:
    """The closing lines of a command: what the models cost (``Usage.summary()``) and where the outputs are.

    ``-q`` drops them (the JSON and the written files hold the usage too); with ``to_stderr`` (``--json``) they
    go to stderr so that stdout stays one JSON document.
    """
    if usage is not None:
        label = f"usage ({model})" if model else "usage"
        chatter(f"{escape(label)}: {usage.summary()}", to_stderr=to_stderr)
    paths = [str(p) for p in written]
    if paths:
        chatter("wrote " + ", ".join(escape(p) for p in paths), to_stderr=to_stderr)


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
        # bench run and counterfactual say what they saved themselves; elsewhere only the answer cache persists
        err.print("[yellow]interrupted[/] — model answers already received stay cached and are reused on a re-run.")
        sys.exit(130)
