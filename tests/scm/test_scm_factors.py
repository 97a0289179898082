"""The variable-elimination engine on its own: pruning, elimination order, evidence handling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from causalbridge.scm.factors import (
    Factor,
    Node,
    ZeroProbabilityEvidence,
    joint,
    min_fill_order,
    probability_of,
    relevant_nodes,
)


def chain() -> dict[str, Node]:
    # a -> b -> c, plus a barren d <- c and an unrelated e
    return {
        "a": Node((), np.array([0.6, 0.4])),
        "b": Node(("a",), np.array([[0.9, 0.2], [0.1, 0.8]])),
        "c": Node(("b",), np.array([[0.7, 0.5], [0.3, 0.5]])),
        "d": Node(("c",), np.array([[0.5, 0.1], [0.5, 0.9]])),
        "e": Node((), np.array([0.25, 0.75])),
    }


def brute(network: dict[str, Node], targets: list[str], evidence: dict[str, int]) -> np.ndarray:
    names = list(network)
    out = np.zeros([network[t].table.shape[0] for t in targets])
    for combo in itertools.product(*[range(network[n].table.shape[0]) for n in names]):
        v = dict(zip(names, combo, strict=True))
        if any(v[k] != s for k, s in evidence.items()):
            continue
        p = np.prod([network[n].table[(v[n], *[v[q] for q in network[n].parents])] for n in names])
        out[tuple(v[t] for t in targets)] += p
    return out / out.sum()


def test_joint_matches_brute_force() -> None:
    net = chain()
    for targets, evidence in [(["c"], {}), (["a"], {"c": 1}), (["b", "a"], {"d": 0}), (["e", "c"], {"a": 1, "d": 1})]:
        np.testing.assert_allclose(joint(net, targets, evidence), brute(net, targets, evidence), atol=1e-15)


def test_barren_and_unrelated_nodes_are_pruned() -> None:
    net = chain()
    assert relevant_nodes(net, ["b"]) == {"a", "b"}
    assert relevant_nodes(net, ["d"]) == {"a", "b", "c", "d"}


def test_zero_probability_evidence_raises() -> None:
    net = {"a": Node((), np.array([1.0, 0.0])), "b": Node(("a",), np.eye(2))}
    with pytest.raises(ZeroProbabilityEvidence):
        joint(net, ["b"], {"a": 1})
    assert probability_of(net, {"a": 1}) == 0.0
    assert probability_of(chain(), {"a": 1, "b": 1}) == pytest.approx(0.32)
    assert probability_of(chain(), {}) == 1.0


def test_observed_targets_become_point_masses() -> None:
    out = joint(chain(), ["a", "b"], {"a": 1})
    np.testing.assert_allclose(out[0], 0.0)
    np.testing.assert_allclose(out[1], [0.2, 0.8])
    with pytest.raises(ValueError, match="distinct"):
        joint(chain(), ["a", "a"])


def test_min_fill_order_prefers_simplicial_variables() -> None:
    # a star centred on h: eliminating h first would connect every leaf; leaves are simplicial (no fill)
    leaves = ["l1", "l2", "l3", "l4"]
    factors = [Factor(("h", leaf), np.ones((2, 2))) for leaf in leaves]
    cards = dict.fromkeys(["h", *leaves], 2)
    order = min_fill_order(factors, {"h", *leaves}, cards)
    assert order.index("h") >= 3
    assert order == min_fill_order(factors, {"h", *leaves}, cards)  # deterministic


def test_tables_beyond_the_memory_limit_raise_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from causalbridge.errors import InputError
    from causalbridge.scm import factors

    monkeypatch.setattr(factors, "MAX_FACTOR_ENTRIES", 3)
    with pytest.raises(factors.ModelTooLargeError, match="4 entries"):
        joint(chain(), ["a", "b"])
    assert issubclass(factors.ModelTooLargeError, InputError)
