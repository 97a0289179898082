"""Data-only discovery: the wrappers agree with causal-learn, pick tests by data type, and reject bad data."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from causalbridge.data import CausalDataset, DataWarning, load_network
from causalbridge.discover import FCI, GES, PC, DirectLiNGAM, Knowledge, Provenance
from causalbridge.errors import DependencyMissingError, InputError
from causalbridge.graph import CausalGraph
from causalbridge.metrics import shd


def chain(n: int, seed: int) -> CausalDataset:
    """x -> y -> z with Gaussian noise (continuous data)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = 1.5 * x + rng.normal(size=n)
    z = -1.2 * y + rng.normal(size=n)
    return CausalDataset.infer(pd.DataFrame({"x": x, "y": y, "z": z}))


def test_pc_matches_causallearn_directly(asia_data: CausalDataset) -> None:
    from causallearn.search.ConstraintBased.PC import pc

    ours = PC(alpha=0.01).discover(asia_data)
    cg = pc(asia_data.encoded(), 0.01, "chisq", stable=True, show_progress=False, node_names=list(asia_data.names))
    assert ours.graph == CausalGraph.from_causallearn(cg.G, list(asia_data.names))
    assert ours.params == {"alpha": 0.01, "test": "chisq"}
    assert all(i.provenance is Provenance.DATA for i in ours.edge_info.values())
    assert set(ours.edge_info) == {e.nodes for e in ours.graph.edges}
    assert ours.queries == 0 and ours.usage is None


def test_pc_recovers_asia_reasonably(asia_data: CausalDataset) -> None:
    truth = load_network("asia").graph
    assert shd(PC(alpha=0.01).discover(asia_data).graph, truth, against="cpdag") <= 6


def test_continuous_data_uses_fisher_z_and_finds_the_chain() -> None:
    result = PC(alpha=0.01).discover(chain(2000, 0))
    assert result.params["test"] == "fisherz"
    assert result.graph.skeleton() == {frozenset(("x", "y")), frozenset(("y", "z"))}
    ges = GES().discover(chain(2000, 0))
    assert ges.params["score"] == "bic" and ges.graph.skeleton() == result.graph.skeleton()


def test_ges_on_discrete_data_uses_bdeu(asia_data: CausalDataset) -> None:
    result = GES().discover(asia_data)
    assert result.params == {"score": "bdeu"} and result.method == "ges"
    assert result.graph.is_pdag


def test_fci_returns_a_pag_quietly(asia_data: CausalDataset, capsys: pytest.CaptureFixture[str]) -> None:
    result = FCI(alpha=0.01).discover(asia_data, Knowledge(required=(("smoke", "lung"),)))
    assert result.method == "fci" and set(result.graph.nodes) == set(asia_data.names)
    assert result.graph.has_edge("smoke", "lung")
    assert capsys.readouterr().out == ""  # causal-learn prints while orienting background knowledge


def test_constant_columns_are_left_out_with_a_note() -> None:
    data = chain(500, 1)
    frame = data.frame.assign(k=1.0)
    with pytest.warns(DataWarning, match="constant"):
        dataset = CausalDataset.infer(frame)
    result = PC().discover(dataset)
    assert "k" in result.graph.nodes and not result.graph.adjacent("k")
    assert any("constant column" in note and "k" in note for note in result.notes)


def test_bad_data_fails_in_one_line() -> None:
    few = CausalDataset.infer(pd.DataFrame({"a": [1.0, 2.0, 3.5], "b": [2.0, 1.0, 0.5], "c": [0.1, 0.4, 0.3]}))
    with pytest.raises(InputError, match="3 rows for 3 variables"):
        PC().discover(few)
    mixed = CausalDataset.infer(
        pd.DataFrame({"a": ["x", "y"] * 50, "b": np.linspace(0.0, 1.0, 100), "c": np.linspace(1.0, 3.0, 100) ** 2})
    )
    with pytest.raises(InputError, match="mixes discrete and continuous"):
        PC().discover(mixed)
    with pytest.raises(InputError, match="score='bic'"):
        GES().discover(mixed)
    assert PC(test="fisherz").discover(mixed).params["test"] == "fisherz"
    values = np.arange(60.0)
    holes = CausalDataset.infer(pd.DataFrame({"a": [1.0, None, 2.0] * 20, "b": values, "c": values**2}))
    with pytest.raises(InputError, match="missing value"):
        PC().discover(holes)
    with pytest.raises(InputError, match="alpha"):
        PC(alpha=1.5).discover(chain(100, 0))
    with pytest.warns(DataWarning, match="constant"):
        flat = CausalDataset.infer(pd.DataFrame({"a": [1.0] * 10, "b": [2.0] * 10, "c": np.arange(10.0)}))
    with pytest.raises(InputError, match="nothing to search"):
        PC().discover(flat)


def test_knowledge_is_verified_and_enforced_even_where_the_search_ignores_it(asia_data: CausalDataset) -> None:
    knowledge = Knowledge(required=(("either", "tub"), ("asia", "dysp")), forbidden=(("smoke", "bronc"),))
    for method in (PC(alpha=0.01), GES()):
        result = method.discover(asia_data, knowledge)
        assert knowledge.verify(result.graph) == [], method
        assert result.info("either", "tub") is not None
        assert result.info("asia", "dysp").provenance is Provenance.USER  # type: ignore[union-attr]
        assert result.diagnostics["constraint_violations_unresolved"] == 0
    with pytest.raises(InputError, match="nosuch"):
        PC().discover(asia_data, Knowledge(required=(("nosuch", "tub"),)))


@pytest.mark.skipif(importlib.util.find_spec("lingam") is not None, reason="lingam is installed here")
def test_direct_lingam_says_what_to_install() -> None:
    with pytest.raises(DependencyMissingError, match="pip install lingam"):
        DirectLiNGAM().discover(chain(200, 0))


@pytest.mark.skipif(importlib.util.find_spec("lingam") is None, reason="lingam is not installed")
def test_direct_lingam_orients_a_non_gaussian_chain() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 3000)
    y = 2.0 * x + rng.uniform(-1, 1, 3000)
    result = DirectLiNGAM(seed=0).discover(CausalDataset.infer(pd.DataFrame({"x": x, "y": y})))
    assert result.graph.has_edge("x", "y")
