"""The real embedded model (SmolLM2-135M) suggests roles end to end; it is at chance, and the test only checks
that the whole path runs and reports what it said (shown with ``pytest -s``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from causalbridge.data import load_network
from causalbridge.effect.roles import FACTS, ROLES, UNKNOWN, suggest_roles, true_roles
from causalbridge.llm import make_backend


@pytest.mark.slow
def test_embedded_model_suggests_roles(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    cancer = load_network("cancer")
    backend = make_backend("local:smollm2", cache_dir=tmp_path)
    table = suggest_roles(cancer.variables, "Smoker", "Dyspnoea", backend)
    assert [row.variable for row in table] == ["Pollution", "Cancer", "Xray"]
    assert not table.simulated and table.model == "local:smollm2"
    assert table.usage.queries == 3 * (len(FACTS) + 1) and table.usage.prompt_tokens > 0
    truth = true_roles(cancer.graph, "Smoker", "Dyspnoea")
    for row in table:
        assert row.role in (*ROLES, UNKNOWN) and row.provenance == "llm"
        if row.role != UNKNOWN:
            assert sum(p for _, p in row.probabilities) == pytest.approx(1.0)
            assert all(p is not None and 0.0 < p < 1.0 for _, p in row.answers)  # log-probabilities: no abstention
        print(f"{row.variable}: said {row.role} (p={row.probability}), truth {truth[row.variable]}; {row.rationale}")
    assert table.graph.has_edge("Smoker", "Dyspnoea") and table.graph.is_dag
    again = suggest_roles(cancer.variables, "Smoker", "Dyspnoea", backend)
    assert again.as_dict() == table.as_dict() and again.usage.cache_hits == again.usage.queries
