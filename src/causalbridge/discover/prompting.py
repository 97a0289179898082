"""The discovery prompts: versioned templates in ``causalbridge/prompts/discovery_<name>_v<N>.txt``.

Templates are files, not string literals, so a prompt change is a visible diff and gets a new version: results
record the template id they used (``discovery_direction_v1``), and the answer cache is keyed by the rendered text,
so an edited template can never be answered from stale cached answers of the old wording.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from importlib import resources

from causalbridge.data import Variable
from causalbridge.errors import InputError

DIRECTION = "discovery_direction_v1"
DIRECTION_PARAPHRASE = "discovery_direction_paraphrase_v1"
DIRECT_CAUSE = "discovery_direct_cause_v1"
BFS_ROOTS = "discovery_bfs_roots_v1"
BFS_EFFECTS = "discovery_bfs_effects_v1"
WHOLE_GRAPH = "discovery_whole_graph_v1"


@functools.cache
def _template(name: str) -> string.Template:
    path = resources.files("causalbridge").joinpath("prompts", f"{name}.txt")
    if not path.is_file():
        raise InputError(f"no prompt template {name!r}", where=f"causalbridge/prompts/{name}.txt")
    return string.Template(path.read_text(encoding="utf-8").rstrip("\n"))


def render(template: str, /, **fields: str) -> str:
    """Fill ``template`` (a template id); a missing field is an :class:`InputError` naming it, never a
    half-filled prompt."""
    try:
        return _template(template).substitute(fields)
    except KeyError as exc:
        raise InputError(f"template {template!r} needs the field {exc.args[0]!r}", where="prompt") from None


@dataclass(frozen=True)
class PromptContext:
    """What the model is told about the study: an optional domain sentence and each variable's description."""

    variables: tuple[Variable, ...]
    domain: str = ""

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise InputError("variable names must be unique", where="prompt context")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise InputError(f"unknown variable {name!r}", where="prompt context")

    @property
    def preamble(self) -> str:
        text = " ".join(self.domain.split())
        return f"Domain: {text}\n\n" if text else ""

    def listing(self) -> str:
        return "\n".join(f"- {v.describe()}" for v in self.variables)

    def pair(self, template: str, first: str, second: str) -> str:
        """A question about the ordered pair (first, second) from a two-variable template."""
        a, b = self.variable(first), self.variable(second)
        return render(
            template,
            context=self.preamble,
            first=a.describe(),
            second=b.describe(),
            first_name=a.name,
            second_name=b.name,
        )
