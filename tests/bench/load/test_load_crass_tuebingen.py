"""CRASS and Tübingen loaders on the real files (counts, option order, folder vs index), and bad records."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from causalbridge.bench.items import BenchDataset
from causalbridge.bench.load import load_crass, load_tuebingen
from causalbridge.errors import InputError


def positions(ds: BenchDataset) -> Counter[int]:
    return Counter(it.answer_index for it in ds)


def test_crass(shared_data: Path) -> None:
    path = shared_data / "crass" / "CRASS_FTM_main_data_set.csv"
    ds = load_crass(path)
    assert len(ds) == 274 and ds.counts("n_options") == {3: 230, 4: 44}
    assert positions(ds) == {0: 92, 1: 93, 2: 78, 3: 11}  # the file puts the answer first; we do not
    first = ds.get("1")
    assert first.question == (
        "A woman opens a treasure chest. What would have happened if the woman had not opened the treasure chest?"
    )
    assert first.answer == "The treasure chest would have remained closed."
    assert set(first.options) == {first.answer, "The treasure chest would have been open.", "That is not possible."}
    again, other = load_crass(path), load_crass(path, seed=1)
    assert again == ds
    assert [it.answer for it in other] == [it.answer for it in ds]
    assert [it.options for it in other] != [it.options for it in ds]
    assert all(set(a.options) == set(b.options) for a, b in zip(ds, other, strict=True))


def test_crass_bad_records(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "crass" / "CRASS_FTM_main_data_set.csv").read_text(encoding="utf-8").splitlines()[:6]
    fields = lines[3].split(";")
    fields[4] = ""
    lines[3] = ";".join(fields)
    lines[5] = lines[5] + ";extra"
    path = tmp_path / "crass.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_crass(path)
    assert err.value.where == f"{path}:4"
    assert "line 4: empty field(s) CorrectAnswer" in str(err.value)
    assert "line 6: expected 9 fields, found 10" in str(err.value)
    path.write_text(lines[0].replace(";", ","), encoding="utf-8")
    with pytest.raises(InputError, match=r"crass\.csv:1: missing column\(s\) PCTID.*delimiter ';'"):
        load_crass(path)


def test_tuebingen_index(shared_data: Path) -> None:
    ds = load_tuebingen(shared_data / "tuebingen" / "pairs_index.csv")
    assert len(ds) == 50  # pairs 1-50; none of them is multivariate (those are 52-55 and 71)
    assert positions(ds) == {0: 22, 1: 28}
    assert sum(it.meta["cause"] == it.meta["file_order"][0] for it in ds) == 46  # x -> y, except pairs 47-50
    one = ds.get("pair0001")
    assert one.answer == "Altitude causes Temperature"
    assert set(one.options) == {"Altitude causes Temperature", "Temperature causes Altitude"}
    assert "Altitude" in one.question and "temperature (average over 1961-1990)" in one.question
    assert ds.get("pair0048").answer == "Outdoor temperature causes Indoor temperature"
    assert all(it.meta["weight"] > 0 for it in ds)


def test_tuebingen_folder_agrees_with_index(shared_data: Path) -> None:
    index = load_tuebingen(shared_data / "tuebingen" / "pairs_index.csv")
    folder = load_tuebingen(shared_data / "tuebingen" / "pairs")
    assert folder.ids == index.ids
    for a, b in zip(index, folder, strict=True):
        assert (a.options, a.answer, a.meta["weight"]) == (b.options, b.answer, b.meta["weight"])
    # the index lost pair 42's descriptions; the folder reads them from pair0042_des.txt
    assert "days of the year" in folder.get("pair0042").question
    assert "days of the year" not in index.get("pair0042").question


HEADER = (
    "pair_id,n_rows,n_cols,var1_readme,var2_readme,x_desc_from_des,y_desc_from_des,ground_truth_pairmeta,"
    "ground_truth_readme_arrow,source_readme,cause_cols,effect_cols,weight"
)


def test_tuebingen_skips_multivariate_and_reports_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    rows = [
        HEADER,
        "pair0001,9,2,Altitude,Temperature,altitude,temp,x->y,->,DWD,1-1,2-2,0.5",
        "pair0052,9,8,T P,T P,,,y->x,<-,ncep,5-8,1-4,0",
        "pair0054,9,5,D H W,F A,,,x->y,->,mpg,1-3,4-5,0.25",
        "pair0047,9,2,Cars,Day,,,y->x,<-,traffic,2-2,1-1,1",
    ]
    path.write_text("\n".join(rows), encoding="utf-8")
    assert load_tuebingen(path).ids == ("pair0001", "pair0047")
    rows[1] = rows[1].replace("x->y", "x-y")
    rows[4] = rows[4].replace("y->x", "x->y")
    path.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_tuebingen(path)
    assert err.value.where == f"{path}:2"
    assert "line 2: ground_truth_pairmeta must be 'x->y' or 'y->x'" in str(err.value)
    assert "line 5: ground truth x->y contradicts cause_cols '2-2'" in str(err.value)
    with pytest.raises(InputError, match="Tübingen pairmeta.txt file not found"):
        load_tuebingen(tmp_path)
