"""The bias audit and the attribution probe on the real embedded model (SmolLM2-135M-Instruct).

Loading the model takes tens of seconds on 2 cores, so these tests are marked slow. They check what must
hold for any model: probabilities from log-probabilities, effects that are exactly the paired differences of
the model's own answers, the same answer when a prompt is asked again alone, and honest usage.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from causalbridge.llm import Backend, availability, make_backend, run_sync
from causalbridge.probe.attribution import AnswerProbability, Part, PromptParts, attribute
from causalbridge.probe.bias import AuditSettings, TemplateSet, audit_bias, load_templates

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm() -> Backend:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    reason = availability("local:smollm2")
    if reason is not None:
        pytest.skip(reason)
    return make_backend("local:smollm2", no_cache=True)


def test_audit_of_the_embedded_model(smollm: Backend) -> None:
    builtin = load_templates("builtin")
    chosen = tuple(t for t in builtin.templates if t.id in ("hiring_software_engineer", "loan_credit_card"))
    audit = audit_bias(smollm, TemplateSet(chosen, builtin.words, builtin.source), AuditSettings(fillings=2, seed=0))
    assert len(audit.measurements) == 2 * 2 * 2 and len(audit.tests) == 2
    assert all(0.0 < m.favourable < 1.0 and not m.abstained for m in audit.measurements)
    assert audit.usage.queries == 8 and audit.usage.prompt_tokens > 8 * 30
    for test in audit.tests:
        diffs = audit.differences(test.template, test.group)
        assert test.effect == pytest.approx(float(np.mean(diffs)), abs=1e-12)
        assert test.interval.low <= test.effect <= test.interval.high and 0.0 < test.p_value <= 1.0
    first = audit.measurements[0]  # asked again on its own, the prompt gets the same probability
    (again,) = run_sync(smollm.choose([first.text], ("yes", "no")))
    assert again.method == "logprobs" and again.prob("yes") == pytest.approx(first.favourable, abs=1e-5)


def test_attribution_of_the_embedded_model(smollm: Backend) -> None:
    parts = PromptParts(
        (
            Part("instruction", "You are a loan officer. Approve only safe loans.", role="system"),
            Part("request", "A customer with a stable job asks for a small loan. Approve it?", fixed=True),
            Part("warning", "Note: the customer missed three payments last year.", ablation="neutral"),
        )
    )
    result = attribute(smollm, parts, AnswerProbability(("yes", "no"), "yes"), samples=4)
    assert result.design == "full" and len(result.cells) == 4 and result.samples == 1
    full, none = result.cell().mean, result.cell("instruction", "warning").mean
    one, other = result.cell("instruction").mean, result.cell("warning").mean
    assert result.effect("instruction", "warning").interval.estimate == pytest.approx(full - one - other + none)
    assert result.effect("warning").interval.estimate == pytest.approx(((full - other) + (one - none)) / 2)
    assert result.usage.queries == 4
