from __future__ import annotations

from pathlib import Path

import pytest

from causalbridge.data import VariableKind, load_network, read_sachs_observational
from causalbridge.data.sachs import CDT_TO_BNLEARN, DATA_FILE, TARGET_FILE
from causalbridge.errors import InputError

SACHS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bnlearn" / "sachs_cdt"
needs_shared = pytest.mark.skipif(not SACHS.is_dir(), reason=f"shared Sachs data not found at {SACHS}")


def _tiny_copy(folder: Path, target: str | None = None) -> Path:
    """Twelve rows of real-looking data in the CDT layout, so the loader is tested without the shared folder."""
    header = ",".join(CDT_TO_BNLEARN)
    rows = [",".join(str(10.0 + i + j) for j in range(len(CDT_TO_BNLEARN))) for i in range(12)]
    (folder / DATA_FILE).write_text("\n".join([header, *rows]) + "\n")
    default_target = '"Cause","Effect"\n"praf","pmek"\n"pmek","p44/42"\n"PKA","praf"\n'
    (folder / TARGET_FILE).write_text(default_target if target is None else target)
    return folder


def test_reads_a_folder_and_renames_to_bnlearn_names(tmp_path: Path) -> None:
    data, graph = read_sachs_observational(_tiny_copy(tmp_path))
    assert set(data.names) == set(load_network("sachs").names)
    assert data.is_continuous and data.n_rows == 12
    assert graph.directed_edges == sorted([("Raf", "Mek"), ("Mek", "Erk"), ("PKA", "Raf")])
    erk = data.variable("Erk")
    assert erk.readable_name == "p44/42" and "Erk1/2" in erk.description and erk.unit


def test_raw_names_and_data_file_path(tmp_path: Path) -> None:
    folder = _tiny_copy(tmp_path)
    data, graph = read_sachs_observational(folder / DATA_FILE, bnlearn_names=False)
    assert data.names == tuple(CDT_TO_BNLEARN)
    assert graph.has_edge("praf", "pmek")


def test_missing_target_file(tmp_path: Path) -> None:
    _tiny_copy(tmp_path)
    (tmp_path / TARGET_FILE).unlink()
    with pytest.raises(InputError, match="consensus graph file") as info:
        read_sachs_observational(tmp_path)
    assert info.value.where == str(tmp_path)


def test_target_naming_an_unknown_protein(tmp_path: Path) -> None:
    _tiny_copy(tmp_path, target='"Cause","Effect"\n"praf","pmek"\n"praf","Ras"\n')
    with pytest.raises(InputError, match="'Ras' is not a column") as info:
        read_sachs_observational(tmp_path)
    assert info.value.where == f"{tmp_path / TARGET_FILE}:3"


@needs_shared
def test_shared_sachs_data() -> None:
    data, graph = read_sachs_observational(SACHS)
    assert (data.n_rows, data.n_variables) == (7466, 11)
    assert all(v.kind is VariableKind.CONTINUOUS for v in data.variables)
    data.require_complete()
    data.require_numeric()
    assert len(graph.directed_edges) == 18
    # the CDT consensus graph is not a DAG: PIP3 -> Plcg -> PIP2 -> PIP3
    assert set(graph.find_cycle() or []) == {"PIP3", "Plcg", "PIP2"}
    assert graph.has_edge("Raf", "Mek") and graph.has_edge("PKA", "Akt")
