"""A progress bar for loops over bootstrap draws and refutation replicates (rich; silent when piped or quiet)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import track

T = TypeVar("T")


def progress(items: Iterable[T], total: int, description: str, quiet: bool = True) -> Iterator[T]:
    """Iterate ``items`` with a transient bar on stderr, unless ``quiet`` or stderr is not a terminal."""
    console = Console(stderr=True)
    disable = quiet or not console.is_terminal
    yield from track(items, description=description, total=total, console=console, transient=True, disable=disable)
