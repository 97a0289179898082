"""The Sachs et al. (2005) flow-cytometry measurements and their consensus graph, as distributed by CDT.

The Causal Discovery Toolbox ships ``cyto_full_data.csv`` (one row per cell, 11 columns of fluorescence
intensities) and ``cyto_full_target.csv`` (``"Cause","Effect"`` pairs of the literature consensus network). The
7,466 rows pool several stimulation conditions; like most of the literature they are read here as one
observational sample. The CDT consensus graph is not a DAG (it has the cycle PIP3 -> Plcg -> PIP2 -> PIP3)
and differs from the 17-edge graph of the bnlearn ``sachs`` network, so it is returned as a plain
:class:`CausalGraph`; call ``require_dag()`` yourself if your method needs one.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from causalbridge.data.dataset import CausalDataset
from causalbridge.data.readers import read_dataset
from causalbridge.data.variables import Variable, VariableKind
from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph

DATA_FILE = "cyto_full_data.csv"
TARGET_FILE = "cyto_full_target.csv"

#: CDT column name -> the name used by the bnlearn ``sachs`` network (and by Sachs et al.'s figures).
CDT_TO_BNLEARN = {
    "praf": "Raf",
    "pmek": "Mek",
    "plcg": "Plcg",
    "PIP2": "PIP2",
    "PIP3": "PIP3",
    "p44/42": "Erk",
    "pakts473": "Akt",
    "PKA": "PKA",
    "PKC": "PKC",
    "P38": "P38",
    "pjnk": "Jnk",
}

_MEANING = {
    "Raf": "phosphorylated Raf (Raf-1 kinase, measured at S259), a MAP kinase kinase kinase",
    "Mek": "phosphorylated Mek1/2 (measured at S217/S221), the kinase that activates Erk",
    "Plcg": "phosphorylated phospholipase C-gamma (measured at Y783), which hydrolyses PIP2",
    "PIP2": "phosphatidylinositol 4,5-bisphosphate, a membrane phospholipid",
    "PIP3": "phosphatidylinositol 3,4,5-trisphosphate, a membrane phospholipid made from PIP2 by PI3K",
    "Erk": "phosphorylated Erk1/2 (p44/42 MAP kinase, measured at T202/Y204)",
    "Akt": "phosphorylated Akt (protein kinase B, measured at S473)",
    "PKA": "protein kinase A activity (read from the phosphorylation of PKA substrates)",
    "PKC": "protein kinase C activity (read from phosphorylated PKC)",
    "P38": "phosphorylated p38 MAP kinase (measured at T180/Y182)",
    "Jnk": "phosphorylated c-Jun N-terminal kinase (measured at T183/Y185)",
}

UNIT = "fluorescence intensity (arbitrary units)"


def read_sachs_observational(path: str | Path, bnlearn_names: bool = True) -> tuple[CausalDataset, CausalGraph]:
    """Read the CDT Sachs data and its consensus graph from a folder (or from the data file's path).

    ``path`` is the folder holding ``cyto_full_data.csv`` and ``cyto_full_target.csv``, or the data file
    itself with the target file beside it. With ``bnlearn_names`` (the default) columns are renamed to the
    bnlearn network's names (``praf`` -> ``Raf``, ``p44/42`` -> ``Erk``, ...), so results compare directly with
    ``load_network("sachs")``.
    """
    given = Path(path)
    folder = given if given.is_dir() else given.parent
    data_file = folder / DATA_FILE if given.is_dir() else given
    target_file = folder / TARGET_FILE
    if not target_file.is_file():
        raise InputError(f"the consensus graph file {TARGET_FILE} is not beside the data", where=str(folder))
    descriptions = {
        raw: {"description": _describe(CDT_TO_BNLEARN[raw]), "kind": "continuous", "unit": UNIT}
        for raw in CDT_TO_BNLEARN
    }
    raw_dataset = read_dataset(data_file, descriptions=descriptions)
    edges = _read_target(target_file, set(raw_dataset.names))
    if not bnlearn_names:
        return raw_dataset, CausalGraph.from_edges(directed=edges, nodes=raw_dataset.names)
    frame = raw_dataset.frame.rename(columns=CDT_TO_BNLEARN)
    variables = tuple(
        Variable(
            name=CDT_TO_BNLEARN[v.name],
            description=v.description,
            kind=VariableKind.CONTINUOUS,
            unit=UNIT,
            readable_name=v.name,
        )
        for v in raw_dataset.variables
    )
    graph = CausalGraph.from_edges(
        directed=[(CDT_TO_BNLEARN[a], CDT_TO_BNLEARN[b]) for a, b in edges],
        nodes=[v.name for v in variables],
    )
    return CausalDataset(frame, variables), graph


def _describe(name: str) -> str:
    return (
        f"Abundance of {_MEANING[name]} in a single human primary CD4+ T cell, measured by multiparameter "
        "flow cytometry (Sachs et al., 2005)."
    )


def _read_target(file: Path, names: set[str]) -> list[tuple[str, str]]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the consensus graph: {exc}", where=str(file)) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0]] != ["cause", "effect"]:
        raise InputError('expected the header "Cause","Effect"', where=f"{file}:1")
    edges: list[tuple[str, str]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != 2:
            raise InputError(f"expected 2 fields (cause, effect), found {len(row)}", where=f"{file}:{line}")
        cause, effect = (c.strip() for c in row)
        for node in (cause, effect):
            if node not in names:
                raise InputError(f"{node!r} is not a column of the data", where=f"{file}:{line}")
        edges.append((cause, effect))
    return edges
