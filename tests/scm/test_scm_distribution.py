"""The immutable Distribution answer type."""

from __future__ import annotations

import re

import numpy as np
import pytest

from causalbridge.errors import InputError, UnknownVariableError
from causalbridge.scm import Distribution


def weather() -> Distribution:
    # P(rain, wind): rows rain = no/yes, columns wind = calm/breezy/storm
    table = np.array([[0.3, 0.2, 0.1], [0.1, 0.1, 0.2]])
    return Distribution(("rain", "wind"), {"rain": ("no", "yes"), "wind": ("calm", "breezy", "storm")}, table)


def test_prob_marginal_condition() -> None:
    d = weather()
    assert d.prob(rain="yes", wind="storm") == pytest.approx(0.2)
    assert d.prob({"rain": "yes"}) == pytest.approx(0.4)
    assert d.prob() == pytest.approx(1.0)
    m = d.marginal("wind")
    assert m.variables == ("wind",)
    np.testing.assert_allclose(m.table, [0.4, 0.3, 0.3])
    swapped = d.marginal(["wind", "rain"])
    np.testing.assert_allclose(swapped.table, d.table.T)
    c = d.condition({"rain": "yes"})
    np.testing.assert_allclose(c.table, [0.25, 0.25, 0.5])
    assert d.mode() == {"rain": "no", "wind": "calm"}


def test_expectation() -> None:
    d = Distribution(("n",), {"n": ("0", "1", "2")}, np.array([0.5, 0.25, 0.25]))
    assert d.expectation("n") == pytest.approx(0.75)
    w = weather()
    assert w.expectation("wind", {"calm": 0.0, "breezy": 1.0, "storm": 10.0}) == pytest.approx(3.3)
    with pytest.raises(InputError, match="not numbers"):
        w.expectation("wind")
    with pytest.raises(InputError, match="missing"):
        w.expectation("wind", {"calm": 1.0})


def test_errors_name_the_variable_and_states() -> None:
    d = weather()
    with pytest.raises(
        InputError, match=r"'hail' is not a state of 'wind'; its states are \['calm', 'breezy', 'storm'\]"
    ):
        d.prob(wind="hail")
    with pytest.raises(UnknownVariableError):
        d.prob(snow="yes")
    with pytest.raises(InputError, match="probability 0"):
        Distribution(("a",), {"a": ("x", "y")}, np.array([1.0, 0.0])).condition({"a": "y"})
    with pytest.raises(InputError, match="sum to"):
        Distribution(("a",), {"a": ("x", "y")}, np.array([0.5, 0.6]))
    with pytest.raises(InputError, match="shape"):
        Distribution(("a",), {"a": ("x", "y")}, np.array([0.5, 0.25, 0.25]))


def test_immutable_and_detached_from_the_input() -> None:
    source = np.array([0.5, 0.5])
    d = Distribution(("a",), {"a": ("x", "y")}, source)
    source[0] = 0.9
    assert d.prob(a="x") == 0.5
    with pytest.raises(ValueError):
        d.table[0] = 1.0
    with pytest.raises(AttributeError):
        d.variables = ("b",)  # type: ignore[misc]


def test_frame_dict_repr_and_comparison() -> None:
    d = weather()
    frame = d.to_frame()
    assert list(frame.columns) == ["rain", "wind", "probability"]
    assert len(frame) == 6
    assert list(frame["wind"].cat.categories) == ["calm", "breezy", "storm"]
    assert d.to_dict()[("yes", "storm")] == pytest.approx(0.2)
    text = repr(d)
    assert text.splitlines()[0] == "P(rain, wind)"
    assert re.search(r"rain=yes, wind=storm +0\.200000", text)
    assert d.allclose(d.marginal(["wind", "rain"]))
    assert not d.allclose(d.condition({"rain": "yes"}))
