"""Errors a user can cause, each naming the culprit in one line.

Everything the CLI catches derives from :class:`CausalBridgeError`; anything else is a bug and keeps its
traceback. Library code raises these instead of letting a dependency fail deep inside its own stack.
"""

from __future__ import annotations


class CausalBridgeError(Exception):
    """Base class for every error caused by the user's input or environment (exit code 2 at the CLI)."""


class InputError(CausalBridgeError, ValueError):
    """Bad input: a file, a value, a column or a variable that cannot be used as given.

    ``where`` names the culprit (``"data.csv:12:col 3"``, ``"variable 'Smoker'"``) and is prefixed to the message.
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        self.where = where
        self.detail = message
        super().__init__(f"{where}: {message}" if where else message)


class GraphError(InputError):
    """A graph that violates what the caller asked for (a cycle in a DAG, an unknown node, a bad edge mark)."""


class CycleError(GraphError):
    """A directed cycle where a DAG is required; ``cycle`` lists its nodes in order."""

    def __init__(self, cycle: list[str], where: str | None = None) -> None:
        self.cycle = list(cycle)
        path = " -> ".join([*cycle, cycle[0]]) if cycle else "?"
        super().__init__(f"the graph has a directed cycle: {path}", where)


class UnknownVariableError(InputError, KeyError):
    """A name that is not a variable of the graph, model or dataset."""

    def __init__(self, name: str, known: list[str] | tuple[str, ...] | None = None, where: str | None = None):
        self.name = name
        hint = ""
        if known:
            import difflib

            close = difflib.get_close_matches(name, [str(k) for k in known], n=1)
            hint = (
                f" (did you mean {close[0]!r}?)"
                if close
                else f" (known: {', '.join(map(str, known[:12]))}" + (", ...)" if len(known) > 12 else ")")
            )
        super().__init__(f"unknown variable {name!r}{hint}", where)

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return Exception.__str__(self)


class DependencyMissingError(CausalBridgeError, ImportError):
    """An optional dependency is not installed; the message says what to pip install."""

    def __init__(self, package: str, feature: str, extra: str | None = None) -> None:
        hint = f"pip install 'causalbridge[{extra}]'" if extra else f"pip install {package}"
        super().__init__(f"{feature} needs the optional package {package!r}: {hint}")
