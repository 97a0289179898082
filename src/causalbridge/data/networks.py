"""Bundled benchmark networks: bnlearn's BIF files (shipped inside pgmpy) plus our variable descriptions.

A :class:`Network` is the ground truth for discovery benchmarks: its ``graph``, an exact ``scm`` to sample from
and query, and ``variables`` whose descriptions are what an LLM is shown. The BIF files are read from pgmpy's
installed ``utils/example_models`` folder, never downloaded; the descriptions ship in
``causalbridge/data/descriptions/<name>.json`` and are checked against the BIF (same variables, same states in
the same order) when a network loads.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from causalbridge.data.dataset import CausalDataset
from causalbridge.data.variables import Variable, VariableKind
from causalbridge.errors import DependencyMissingError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph

if TYPE_CHECKING:
    from causalbridge.scm import DiscreteSCM

#: The networks with a descriptions file, smallest first.
NETWORKS = ("cancer", "earthquake", "survey", "asia", "sachs", "child", "insurance", "alarm")


@dataclass(frozen=True, eq=False)
class Network:
    """A bundled Bayesian network: its name, a one-sentence ``domain``, the true ``graph``, an exact ``scm``
    (CPTs from the BIF) and one described :class:`Variable` per node, in the graph's node order."""

    name: str
    domain: str
    graph: CausalGraph
    scm: DiscreteSCM
    variables: tuple[Variable, ...]
    source: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise UnknownVariableError(name, list(self.names), where=f"network {self.name!r}")

    def description_of(self, name: str) -> str:
        """The natural-language description of ``name`` (what the variable means and what its states mean)."""
        return self.variable(name).description

    def describe_text(self) -> str:
        """The domain sentence followed by one line per variable, ready for a prompt."""
        lines = "\n".join(f"- {v.describe()}" for v in self.variables)
        return f"Domain: {self.domain}\nVariables:\n{lines}"

    def sample(self, n: int, seed: int | np.random.Generator) -> CausalDataset:
        """``n`` rows drawn from the network's CPTs (the same ``seed`` gives the same rows)."""
        frame = self.scm.sample(n, seed=seed)
        return CausalDataset(frame, self.variables)

    def __repr__(self) -> str:
        edges = len(self.graph.directed_edges)
        return f"Network({self.name!r}: {len(self.variables)} variables, {edges} edges)"


def list_networks() -> list[str]:
    """Names accepted by :func:`load_network`, smallest network first."""
    return list(NETWORKS)


def load_network(name: str) -> Network:
    """Load a bundled network by name (case-insensitive); the result is cached, so reloading is free."""
    key = str(name).strip().lower()
    if key not in NETWORKS:
        import difflib

        close = difflib.get_close_matches(key, NETWORKS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InputError(f"unknown network {name!r}; {hint}available: {', '.join(NETWORKS)}", where="load_network")
    return _load(key)


def bif_path(name: str) -> Path:
    """Where pgmpy keeps ``<name>.bif.gz`` on this machine (no download involved)."""
    spec = importlib.util.find_spec("pgmpy")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyMissingError("pgmpy", "the bundled networks")
    path = Path(next(iter(spec.submodule_search_locations))) / "utils" / "example_models" / f"{name}.bif.gz"
    if not path.is_file():
        raise InputError(
            f"the installed pgmpy has no {path.name}; reinstall pgmpy (>=1.1,<1.3)", where=str(path.parent)
        )
    return path


def descriptions_document(name: str) -> dict[str, Any]:
    """The raw bundled descriptions file of a network: ``{"network", "domain", "source", "variables"}``."""
    resource = resources.files("causalbridge.data").joinpath("descriptions", f"{name}.json")
    document: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return document


@functools.lru_cache(maxsize=16)
def _load(name: str) -> Network:
    from causalbridge.scm import DiscreteSCM

    scm = DiscreteSCM.from_bif(bif_path(name))
    document = descriptions_document(name)
    entries: dict[str, Any] = document["variables"]
    missing = [v for v in scm.variables if v not in entries]
    extra = [v for v in entries if v not in scm.states]
    if missing or extra:
        raise RuntimeError(  # a packaging bug, not something a user can fix
            f"descriptions/{name}.json does not match the BIF: undescribed {missing}, unknown {extra}"
        )
    variables: list[Variable] = []
    for var in scm.variables:
        entry = entries[var]
        states = tuple(scm.states[var])
        if tuple(entry["states"]) != states:
            raise RuntimeError(
                f"descriptions/{name}.json lists states {entry['states']} for {var!r}; the BIF has {list(states)}"
            )
        kind = VariableKind.BINARY if len(states) == 2 else VariableKind.CATEGORICAL
        variables.append(Variable(var, entry["description"], kind, states, readable_name=entry.get("readable_name")))
    return Network(
        name=name,
        domain=document["domain"],
        graph=scm.graph,
        scm=scm,
        variables=tuple(variables),
        source=document.get("source", ""),
    )
