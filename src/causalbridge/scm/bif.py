"""BIF files and pgmpy models in and out of :class:`~causalbridge.scm.discrete.DiscreteSCM`.

Reading checks the text with :mod:`causalbridge.scm.bif_syntax` first (one :class:`InputError` naming the file
and line) and then lets pgmpy's ``BIFReader`` parse it, so the numbers come from the same reader the rest of the
field uses. Writing is ours: pgmpy's writer rounds floats, and a round trip should give back the same CPTs.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from causalbridge.errors import CausalBridgeError, DependencyMissingError, InputError
from causalbridge.graph import CausalGraph
from causalbridge.scm.bif_syntax import UNSAFE_NAME, BifOutline, check_bif, clean

if TYPE_CHECKING:
    from causalbridge.scm.discrete import DiscreteSCM

_VARIABLE_IN_WHERE = re.compile(r"variable '([^']*)'")


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise InputError("no such file", str(path))
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                return fh.read()
        return path.read_text(encoding="utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file as UTF-8 BIF text ({exc})", str(path)) from None


def read_bif(path: str | Path) -> DiscreteSCM:
    """A :class:`DiscreteSCM` from a ``.bif`` / ``.bif.gz`` file; every problem is one :class:`InputError`."""
    source = Path(path)
    text = clean(_read_text(source))
    outline = check_bif(text, str(source))
    reader = _reader_class()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = reader(string=text).get_model()
    except Exception as exc:  # pgmpy's failures are internal; the user only needs to know the file is bad
        raise InputError(f"pgmpy's BIF reader rejected the file ({type(exc).__name__}: {exc})", str(source)) from None
    try:
        return from_pgmpy(model)
    except CausalBridgeError as exc:
        raise _located(exc, source, outline) from None


@functools.cache
def _reader_class() -> Any:
    """pgmpy's ``BIFReader`` with its pyparsing grammars built once per process.

    ``BIFReader.__init__`` rebuilds two grammars over the whole Unicode alphanumeric set on every call, which is
    most of the 0.7 s a bnlearn file takes to load; the grammar objects are stateless, so sharing them changes
    nothing but the time.
    """
    try:
        from pgmpy.readwrite import BIFReader
    except ImportError:  # pragma: no cover - pgmpy is a core dependency
        raise DependencyMissingError("pgmpy", "reading BIF files") from None
    grammars: dict[str, Any] = {}

    class CachedGrammarBIFReader(BIFReader):
        def get_variable_grammar(self) -> Any:
            if "variable" not in grammars:
                grammars["variable"] = super().get_variable_grammar()
            return grammars["variable"]

        def get_probability_grammar(self) -> Any:
            if "probability" not in grammars:
                grammars["probability"] = super().get_probability_grammar()
            return grammars["probability"]

    return CachedGrammarBIFReader


def _located(exc: CausalBridgeError, source: Path, outline: BifOutline) -> InputError:
    """Re-point an error about a variable at the line of that variable's probability block."""
    where = getattr(exc, "where", None) or ""
    detail = getattr(exc, "detail", str(exc))
    match = _VARIABLE_IN_WHERE.search(where)
    line = outline.probability_line.get(match.group(1)) if match else None
    prefix = f"{source}:{line}" if line else str(source)
    return InputError(detail, f"{prefix} ({where})" if where else prefix)


def from_pgmpy(model: Any) -> DiscreteSCM:
    """Convert a pgmpy ``DiscreteBayesianNetwork`` whose CPDs are ``TabularCPD`` with state names."""
    from causalbridge.scm.discrete import DiscreteSCM

    nodes = [str(n) for n in model.nodes()]
    graph = CausalGraph.dag([(str(a), str(b)) for a, b in model.edges()], nodes=nodes)
    states: dict[str, list[str]] = {}
    cpts: dict[str, np.ndarray] = {}
    order: dict[str, list[str]] = {}
    for v in nodes:
        cpd = model.get_cpds(v)
        if cpd is None:
            raise InputError("the pgmpy model has no CPD for it", f"variable {v!r}")
        variables = [str(x) for x in cpd.variables]
        names = getattr(cpd, "state_names", None) or {}
        states[v] = [str(s) for s in names.get(v, range(int(cpd.cardinality[0])))]
        cpts[v] = np.asarray(cpd.values, dtype=float)
        order[v] = variables[1:]
    for v in nodes:  # a parent's states as seen by a child's CPD must be the parent's own states
        cpd = model.get_cpds(v)
        names = getattr(cpd, "state_names", None) or {}
        for p in order[v]:
            seen = [str(s) for s in names.get(p, states[p])]
            if seen != states[p]:
                raise InputError(
                    f"its CPD lists the states of {p!r} as {seen}, but {p!r} has {states[p]}", f"variable {v!r}"
                )
    return DiscreteSCM.from_cpts(graph, states, cpts, order)


def to_pgmpy(scm: DiscreteSCM) -> Any:
    """The CPTs as a pgmpy ``DiscreteBayesianNetwork`` (mechanisms are not representable in pgmpy)."""
    try:
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.models import DiscreteBayesianNetwork
    except ImportError:  # pragma: no cover - pgmpy is a core dependency
        raise DependencyMissingError("pgmpy", "exporting to pgmpy") from None
    model = DiscreteBayesianNetwork()
    model.add_nodes_from(scm.variables)
    model.add_edges_from(scm.graph.directed_edges)
    for v in scm.variables:
        parents = list(scm.parents(v))
        card = len(scm.states[v])
        cpd = TabularCPD(
            v,
            card,
            np.asarray(scm.cpt(v)).reshape(card, -1),
            evidence=parents or None,
            evidence_card=[len(scm.states[p]) for p in parents] or None,
            state_names={x: list(scm.states[x]) for x in [v, *parents]},
        )
        model.add_cpds(cpd)
    return model


def bif_text(scm: DiscreteSCM, name: str = "causalbridge") -> str:
    """The model as BIF text; floats are written with ``repr`` so reading it back gives the same numbers."""
    for v in scm.variables:
        for label in [v, *scm.states[v]]:
            if not label or UNSAFE_NAME.search(label):
                raise InputError(
                    f"{label!r} cannot be written to BIF (no spaces, quotes, comment markers or any of ,;{{}}()[]|)",
                    f"variable {v!r}",
                )
    if not name or UNSAFE_NAME.search(name):
        raise InputError(f"the network name {name!r} cannot be written to BIF")
    lines = [f"network {name} {{", "}"]
    for v in scm.variables:
        states = scm.states[v]
        lines += [f"variable {v} {{", f"  type discrete [ {len(states)} ] {{ {', '.join(states)} }};", "}"]
    for v in scm.variables:
        parents = scm.parents(v)
        cpt = np.asarray(scm.cpt(v))
        if not parents:
            lines += [f"probability ( {v} ) {{", f"  table {_numbers(cpt)};", "}"]
            continue
        lines.append(f"probability ( {v} | {', '.join(parents)} ) {{")
        columns = cpt.reshape(cpt.shape[0], -1)  # C order: the last parent varies fastest, as product() does
        for i, combo in enumerate(itertools.product(*[scm.states[p] for p in parents])):
            lines.append(f"  ({', '.join(combo)}) {_numbers(columns[:, i])};")
        lines.append("}")
    return "\n".join(lines) + "\n"


def _numbers(values: np.ndarray) -> str:
    return ", ".join(repr(float(x)) for x in np.ravel(values))


def write_bif(scm: DiscreteSCM, path: str | Path, name: str = "causalbridge") -> Path:
    """Write :func:`bif_text` to ``path`` (gzip-compressed when it ends in ``.gz``)."""
    target = Path(path)
    text = bif_text(scm, name)
    if target.name.endswith(".gz"):
        with gzip.open(target, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        target.write_text(text, encoding="utf-8")
    return target
