"""DiscreteSCM construction, validation errors, sampling and interventions."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from causalbridge.errors import GraphError, InputError, UnknownVariableError
from causalbridge.graph import CausalGraph
from causalbridge.scm import DiscreteSCM, Mechanism


def sprinkler() -> DiscreteSCM:
    """cloudy -> sprinkler, cloudy -> rain, (sprinkler, rain) -> wet."""
    g = CausalGraph.dag([("cloudy", "sprinkler"), ("cloudy", "rain"), ("sprinkler", "wet"), ("rain", "wet")])
    states = {v: ["no", "yes"] for v in g.nodes}
    cpts = {
        "cloudy": np.array([0.5, 0.5]),
        "sprinkler": np.array([[0.5, 0.9], [0.5, 0.1]]),  # columns: cloudy = no, yes
        "rain": np.array([[0.8, 0.2], [0.2, 0.8]]),
        # axes (wet, sprinkler, rain)
        "wet": np.array([[[1.0, 0.1], [0.1, 0.01]], [[0.0, 0.9], [0.9, 0.99]]]),
    }
    return DiscreteSCM.from_cpts(g, states, cpts)


def test_query_by_hand() -> None:
    scm = sprinkler()
    # P(rain = yes) = 0.5 * 0.2 + 0.5 * 0.8
    assert scm.query("rain").prob(rain="yes") == pytest.approx(0.5)
    # P(cloudy = yes | rain = yes) = 0.4 / 0.5
    assert scm.query("cloudy", {"rain": "yes"}).prob(cloudy="yes") == pytest.approx(0.8)
    # P(wet = yes | do(sprinkler = yes)) = sum_rain P(rain) P(wet | s = yes, rain) = 0.5 * 0.9 + 0.5 * 0.99
    assert scm.interventional("wet", {"sprinkler": "yes"}).prob(wet="yes") == pytest.approx(0.945)
    # do(sprinkler) does not change P(cloudy), but observing it does
    assert scm.interventional("cloudy", {"sprinkler": "yes"}).prob(cloudy="yes") == pytest.approx(0.5)
    assert scm.query("cloudy", {"sprinkler": "yes"}).prob(cloudy="yes") == pytest.approx(0.05 / 0.3)
    assert scm.probability({"rain": "yes", "cloudy": "yes"}) == pytest.approx(0.4)


def test_ate_by_hand() -> None:
    scm = sprinkler()
    # P(wet | do(s = no)) = 0.5 * 0.0 + 0.5 * 0.9 = 0.45; ATE = 0.945 - 0.45
    assert scm.ate("sprinkler", "wet", "yes", "no", "yes") == pytest.approx(0.495)


def test_accessors_and_parent_order() -> None:
    scm = sprinkler()
    assert scm.variables == ("cloudy", "sprinkler", "rain", "wet")
    assert scm.states["wet"] == ("no", "yes")
    assert scm.parents("wet") == ("sprinkler", "rain")
    assert scm.cpt("wet").shape == (2, 2, 2)
    assert not scm.cpt("wet").flags.writeable
    # the same model with wet's parents given in the other order must answer identically
    g = scm.graph
    cpts = {v: scm.cpt(v) for v in scm.variables}
    cpts["wet"] = np.transpose(scm.cpt("wet"), (0, 2, 1))
    other = DiscreteSCM.from_cpts(g, scm.states, cpts, parent_order={"wet": ["rain", "sprinkler"]})
    assert other.parents("wet") == ("rain", "sprinkler")
    assert other.query("wet", {"cloudy": "no"}).allclose(scm.query("wet", {"cloudy": "no"}), atol=1e-12)
    with pytest.raises(AttributeError):
        scm._graph = g  # type: ignore[misc]


def test_cpt_validation_names_the_variable_and_parent_setting() -> None:
    scm = sprinkler()
    cpts = {v: np.array(scm.cpt(v)) for v in scm.variables}
    cpts["rain"] = np.array([[0.8, 0.3], [0.2, 0.8]])
    with pytest.raises(InputError, match=r"variable 'rain'.*P\(rain \| cloudy=yes\) sums to 1\.1") as err:
        DiscreteSCM.from_cpts(scm.graph, scm.states, cpts)
    assert err.value.where == "variable 'rain'"
    cpts["rain"] = np.array([0.5, 0.5])
    with pytest.raises(InputError, match=r"shape \(2,\), expected \(2, 2\) for axes \(rain, cloudy\)"):
        DiscreteSCM.from_cpts(scm.graph, scm.states, cpts)
    cpts["rain"] = np.array([[1.2, 0.2], [-0.2, 0.8]])
    with pytest.raises(InputError, match=r"P\(rain \| cloudy=no\) has a negative"):
        DiscreteSCM.from_cpts(scm.graph, scm.states, cpts)
    del cpts["rain"]
    with pytest.raises(InputError, match="variable 'rain': no CPT"):
        DiscreteSCM.from_cpts(scm.graph, scm.states, cpts)
    with pytest.raises(GraphError, match="parent_order"):
        DiscreteSCM.from_cpts(scm.graph, scm.states, {**cpts, "rain": scm.cpt("rain")}, parent_order={"rain": ["wet"]})
    with pytest.raises(UnknownVariableError):
        DiscreteSCM.from_cpts(scm.graph, {**scm.states, "fog": ["a"]}, cpts)


def test_rounded_cpt_columns_are_renormalised() -> None:
    g = CausalGraph.dag([], nodes=["a"])
    scm = DiscreteSCM.from_cpts(g, {"a": ["x", "y"]}, {"a": np.array([0.3, 0.7000001])})
    assert scm.cpt("a").sum() == pytest.approx(1.0, abs=1e-15)


def test_bad_queries_give_clear_errors() -> None:
    scm = sprinkler()
    with pytest.raises(InputError, match=r"'maybe' is not a state of 'rain'; its states are \['no', 'yes'\]"):
        scm.query("wet", {"rain": "maybe"})
    with pytest.raises(UnknownVariableError, match="unknown variable 'rainn'.*did you mean 'rain'"):
        scm.query("wet", {"rainn": "yes"})
    with pytest.raises(UnknownVariableError):
        scm.query("fog")
    with pytest.raises(InputError, match="listed twice"):
        scm.query(["wet", "wet"])
    with pytest.raises(InputError, match="at least one target"):
        scm.query([])
    # wet = yes is impossible when neither the sprinkler nor the rain is on
    with pytest.raises(InputError, match="probability 0"):
        scm.query("cloudy", {"sprinkler": "no", "rain": "no", "wet": "yes"})
    with pytest.raises(InputError, match="not a state"):
        scm.do({"rain": "sometimes"})


def test_target_in_evidence_is_a_point_mass() -> None:
    scm = sprinkler()
    d = scm.query(["rain", "wet"], {"rain": "yes"})
    assert d.prob(rain="no") == 0.0
    assert d.prob(rain="yes", wet="yes") == pytest.approx(scm.query("wet", {"rain": "yes"}).prob(wet="yes"))


def test_do_returns_a_new_mutilated_model() -> None:
    scm = sprinkler()
    post = scm.do({"rain": "yes"})
    assert post is not scm
    assert post.graph == scm.graph.do(["rain"])
    assert post.parents("rain") == ()
    assert scm.parents("rain") == ("cloudy",)
    np.testing.assert_array_equal(post.cpt("rain"), [0.0, 1.0])
    np.testing.assert_array_equal(post.cpt("wet"), scm.cpt("wet"))
    assert scm.do({}) is scm


def test_sampling_is_seeded_categorical_and_matches_marginals(ours: Callable[[str], DiscreteSCM]) -> None:
    scm = ours("asia")
    a, b = scm.sample(20_000, seed=7), scm.sample(20_000, seed=7)
    assert a.equals(b)  # (pandas' assert_frame_equal takes seconds on 20k categorical rows)
    assert not a.equals(scm.sample(20_000, seed=8))
    assert list(a.columns) == list(scm.variables)
    for v in scm.variables:
        assert isinstance(a[v].dtype, pd.CategoricalDtype)
        assert tuple(a[v].cat.categories) == scm.states[v]
        exact = scm.query(v).table
        freq = a[v].value_counts(normalize=True).reindex(list(scm.states[v])).to_numpy()
        # 5 standard errors of a proportion on 20k rows
        assert np.all(np.abs(freq - exact) <= 5 * np.sqrt(exact * (1 - exact) / 20_000) + 1e-12), v
    rng_a = scm.sample(10, seed=np.random.default_rng(3))
    assert rng_a.equals(scm.sample(10, seed=np.random.default_rng(3)))
    assert scm.sample(0, seed=1).shape == (0, len(scm.variables))


def test_sampling_a_joint_conditional_matches_exact() -> None:
    scm = sprinkler()
    data = scm.sample(20_000, seed=11)
    sub = data[data["rain"] == "yes"]
    p = scm.query("wet", {"rain": "yes"}).prob(wet="yes")
    assert abs((sub["wet"] == "yes").mean() - p) < 5 * np.sqrt(p * (1 - p) / len(sub))


def test_do_samples_are_paired_with_observational_samples() -> None:
    scm = sprinkler()
    base = scm.sample(500, seed=3)
    post = scm.do({"sprinkler": "yes"}).sample(500, seed=3)
    # cloudy and rain are not descendants of the sprinkler: the same units keep the same values
    pd.testing.assert_series_equal(base["cloudy"], post["cloudy"])
    pd.testing.assert_series_equal(base["rain"], post["rain"])
    assert (post["sprinkler"] == "yes").all()


def test_explicit_mechanisms_define_the_cpts() -> None:
    g = CausalGraph.dag([("x", "y")])
    # y = x xor u, u ~ Bernoulli(0.25)
    mechanisms = {
        "x": Mechanism((), np.array([0.4, 0.6]), np.array([0, 1])),
        "y": Mechanism(("x",), np.array([0.75, 0.25]), np.array([[0, 1], [1, 0]])),
    }
    scm = DiscreteSCM.from_mechanisms(g, {"x": ["0", "1"], "y": ["0", "1"]}, mechanisms)
    np.testing.assert_allclose(scm.cpt("y"), [[0.75, 0.25], [0.25, 0.75]])
    assert scm.mechanism("y") is mechanisms["y"]
    bad = {**mechanisms, "y": Mechanism(("x",), np.array([0.75, 0.25]), np.array([[0, 2], [1, 0]]))}
    with pytest.raises(InputError, match="variable 'y'.*outside 0..1"):
        DiscreteSCM.from_mechanisms(g, {"x": ["0", "1"], "y": ["0", "1"]}, bad)
    bad = {**mechanisms, "y": Mechanism(("x",), np.array([0.7, 0.25]), np.array([[0, 1], [1, 0]]))}
    with pytest.raises(InputError, match="sum to 0.95"):
        DiscreteSCM.from_mechanisms(g, {"x": ["0", "1"], "y": ["0", "1"]}, bad)
    bad = {**mechanisms, "y": Mechanism((), np.array([1.0]), np.array([0]))}
    with pytest.raises(GraphError, match="mechanism parents"):
        DiscreteSCM.from_mechanisms(g, {"x": ["0", "1"], "y": ["0", "1"]}, bad)


def test_from_functions_reads_like_the_equations() -> None:
    g = CausalGraph.dag([("x", "y")])
    scm = DiscreteSCM.from_functions(
        g,
        {"x": ["0", "1"], "y": ["0", "1"]},
        noise={"x": {"0": 0.4, "1": 0.6}, "y": {"keep": 0.75, "flip": 0.25}},
        functions={
            "x": lambda u, pa: u,
            "y": lambda u, pa: pa["x"] if u == "keep" else str(1 - int(pa["x"])),
        },
    )
    np.testing.assert_allclose(scm.cpt("y"), [[0.75, 0.25], [0.25, 0.75]])
    with pytest.raises(InputError, match="returned 'maybe'"):
        DiscreteSCM.from_functions(
            g,
            {"x": ["0", "1"], "y": ["0", "1"]},
            noise={"x": {"0": 1.0}, "y": {"a": 1.0}},
            functions={"x": lambda u, pa: "0", "y": lambda u, pa: "maybe"},
        )


def test_comonotone_cells_of_a_cpt() -> None:
    g = CausalGraph.dag([("x", "y")])
    scm = DiscreteSCM.from_cpts(
        g, {"x": ["0", "1"], "y": ["0", "1"]}, {"x": np.array([0.5, 0.5]), "y": np.array([[0.7, 0.4], [0.3, 0.6]])}
    )
    m = scm.mechanism("y")
    # breakpoints 0, 0.4, 0.7, 1: cells of width 0.4, 0.3, 0.3
    np.testing.assert_allclose(m.noise, [0.4, 0.3, 0.3])
    np.testing.assert_array_equal(m.response, [[0, 0], [0, 1], [1, 1]])


def test_cyclic_graph_is_rejected() -> None:
    g = CausalGraph.from_edges([("a", "b"), ("b", "c"), ("c", "a")])
    with pytest.raises(GraphError, match="cycle"):
        DiscreteSCM.from_cpts(g, {v: ["0"] for v in "abc"}, {v: np.ones((1, 1)) for v in "abc"})


def test_to_bif_gz_writes_compressed_text(tmp_path: Path) -> None:
    scm = sprinkler()
    path = scm.to_bif(tmp_path / "sprinkler.bif.gz")
    with gzip.open(path, "rt") as fh:
        assert fh.read().startswith("network causalbridge {")
