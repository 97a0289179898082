"""BIF and pgmpy conversions: round trips keep the CPTs, broken files give one InputError naming file and line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from causalbridge.errors import InputError
from causalbridge.graph import CausalGraph
from causalbridge.scm import DiscreteSCM

NETWORKS = ("asia", "cancer", "earthquake", "survey", "sachs", "child", "insurance", "alarm")

ASIA = """network unknown {
}
variable asia {
  type discrete [ 2 ] { yes, no };
}
variable tub {
  type discrete [ 2 ] { yes, no };
}
probability ( asia ) {
  table 0.01, 0.99;
}
probability ( tub | asia ) {
  (yes) 0.05, 0.95;
  (no) 0.01, 0.99;
}
"""


def same_cpts(a: DiscreteSCM, b: DiscreteSCM, atol: float = 0.0) -> None:
    assert a.variables == b.variables
    assert a.graph == b.graph
    for v in a.variables:
        assert a.states[v] == b.states[v]
        assert a.parents(v) == b.parents(v)
        np.testing.assert_allclose(a.cpt(v), b.cpt(v), rtol=0, atol=atol)


@pytest.mark.parametrize("name", NETWORKS)
def test_round_trip_through_bif_keeps_cpts(name: str, ours: Callable[[str], DiscreteSCM], tmp_path: Path) -> None:
    scm = ours(name)
    back = DiscreteSCM.from_bif(scm.to_bif(tmp_path / f"{name}.bif"))
    same_cpts(scm, back)  # floats are written with repr: bit-exact


def test_round_trip_through_gzip_and_pgmpy(ours: Callable[[str], DiscreteSCM], tmp_path: Path) -> None:
    scm = ours("child")
    same_cpts(scm, DiscreteSCM.from_bif(scm.to_bif(tmp_path / "child.bif.gz")))
    same_cpts(scm, DiscreteSCM.from_pgmpy(scm.to_pgmpy()))
    assert scm.to_pgmpy().check_model()


def test_plain_and_gzipped_bundled_files_agree(shared_data: Path, ours: Callable[[str], DiscreteSCM]) -> None:
    same_cpts(DiscreteSCM.from_bif(shared_data / "bnlearn" / "bif" / "asia.bif"), ours("asia"))


def test_sizes_of_bundled_networks(ours: Callable[[str], DiscreteSCM]) -> None:
    sizes = {name: len(ours(name).variables) for name in NETWORKS}
    assert sizes == {
        "asia": 8,
        "cancer": 5,
        "earthquake": 5,
        "survey": 6,
        "sachs": 11,
        "child": 20,
        "insurance": 27,
        "alarm": 37,
    }
    assert ours("asia").states["asia"] == ("yes", "no")


def test_small_bif_text_reads_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "mini.bif"
    path.write_text(ASIA)
    scm = DiscreteSCM.from_bif(path)
    assert scm.graph == CausalGraph.dag([("asia", "tub")])
    # P(tub = yes) = 0.01 * 0.05 + 0.99 * 0.01
    assert scm.query("tub").prob(tub="yes") == pytest.approx(0.0104)


BROKEN = {
    "garbage": ("hello world {\n", 1, "expected 'network', 'variable' or 'probability'"),
    "missing brace": (ASIA.replace("variable tub {\n", "variable tub\n"), 6, "a variable name must be one word"),
    "bad number": (ASIA.replace("table 0.01, 0.99;", "table 0.01, zz;"), 10, "'zz' is not a number"),
    "unknown parent": (ASIA.replace("( tub | asia )", "( tub | asiaX )"), 12, "'asiaX', which is not declared"),
    "wrong count": (ASIA.replace("table 0.01, 0.99;", "table 0.01, 0.5, 0.49;"), 10, "has 3 numbers, expected 2"),
    "missing row": (ASIA.replace("  (no) 0.01, 0.99;\n", ""), 12, "no row for parent setting ('no',)"),
    "missing cpt": (
        ASIA.replace("probability ( asia ) {\n  table 0.01, 0.99;\n}\n", ""),
        3,
        "has no probability block",
    ),
    "bad state": (ASIA.replace("(no) 0.01", "(maybe) 0.01"), 14, "'maybe' is not a state of 'asia'"),
    "count mismatch": (
        ASIA.replace("[ 2 ] { yes, no };\n}\nvariable tub", "[ 3 ] { yes, no };\n}\nvariable tub"),
        4,
        "declares [ 3 ]",
    ),
    "unclosed": (ASIA[:-3], 14, "the file ends"),
    "empty": ("", 1, "no variable is declared"),
    "bad sum": (ASIA.replace("(yes) 0.05, 0.95;", "(yes) 0.5, 0.95;"), 12, r"P\(tub \| asia=yes\) sums to 1.45"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_bif_gives_one_input_error_with_file_and_line(case: str, tmp_path: Path) -> None:
    text, line, message = BROKEN[case]
    path = tmp_path / "broken.bif"
    path.write_text(text)
    with pytest.raises(InputError, match=message if case == "bad sum" else re.escape(message)) as err:
        DiscreteSCM.from_bif(path)
    assert err.value.where is not None and err.value.where.startswith(f"{path}:{line}")
    assert "\n" not in str(err.value)
    # no dependency traceback chained behind it
    assert err.value.__cause__ is None and (err.value.__context__ is None or err.value.__suppress_context__)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        DiscreteSCM.from_bif(tmp_path / "missing.bif")
    bad_gz = tmp_path / "bad.bif.gz"
    bad_gz.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="cannot read") as err:
        DiscreteSCM.from_bif(bad_gz)
    assert err.value.where == str(bad_gz)


def test_comments_quotes_and_properties_are_accepted(tmp_path: Path) -> None:
    text = ASIA.replace(
        "network unknown {\n}", 'network "Mini" {\n  property "a = b" ;\n}\n// a comment\n/* and\n a block */'
    )
    text = text.replace("variable tub {\n", 'variable tub {\n  property "position = (1, 2)" ;\n')
    path = tmp_path / "commented.bif"
    path.write_text(text)
    assert DiscreteSCM.from_bif(path).query("tub").prob(tub="yes") == pytest.approx(0.0104)


def test_names_that_bif_cannot_hold_are_refused(tmp_path: Path) -> None:
    g = CausalGraph.dag([], nodes=["a b"])
    scm = DiscreteSCM.from_cpts(g, {"a b": ["x", "y"]}, {"a b": np.array([0.5, 0.5])})
    with pytest.raises(InputError, match="cannot be written to BIF"):
        scm.to_bif(tmp_path / "x.bif")


def test_from_pgmpy_checks_state_consistency() -> None:
    from pgmpy.factors.discrete import TabularCPD
    from pgmpy.models import DiscreteBayesianNetwork

    model: Any = DiscreteBayesianNetwork([("a", "b")])
    model.add_cpds(
        TabularCPD("a", 2, [[0.5], [0.5]], state_names={"a": ["x", "y"]}),
        TabularCPD(
            "b",
            2,
            [[0.5, 0.5], [0.5, 0.5]],
            evidence=["a"],
            evidence_card=[2],
            state_names={"a": ["y", "x"], "b": ["p", "q"]},
        ),
    )
    with pytest.raises(InputError, match="variable 'b'.*states of 'a'"):
        DiscreteSCM.from_pgmpy(model)
    bare: Any = DiscreteBayesianNetwork([("a", "b")])
    bare.add_cpds(TabularCPD("a", 2, [[0.5], [0.5]], state_names={"a": ["x", "y"]}))
    with pytest.raises(InputError, match="variable 'b'.*no CPD"):
        DiscreteSCM.from_pgmpy(bare)
