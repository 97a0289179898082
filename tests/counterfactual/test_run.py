"""run_counterfactuals with the scripted test double: every keep/reject path, the output format, and resuming."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from causalbridge.counterfactual import FilterSettings, parse_examples, read_examples, run_counterfactuals
from causalbridge.errors import InputError
from counterfactual.doubles import EditingDouble

RECORDS = [
    ("s1", "The movie was a delight from start to finish.", "positive"),
    ("s2", "The food was cold and the service was slow.", "negative"),
    ("s3", "I loved the friendly staff and the clean rooms.", "positive"),
    ("s4", "Great phone, the battery lasts all day.", "positive"),
    ("s5", "The plot made no sense at all.", "negative"),
    ("s6", "A warm and funny little film.", "positive"),
]
EDITS = {
    "The movie was a delight": "The movie was a bore from start to finish.",  # kept
    "The food was cold": "The food was hot and the service was quick.",  # the judge disagrees
    "I loved the friendly": "Everything about this hotel was awful: rude staff and dirty rooms.",  # too big
    "Great phone": "Great phone, the battery blorp dies all day.",  # not fluent
    # s5 has no scripted edit: the generator replies with nothing
    "A warm and funny": "A warm and funny little film.",  # unchanged
}
JUDGE = {
    "The movie was a bore": "negative",
    "The food was hot": "negative",
    "Everything about this hotel": "negative",
    "battery blorp dies": "negative",
}


def write_examples(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "text": t, "label": lab}) + "\n" for i, t, lab in rows))
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def run(tmp_path: Path, rows: list[tuple[str, str, str]] = RECORDS, **kwargs: Any) -> tuple[Any, EditingDouble, Path]:
    double = EditingDouble(EDITS, JUDGE, logprobs=kwargs.pop("logprobs", True))
    data = read_examples(write_examples(tmp_path / "in.jsonl", rows))
    out = kwargs.pop("out", tmp_path / "out.jsonl")
    summary = run_counterfactuals(data, double, double, out, batch_size=kwargs.pop("batch_size", 4), **kwargs)
    return summary, double, out


def test_every_keep_and_reject_path(tmp_path: Path) -> None:
    summary, _, out = run(tmp_path)
    assert (summary.selected, summary.new, summary.kept, summary.fluency_method) == (6, 6, 1, "logprob")
    by_id = {r["id"]: r for r in lines(out)}
    kept = by_id["s1"]
    assert kept["kept"] and kept["reasons"] == [] and kept["intended_label"] == "negative"
    assert kept["edit"] == "The movie was a bore from start to finish." and kept["mode"] == "flip"
    assert kept["edited"] == {"text": kept["edit"]} and kept["original"] == {"text": RECORDS[0][1]}
    assert kept["original_text"] == RECORDS[0][1] and kept["original_label"] == "positive"
    assert kept["judge_label"] == "negative" and kept["judge_prob"] == pytest.approx(0.9)
    scores = kept["scores"]
    assert scores["edit_distance"] == pytest.approx(1 / 10) and scores["fluency_method"] == "logprob"
    assert scores["fluency"] == pytest.approx(0.0, abs=1e-6)  # same length, no awkward word
    assert kept["checks"] == {"edit_distance": True, "fluency": True, "judge": True}
    assert kept["run"]["generator"] == "editing-test-double" and kept["run"]["prompt_version"] == "v1"
    assert kept["usage"]["queries"] == 1 + 1 + 2  # edit, judge, fluency in both option orders
    assert by_id["s2"]["checks"] == {"edit_distance": True, "fluency": True, "judge": False}
    assert "the judge says 'negative'" in by_id["s2"]["reasons"][0]
    assert by_id["s3"]["checks"]["edit_distance"] is False and "edit distance" in by_id["s3"]["reasons"][0]
    assert by_id["s4"]["checks"] == {"edit_distance": True, "fluency": False, "judge": True}
    assert by_id["s4"]["scores"]["fluency"] < -1.0 and "fluency (logprob)" in by_id["s4"]["reasons"][0]
    assert by_id["s5"]["edit"] is None and by_id["s5"]["reasons"] == ["the generator gave no edit"]
    assert by_id["s5"]["edited"] is None and by_id["s5"]["usage"]["queries"] == 1
    assert by_id["s6"]["reasons"] == ["the edit changes nothing"] and by_id["s6"]["scores"]["edit_distance"] == 0.0
    assert not any(by_id[i]["kept"] for i in ("s2", "s3", "s4", "s5", "s6"))


def test_thresholds_decide(tmp_path: Path) -> None:
    loose = FilterSettings(max_edit=1.0, min_fluency=-2.0, min_judge=0.5)
    summary, _, out = run(tmp_path, settings=loose)
    assert {r["id"] for r in lines(out) if r["kept"]} == {"s1", "s3", "s4"} and summary.kept == 3


def test_without_logprobs_fluency_is_the_heuristic_and_the_judge_votes(tmp_path: Path) -> None:
    summary, double, out = run(tmp_path, logprobs=False)
    assert summary.fluency_method == "heuristic"
    by_id = {r["id"]: r for r in lines(out)}
    assert by_id["s1"]["kept"] and by_id["s1"]["scores"]["fluency_method"] == "heuristic"
    assert by_id["s1"]["scores"]["fluency"] == 1.0 and by_id["s1"]["judge_prob"] == 1.0
    assert by_id["s1"]["run"]["fluency"] == "heuristic"
    assert by_id["s4"]["kept"]  # the heuristic does not know that "blorp" is awkward: it only catches broken text
    assert len(double.judged) == 3 * 4  # three sampled votes for each of the four changed edits


def test_resume_skips_finished_examples(tmp_path: Path) -> None:
    first, double, out = run(tmp_path, rows=RECORDS[:3])
    assert first.new == 3 and len(double.rewrites) == 3
    second, double, _ = run(tmp_path, rows=RECORDS)
    assert (second.resumed, second.new) == (3, 3)
    assert len(double.rewrites) == 3 and not any("The movie was a delight" in p for p in double.rewrites)
    assert [r["id"] for r in lines(out)] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    third, double, _ = run(tmp_path)
    assert third.new == 0 and double.rewrites == []


def test_a_torn_last_line_is_dropped_and_redone(tmp_path: Path) -> None:
    run(tmp_path)
    out = tmp_path / "out.jsonl"
    raw = out.read_bytes()
    out.write_bytes(raw[: raw.rfind(b"\n", 0, len(raw) - 1) + 1] + b'{"id": "s6", "inten')
    summary, double, _ = run(tmp_path)
    assert summary.new == 1 and len(double.rewrites) == 1
    assert [r["id"] for r in lines(out)] == ["s1", "s2", "s3", "s4", "s5", "s6"]


def test_a_damaged_line_or_another_run_is_refused(tmp_path: Path) -> None:
    run(tmp_path)
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match="different run .*max_edit"):
        run(tmp_path, settings=FilterSettings(max_edit=0.5))
    text = out.read_text().splitlines()
    out.write_text("\n".join([text[0], "not json", *text[2:]]) + "\n")
    with pytest.raises(InputError, match=r"out.jsonl:2: not a JSON line"):
        run(tmp_path)


def test_nli_targets_every_other_label_and_keep_edits(tmp_path: Path) -> None:
    premise = "A man is playing a guitar on stage."
    rows = [{"id": "n1", "premise": premise, "hypothesis": "A man is making music.", "label": "entailment"}]
    data = parse_examples([json.dumps(r) for r in rows], "nli.jsonl")
    edits = {"A man is making music.": "A man is making no music."}
    double = EditingDouble(edits, {"making no music": "contradiction"})
    summary = run_counterfactuals(data, double, double, tmp_path / "a.jsonl")
    records = lines(tmp_path / "a.jsonl")
    assert summary.selected == 2 and [r["intended_label"] for r in records] == ["neutral", "contradiction"]
    assert records[1]["kept"] and records[1]["edited"] == {
        "premise": premise,
        "hypothesis": "A man is making no music.",
    }
    assert "Premise: A man is playing" in double.rewrites[0] and 'label becomes "neutral"' in double.rewrites[0]
    run_counterfactuals(data, double, double, tmp_path / "b.jsonl", target_label="entailment")
    (keep,) = lines(tmp_path / "b.jsonl")
    assert keep["mode"] == "keep" and 'keeps the label "entailment"' in double.rewrites[-1]
    with pytest.raises(InputError, match="'happy' is not one of the labels"):
        run_counterfactuals(data, double, double, tmp_path / "c.jsonl", target_label="happy")
    with pytest.raises(InputError, match="not 'text'"):
        run_counterfactuals(data, double, double, tmp_path / "c.jsonl", field="text")


def test_several_candidates_keep_the_best(tmp_path: Path) -> None:
    summary, double, out = run(tmp_path, rows=RECORDS[:2], candidates=3, seed=5)
    record = lines(out)[0]
    assert len(record["candidates"]) == 3 and record["kept"] and record["run"]["candidates"] == 3
    assert len(double.rewrites) == 2 * 3 and summary.kept == 1
