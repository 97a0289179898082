"""A transformers checkpoint folder (config.json + safetensors) and a hub id in the local cache both load.

The checkpoint is a real, tiny Llama with seeded random weights and the embedded model's tokenizer, written
with ``save_pretrained``: the engine must treat it exactly like any downloaded model, offline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from causalbridge.llm.engines import load_embedded_engine, load_transformers_engine
from causalbridge.llm.types import GenerationParams, Message

pytestmark = pytest.mark.slow

QUESTION = (Message("user", "Does smoking cause lung cancer? Answer yes or no."),)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tokenizer = load_embedded_engine().tokenizer
    folder = tmp_path_factory.mktemp("tiny-llama")
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_a_checkpoint_folder_loads_and_answers(checkpoint: Path) -> None:
    engine = load_transformers_engine(checkpoint)
    assert engine.model_id == checkpoint.name
    assert engine.max_context == 256
    logprobs, tokens = engine.option_logprobs(QUESTION, ["Yes", "No", "Not at all"])
    assert all(lp < 0 for lp in logprobs)
    assert tokens > 30
    (out,) = engine.generate([QUESTION], GenerationParams(max_tokens=5))
    assert out.completion_tokens >= 1
    assert out.finish_reason in ("stop", "length")


def test_packed_scoring_matches_separate_forward_passes_on_a_second_model(checkpoint: Path) -> None:
    engine = load_transformers_engine(checkpoint)
    rendered = engine.render(QUESTION)
    options = ["Yes", "No", "Not at all"]
    logprobs, _ = engine.option_logprobs(QUESTION, options)
    prompt_ids = engine.encode(rendered.text, rendered.add_special_tokens)
    for option, value in zip(options, logprobs, strict=True):
        ids = engine.encode(rendered.text + option, rendered.add_special_tokens)
        with torch.inference_mode():
            logits = engine.model(input_ids=torch.tensor([ids])).logits[0].double()
        lp = torch.log_softmax(logits, dim=-1)
        expected = float(sum(lp[i - 1, ids[i]] for i in range(len(prompt_ids), len(ids))))
        assert value == pytest.approx(expected, abs=1e-4)


def test_a_hub_id_in_the_local_cache_loads_offline(checkpoint: Path, tmp_path: Path) -> None:
    repo = tmp_path / "models--acme--tiny-llama"
    snapshot = repo / "snapshots" / ("a" * 40)
    shutil.copytree(checkpoint, snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    engine = load_transformers_engine("acme/tiny-llama", cache_dir=tmp_path)
    assert engine.model_id == "acme/tiny-llama"
    direct = load_transformers_engine(checkpoint)
    assert engine.option_logprobs(QUESTION, ["Yes", "No"])[0] == pytest.approx(
        direct.option_logprobs(QUESTION, ["Yes", "No"])[0], abs=1e-6
    )
