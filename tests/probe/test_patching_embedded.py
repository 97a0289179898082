"""Activation patching on the embedded SmolLM2-135M-Instruct with a factual-recall prompt it gets right.

The model is loaded once for the module (about 15 s: the GGUF file is dequantised to float32), so all tests
here are marked slow. Each identity below holds for a correct implementation whatever the model knows; the
top-1 checks make sure the prompt pair is the meaningful one (the model says Paris, then Rome).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from causalbridge.llm.engines import EmbeddedModelMissingError, embedded_model_path
from causalbridge.probe.patching import (
    Site,
    SiteKind,
    SubjectNoise,
    answer_probability,
    clean_metric,
    logit_difference,
    patch_sweep,
    patched_metric,
)

pytestmark = pytest.mark.slow

CLEAN = "The Eiffel Tower is located in the city of"
CORRUPTED = "The Colosseum is located in the city of"


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """One intra-op thread for this module, restored afterwards: on 2 cores shared with other jobs two OpenMP
    threads spin-wait on each other and run several times slower (docs/benchmarks/probes.md, Threads)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def smollm() -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        path = embedded_model_path()
    except EmbeddedModelMissingError as exc:
        pytest.skip(str(exc))
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32)
    return model.eval(), tokenizer


def _next_token(model: Any, tokenizer: Any, prompt: str) -> str:
    with torch.no_grad():
        logits = model(**tokenizer(prompt, return_tensors="pt")).logits
    return str(tokenizer.decode([int(logits[0, -1].argmax())]))


def test_the_model_recalls_both_facts(smollm: tuple[Any, Any]) -> None:
    model, tokenizer = smollm
    assert _next_token(model, tokenizer, CLEAN) == " Paris"
    assert _next_token(model, tokenizer, CORRUPTED) == " Rome"
    assert len(tokenizer(CLEAN)["input_ids"]) == len(tokenizer(CORRUPTED)["input_ids"]) == 10


def test_patching_identities_on_factual_recall(smollm: tuple[Any, Any]) -> None:
    model, tokenizer = smollm
    paris = answer_probability(tokenizer, " Paris")
    clean = clean_metric(model, tokenizer, CLEAN, paris)
    corrupted = clean_metric(model, tokenizer, CORRUPTED, paris)
    assert clean > 0.5 and corrupted < 0.01
    assert patched_metric(model, tokenizer, CLEAN, CORRUPTED, paris) == pytest.approx(corrupted, abs=1e-6)
    final = patched_metric(model, tokenizer, CLEAN, CORRUPTED, paris, [Site(SiteKind.RESID, -1, -1)])
    assert final == pytest.approx(clean, abs=1e-5)

    # every layer's whole residual stream, in one batched forward pass
    diff = logit_difference(tokenizer, " Paris", " Rome")
    result = patch_sweep(
        model,
        tokenizer,
        CLEAN,
        CORRUPTED,
        diff,
        kinds=[SiteKind.RESID],
        positions=[None],
        batch_size=32,
        progress=False,
    )
    assert result.layers == tuple(range(30)) and result.positions == (None,)
    assert result.clean_metric > 0 > result.corrupted_metric
    assert result.patched_metrics[0, :, 0] == pytest.approx([result.clean_metric] * 30, abs=1e-4)


def test_no_hook_survives_a_sweep(smollm: tuple[Any, Any]) -> None:
    model, tokenizer = smollm
    ids = tokenizer(CLEAN, return_tensors="pt")
    with torch.no_grad():
        before = model(**ids).logits
    patch_sweep(
        model,
        tokenizer,
        CLEAN,
        CORRUPTED,
        answer_probability(tokenizer, " Paris"),
        layers=[29],
        positions=[9],
        progress=False,
    )
    assert sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules()) == 0
    with torch.no_grad():
        assert torch.equal(model(**ids).logits, before)


def test_causal_tracing_with_subject_noise(smollm: tuple[Any, Any]) -> None:
    model, tokenizer = smollm
    paris = answer_probability(tokenizer, " Paris")
    noise = SubjectNoise("Eiffel Tower", seed=0)
    result = patch_sweep(
        model,
        tokenizer,
        CLEAN,
        noise,
        paris,
        kinds=[SiteKind.RESID],
        layers=[1, 29],
        positions=[0, 2, 9, None],
        progress=False,
    )
    assert "token positions [1, 2, 3]" in result.corruption
    assert result.corrupted_metric < result.clean_metric / 2
    assert result.effects[0, :, 0] == pytest.approx(0.0, abs=1e-6)  # "The" precedes the noised subject
    assert result.patched_metrics[0, :, 3] == pytest.approx([result.clean_metric] * 2, abs=1e-5)
    assert result.patched_metrics[0, 1, 2] == pytest.approx(result.clean_metric, abs=1e-5)
    # as in causal tracing, an early layer at a subject token ("iffel") restores most of the answer, while the
    # same layer at the final token, which has not yet read the subject's meaning, restores little
    assert result.normalized[0, 0, 1] > 0.5
    assert result.normalized[0, 0, 2] < 0.2
