"""Corr2Cause loader on the published sample, the premise/hypothesis parsers, and bad records."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from causalbridge.bench.load import load_corr2cause
from causalbridge.bench.load.corr2cause import join_names, parse_hypothesis, parse_premise, split_names
from causalbridge.errors import InputError


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> Path:
    return shared_data / "corr2cause" / "corr2cause_test_sample200.csv"


def test_sample_counts_and_meta(sample: Path) -> None:
    ds = load_corr2cause(sample)
    assert len(ds) == 200 and ds.name == "corr2cause"
    assert ds.answer_counts() == {"no": 169, "yes": 31}
    assert ds.counts("template") == {
        "has_confounder": 41,
        "child": 37,
        "parent": 32,
        "has_collider": 31,
        "non-parent ancestor": 31,
        "non-child descendant": 28,
    }
    assert ds.counts("n_vars") == {6: 89, 5: 85, 4: 18, 3: 7, 2: 1}
    assert ds.counts("relation") == {"direct_cause": 69, "indirect_cause": 59, "common_cause": 41, "common_effect": 31}
    first = ds[0]
    assert first.id == "c2c-00001" and first.answer == "yes"
    assert first.question.startswith("Premise: Suppose there is a closed system of 6 variables, A, B, C, D, E and F.")
    assert first.meta["pair"] == ("A", "C") and first.meta["relation"] == "common_effect"


def test_every_published_premise_parses(sample: Path) -> None:
    for it in load_corr2cause(sample):
        premise = parse_premise(it.question.partition("\nHypothesis:")[0])
        assert len(premise.variables) == it.meta["n_vars"]
        marginal = {pair for pair, given in premise.independences if not given}
        n = len(premise.variables)
        # every pair is either said to correlate or said to be (marginally) independent, never both
        assert not marginal & premise.correlations
        assert len(marginal | premise.correlations) == n * (n - 1) // 2


def test_parsers() -> None:
    assert join_names(["A"]) == "A" and join_names(["A", "B"]) == "A and B"
    assert join_names(["A", "B", "C"]) == "A, B and C" and split_names("A, B and C") == ("A", "B", "C")
    assert parse_hypothesis("B is a cause for A, but not a direct one.") == ("indirect_cause", "B", "A")
    assert parse_hypothesis("Something else entirely.") is None
    p = parse_premise(
        "Premise: Suppose there is a closed system of 3 variables, A, B and C. All the statistical relations among "
        "these 3 variables are as follows: A correlates with B. B correlates with C. However, A is independent of "
        "C. A and C are independent given B."
    )
    assert p.variables == ("A", "B", "C") and len(p.correlations) == 2
    assert p.independences == {(frozenset("AC"), frozenset()), (frozenset("AC"), frozenset("B"))}
    with pytest.raises(InputError, match="unrecognised statement"):
        parse_premise(
            "Suppose there is a closed system of 2 variables, A and B. All the statistical relations "
            "among these 2 variables are as follows: A likes B."
        )
    with pytest.raises(InputError, match="outside"):
        parse_premise(
            "Suppose there is a closed system of 2 variables, A and B. All the statistical relations "
            "among these 2 variables are as follows: A correlates with Z."
        )


def test_bad_records_name_their_first_line(sample: Path, tmp_path: Path) -> None:
    with sample.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:4]
    rows[1]["label"] = "2"
    rows[3]["input"] = "no premise here"
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["input", "label", "num_variables", "template"])
        writer.writeheader()
        writer.writerows(rows)
    # each input spans two physical lines (Premise / Hypothesis), so records start on lines 2, 4, 6, 8
    with pytest.raises(InputError) as err:
        load_corr2cause(bad)
    assert err.value.where == f"{bad}:4"
    assert "2 bad records: line 4: field 'label' must be 0 or 1" in str(err.value)
    assert "line 8: field 'input' must read" in str(err.value)
    (tmp_path / "cols.csv").write_text("text,label\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cols\.csv:1: missing column\(s\) input"):
        load_corr2cause(tmp_path / "cols.csv")
    with pytest.raises(InputError, match="Corr2Cause CSV file not found"):
        load_corr2cause(tmp_path / "missing.csv")


def test_file_without_optional_columns(sample: Path, tmp_path: Path) -> None:
    """The original binary-format CSVs have only input and label: n_vars and relation come from the text."""
    with sample.open(encoding="utf-8", newline="") as fh:
        rows = [{"input": r["input"], "label": r["label"]} for r in list(csv.DictReader(fh))[:10]]
    path = tmp_path / "two_columns.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["input", "label"])
        writer.writeheader()
        writer.writerows(rows)
    full, short = load_corr2cause(sample).head(10), load_corr2cause(path)
    assert [i.meta["n_vars"] for i in short] == [i.meta["n_vars"] for i in full]
    assert [i.answer for i in short] == [i.answer for i in full]
    assert set(short.counts("template")) == {None}
