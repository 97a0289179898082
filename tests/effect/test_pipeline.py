"""estimate_effect end to end: which estimand and estimators run, warnings, and the result's JSON and text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from causalbridge.effect import IPW, EffectWarning, EstimandKind, RegressionAdjustment, estimate_effect
from causalbridge.effect.synthetic import confounding, frontdoor, instrument, mediation
from causalbridge.errors import InputError, UnknownVariableError
from causalbridge.graph import CausalGraph


def test_backdoor_pipeline_with_default_estimators() -> None:
    s = confounding(1500, 1)
    result = estimate_effect(s.data, s.graph, "t", "y", seed=0)
    assert result.identification.kind is EstimandKind.BACKDOOR
    assert result.adjustment_set == ("x1", "x2") and result.adjustment_source == "optimal"
    assert [name for name, _ in result.estimates] == ["ols", "ipw", "aipw"]
    for _, est in result.estimates:
        assert abs(est.value - s.ate) < 4 * est.std_error
    assert len(result.refutations) == 4 and result.refutations_passed
    assert result.sensitivity is not None and result.sensitivity.name == "unobserved confounding"
    assert result.n == 1500 and result.warnings == ()
    data = json.loads(result.to_json())
    assert data["estimates"]["aipw"]["value"] == pytest.approx(result.estimate("aipw").value)
    assert data["identification"]["optimal_set"] == ["x1", "x2"] and data["roles"] == []
    text = result.summary()
    assert "Adjustment set (optimal): {x1, x2}" in text and "PASS  placebo treatment" in text
    with pytest.raises(UnknownVariableError, match="estimates"):
        result.estimate("dml2")


def test_same_seed_same_result() -> None:
    s = confounding(500, 2)
    a = estimate_effect(s.data, s.graph, "t", "y", ["aipw"], seed=3)
    b = estimate_effect(s.data, s.graph, "t", "y", ["aipw"], seed=3)
    assert a.to_dict() == b.to_dict()


def test_a_mediator_in_the_users_set_is_warned_about() -> None:
    s = mediation(800, 0)
    with pytest.warns(EffectWarning, match="mediator on the causal path t -> m -> y"):
        result = estimate_effect(s.data, s.graph, "t", "y", ["ols"], adjust=["c", "m"], refute=False)
    assert result.adjustment_source == "user"
    assert any("is not a valid adjustment set" in w for w in result.warnings)
    assert abs(result.estimate("ols").value - 1.0) < 0.15  # the direct effect, not the total 1.5
    assert "m (mediator)" in result.summary()


def test_continuous_treatment_skips_binary_only_estimators() -> None:
    s = mediation(500, 0)
    with pytest.warns(EffectWarning, match="ipw skipped"):
        result = estimate_effect(s.data, s.graph, "t", "y", refute=False)
    assert [name for name, _ in result.estimates] == ["ols"]


def test_frontdoor_and_instrument_estimands_switch_estimator() -> None:
    fd = frontdoor(1500, 0)
    with pytest.warns(EffectWarning) as record:
        result = estimate_effect(fd.data, fd.graph, "t", "y", refute=False)
    assert any("frontdoor criterion through m" in str(w.message) for w in record)
    assert result.adjustment_source == "frontdoor" and [n for n, _ in result.estimates] == ["frontdoor"]
    assert result.identification.latent == ("u",) and result.sensitivity is None
    iv = instrument(1500, 0)
    with pytest.warns(EffectWarning) as record:
        result = estimate_effect(iv.data, iv.graph, "t", "y", refute=True)
    assert any("identified by the instrument z" in str(w.message) for w in record)
    assert [n for n, _ in result.estimates] == ["iv"]
    assert abs(result.estimate("iv").value - iv.ate) < 4 * result.estimate("iv").std_error
    assert len(result.refutations) == 4


def test_not_identifiable_gives_no_number_and_says_why() -> None:
    s = confounding(300, 0)
    graph = CausalGraph.from_edges([("t", "y")], bidirected=[("t", "y")])
    with pytest.warns(EffectWarning, match="not identifiable"):
        result = estimate_effect(s.data, graph, "t", "y")
    assert result.estimates == () and result.refutations == ()
    assert "t <-> y" in result.summary()


def test_estimator_objects_and_duplicate_names() -> None:
    s = confounding(400, 0)
    result = estimate_effect(
        s.data, s.graph, "t", "y", [RegressionAdjustment(), RegressionAdjustment(interactions=True), IPW(trim=0.05)],
        refute=False, sensitivity=False,
    )  # fmt: skip
    assert [n for n, _ in result.estimates] == ["ols", "lin", "ipw"]


def test_bad_input() -> None:
    s = confounding(300, 0)
    with pytest.raises(UnknownVariableError, match="data \\(treatment\\)"):
        estimate_effect(s.data, s.graph, "treat", "y")
    with pytest.raises(UnknownVariableError, match="graph"):
        estimate_effect(s.data.assign(z=1.0), s.graph, "z", "y")
    with pytest.raises(UnknownVariableError, match="adjustment set"):
        estimate_effect(s.data, s.graph, "t", "y", ["ols"], adjust=["nope"])
    with pytest.raises(InputError, match="unknown estimator"):
        estimate_effect(s.data, s.graph, "t", "y", ["magic"])
    with pytest.warns(EffectWarning, match="ols failed"), pytest.raises(InputError, match="empty"):
        estimate_effect(s.data.assign(x1=np.nan), s.graph, "t", "y", ["ols"])
    # Every estimator refusing (no overlap) is an error, not an empty result.
    sep = s.data.assign(t=(s.data["x1"] > 0).astype(float))
    with pytest.warns(EffectWarning), pytest.raises(InputError, match="no overlap"):
        estimate_effect(sep, s.graph, "t", "y", ["ipw", "aipw"])


def test_misspelled_graph_node_becomes_latent_with_a_warning() -> None:
    s = confounding(300, 0)
    graph = CausalGraph.dag([("x1", "t"), ("x1", "y"), ("X2", "t"), ("X2", "y"), ("t", "y")])
    with pytest.warns(EffectWarning) as record:
        result = estimate_effect(s.data, graph, "t", "y", ["ols"], refute=False)
    assert any("treated as latent: X2" in str(w.message) for w in record)
    assert result.identification.kind is EstimandKind.NOT_IDENTIFIABLE


def test_dml_without_econml_is_skipped_with_a_note() -> None:
    pytest.importorskip("sklearn")
    from causalbridge.effect.dml import econml_available

    if econml_available():
        pytest.skip("econml is installed")
    s = confounding(300, 0)
    with pytest.warns(EffectWarning, match="dml skipped.*pip install econml"):
        result = estimate_effect(s.data, s.graph, "t", "y", ["ols", "dml"], refute=False)
    assert [n for n, _ in result.estimates] == ["ols"]
