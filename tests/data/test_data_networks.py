from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from causalbridge.data import CausalDataset, Network, VariableKind, bif_path, list_networks, load_network
from causalbridge.errors import InputError, UnknownVariableError
from causalbridge.graph import CausalGraph

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
EDGES = SHARED / "bnlearn" / "edges"
NETWORKS = ["asia", "cancer", "earthquake", "survey", "sachs", "child", "insurance", "alarm"]
SIZES = {"cancer": 5, "earthquake": 5, "survey": 6, "asia": 8, "sachs": 11, "child": 20, "insurance": 27, "alarm": 37}


def test_list_networks_has_the_eight_bundled_ones() -> None:
    assert sorted(list_networks()) == sorted(NETWORKS)


@pytest.mark.parametrize("name", NETWORKS)
def test_network_loads_with_described_variables(name: str) -> None:
    net = load_network(name)
    assert isinstance(net, Network)
    assert net.name == name
    assert len(net.variables) == SIZES[name]
    assert net.names == net.graph.nodes == net.scm.graph.nodes
    assert net.graph.is_dag
    assert net.domain.strip() and "\n" not in net.domain and net.domain.endswith(".")
    assert "bnlearn" in net.source
    for v in net.variables:
        assert v.states == tuple(net.scm.states[v.name])
        assert v.kind is (VariableKind.BINARY if len(v.states) == 2 else VariableKind.CATEGORICAL)
        assert len(v.description) > 30 and v.description != v.name
        assert v.readable_name
        for state in v.states:  # the description explains every state
            assert state in v.description, (name, v.name, state)
        assert net.description_of(v.name) == v.description


@pytest.mark.parametrize("name", NETWORKS)
def test_bundled_descriptions_cover_the_bif_exactly(name: str) -> None:
    text = resources.files("causalbridge.data").joinpath("descriptions", f"{name}.json").read_text("utf-8")
    doc = json.loads(text)
    assert set(doc) == {"network", "domain", "source", "variables"}
    assert doc["network"] == name
    states = load_network(name).scm.states
    assert set(doc["variables"]) == set(states)
    for var, entry in doc["variables"].items():
        assert set(entry) == {"readable_name", "states", "description"}
        assert entry["states"] == list(states[var])


@pytest.mark.parametrize("name", NETWORKS)
def test_graph_equals_the_shared_edge_list(name: str) -> None:
    path = EDGES / f"{name}_edges.csv"
    if not SHARED.is_dir():
        pytest.skip(f"shared benchmark data not found at {SHARED}")
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["parent", "child"]
    net = load_network(name)
    expected = CausalGraph.dag([(p, c) for p, c in rows[1:]], nodes=net.graph.nodes)
    assert net.graph == expected
    assert len(net.graph.directed_edges) == len(rows) - 1


@pytest.mark.parametrize("name", ["asia", "alarm"])
def test_samples_are_reproducible_with_a_seed(name: str) -> None:
    net = load_network(name)
    first = net.sample(500, seed=7)
    again = net.sample(500, seed=7)
    other = net.sample(500, seed=8)
    assert isinstance(first, CausalDataset)
    assert first.n_rows == 500 and first.names == net.names and first.is_discrete
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert not first.frame.equals(other.frame)
    assert first.variables == net.variables


def test_sample_follows_the_cpts() -> None:
    """asia's BIF says P(smoke = yes) = 0.5 and P(asia = yes) = 0.01; 20k rows land within 4 standard errors."""
    frame = load_network("asia").sample(20_000, seed=1).frame
    assert abs((frame["smoke"] == "yes").mean() - 0.5) < 4 * (0.25 / 20_000) ** 0.5
    assert abs((frame["asia"] == "yes").mean() - 0.01) < 4 * (0.0099 / 20_000) ** 0.5


def test_loading_is_cached_and_case_insensitive() -> None:
    assert load_network("asia") is load_network(" ASIA ")


def test_unknown_network_lists_the_available_ones() -> None:
    with pytest.raises(InputError, match="unknown network 'alrm'; did you mean 'alarm'\\? available: .*insurance"):
        load_network("alrm")
    with pytest.raises(InputError, match="available: cancer, earthquake, survey, asia, sachs, child"):
        load_network("hepar2")


def test_unknown_variable_of_a_network() -> None:
    with pytest.raises(UnknownVariableError, match="did you mean 'smoke'"):
        load_network("asia").description_of("smoker")


def test_describe_text_starts_with_the_domain() -> None:
    net = load_network("cancer")
    lines = net.describe_text().splitlines()
    assert lines[0] == f"Domain: {net.domain}"
    assert len(lines) == 2 + len(net.variables)


def test_bif_files_come_from_the_installed_pgmpy() -> None:
    path = bif_path("asia")
    assert path.name == "asia.bif.gz" and "pgmpy" in path.parts
