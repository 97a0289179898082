"""The real embedded model (SmolLM2-135M) writes, scores and judges edits of three examples end to end.

A 135M model mostly fails to write good counterfactuals; the test checks that the path runs, that fluency is
scored from its log-probabilities and that every record is complete, not that edits are kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causalbridge.counterfactual import read_examples, run_counterfactuals
from causalbridge.llm import make_backend

ROWS = [
    {"id": "s1", "text": "The movie was a delight from start to finish.", "label": "positive"},
    {"id": "s2", "text": "The food was cold and the service was slow.", "label": "negative"},
    {"id": "s3", "text": "I loved the friendly staff and the clean rooms.", "label": "positive"},
]


@pytest.mark.slow
def test_embedded_model_on_three_examples(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    backend = make_backend("local:smollm2", cache_dir=tmp_path / "cache")
    out = tmp_path / "out.jsonl"
    summary = run_counterfactuals(read_examples(source), backend, backend, out)
    assert (summary.selected, summary.new, summary.fluency_method) == (3, 3, "logprob")
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["s1", "s2", "s3"]
    for r in records:
        assert r["intended_label"] != r["original_label"] and r["run"]["generator"] == "local:smollm2"
        assert r["kept"] == (r["reasons"] == []) and r["usage"]["queries"] >= 1
        if r["scores"]["judge_prob"] is not None:  # the edit was scored by the model
            assert r["scores"]["fluency_method"] == "logprob" and set(r["judge_probs"]) == {"negative", "positive"}
        print(f"{r['original_text']!r} -> {r['edit']!r}: kept={r['kept']} {r['reasons']}")
    resumed = run_counterfactuals(read_examples(source), backend, backend, out)
    assert (resumed.resumed, resumed.new) == (3, 0)
