"""Activation patching on tiny, seeded, randomly initialised GPT-2 and Llama models.

Random weights are enough for what is tested here: architecture detection, the exact identities every
correct patching implementation satisfies (restoring the whole residual stream gives back the clean run),
batching equivalence, hook hygiene and input validation. Factual recall is tested on the embedded model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from torch import nn
from transformers import (
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    OPTConfig,
    OPTForCausalLM,
    PreTrainedTokenizerFast,
)

from causalbridge.errors import InputError
from causalbridge.probe.patching import (
    ALL_KINDS,
    CounterfactualPrompt,
    Site,
    SiteKind,
    SubjectNoise,
    answer_probability,
    answer_token_id,
    clean_metric,
    locate_layout,
    logit_difference,
    patch_sweep,
    patched_metric,
    subject_positions,
)
from causalbridge.probe.patching.corruption import prepare_prompts

WORDS = ["[UNK]", "the", "eiffel", "tower", "big", "colosseum", "is", "located", "in", "city", "of", "paris", "rome"]
CLEAN = "the eiffel tower is located in the city of"
CORRUPTED = "the big colosseum is located in the city of"  # same length: 9 words, 9 tokens
N_TOKENS = 9


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """One intra-op thread for this module, restored afterwards: on 2 cores shared with other jobs two OpenMP
    threads spin-wait on each other and run several times slower (docs/benchmarks/probes.md, Threads)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerFast:
    word_level = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    word_level.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=word_level, unk_token="[UNK]")


def _gpt2() -> nn.Module:
    torch.manual_seed(0)
    config = GPT2Config(n_layer=2, n_embd=32, n_head=4, vocab_size=len(WORDS), n_positions=32, bos_token_id=0)
    config.eos_token_id = 0
    return GPT2LMHeadModel(config)


def _llama() -> nn.Module:
    torch.manual_seed(1)
    config = LlamaConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        vocab_size=len(WORDS),
        max_position_embeddings=32,
        bos_token_id=0,
        eos_token_id=0,
    )
    return LlamaForCausalLM(config)


@pytest.fixture(scope="module", params=["gpt2", "llama"])
def model(request: pytest.FixtureRequest) -> nn.Module:
    return _gpt2() if request.param == "gpt2" else _llama()


def _hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def _logits(model: nn.Module, tokenizer: Any, text: str) -> torch.Tensor:
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(**tokenizer(text, return_tensors="pt")).logits
    model.train(was_training)
    return out


def test_layouts_are_found_by_inspection() -> None:
    gpt2, llama = locate_layout(_gpt2()), locate_layout(_llama())
    assert (gpt2.layers_path, gpt2.attention_name, gpt2.mlp_name, gpt2.n_layers) == ("transformer.h", "attn", "mlp", 2)
    assert (llama.layers_path, llama.attention_name, llama.mlp_name) == ("model.layers", "self_attn", "mlp")
    assert llama.hook_name(SiteKind.MLP, 1) == "model.layers.1.mlp"
    assert llama.module(SiteKind.RESID, 0) is llama.layers[0]


def test_unsupported_architectures_are_refused_clearly() -> None:
    opt = OPTForCausalLM(
        OPTConfig(
            hidden_size=16,
            ffn_dim=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            vocab_size=len(WORDS),
            word_embed_proj_dim=16,
            max_position_embeddings=16,
        )
    )
    with pytest.raises(InputError, match=r"unsupported architecture.*no MLP sub-module.*fc1"):
        locate_layout(opt)
    with pytest.raises(InputError, match=r"model Sequential: unsupported architecture: cannot find the decoder"):
        locate_layout(nn.Sequential(nn.Linear(2, 2)))


def test_restoring_the_whole_residual_stream_or_the_final_site_gives_the_clean_metric(
    model: nn.Module, tokenizer: Any
) -> None:
    metric = logit_difference(tokenizer, " paris", " rome")
    clean = clean_metric(model, tokenizer, CLEAN, metric)
    corrupted = clean_metric(model, tokenizer, CORRUPTED, metric)
    assert abs(clean - corrupted) > 1e-3  # otherwise the identities below would hold trivially
    assert patched_metric(model, tokenizer, CLEAN, CORRUPTED, metric) == pytest.approx(corrupted, abs=1e-6)
    final = patched_metric(model, tokenizer, CLEAN, CORRUPTED, metric, [Site(SiteKind.RESID, -1, -1)])
    assert final == pytest.approx(clean, abs=1e-5)
    for layer in range(2):
        restored = patched_metric(model, tokenizer, CLEAN, CORRUPTED, metric, [Site(SiteKind.RESID, layer)])
        assert restored == pytest.approx(clean, abs=1e-5)
    # the residual stream after layer 1 is attention + MLP + the residual after layer 0: restoring those three
    # together is restoring it, while attention and MLP alone are not
    parts = [Site(SiteKind.RESID, 0), Site(SiteKind.ATTN, 1), Site(SiteKind.MLP, 1)]
    assert patched_metric(model, tokenizer, CLEAN, CORRUPTED, metric, parts) == pytest.approx(clean, abs=1e-5)
    partial = patched_metric(model, tokenizer, CLEAN, CORRUPTED, metric, parts[1:])
    assert abs(partial - clean) > 1e-4


def test_batched_sweep_equals_one_site_at_a_time(model: nn.Module, tokenizer: Any) -> None:
    metric = logit_difference(tokenizer, " paris", " rome")
    positions = [*range(N_TOKENS), None]
    batched = patch_sweep(model, tokenizer, CLEAN, CORRUPTED, metric, positions=positions, batch_size=7, progress=False)
    single = patch_sweep(model, tokenizer, CLEAN, CORRUPTED, metric, positions=positions, batch_size=1, progress=False)
    assert batched.effects.shape == (3, 2, N_TOKENS + 1)
    assert batched.effects == pytest.approx(single.effects, abs=1e-5)
    assert batched.clean_metric == pytest.approx(single.clean_metric, abs=1e-6)
    for site in batched.sites[::5]:  # spot-check against independent single-site runs
        alone = patched_metric(model, tokenizer, CLEAN, CORRUPTED, metric, [site])
        assert batched.effect(site) + batched.corrupted_metric == pytest.approx(alone, abs=1e-5)
    # structural facts: positions before the first changed token cannot matter, the final site restores all
    assert batched.normalized[0, -1, N_TOKENS - 1] == pytest.approx(1.0, abs=1e-4)
    assert batched.normalized[0, :, N_TOKENS] == pytest.approx([1.0, 1.0], abs=1e-4)
    assert batched.effects[:, :, 0] == pytest.approx(0.0, abs=1e-6)  # "the" is the same token in both prompts


def test_sweep_leaves_no_hook_and_restores_training_mode(model: nn.Module, tokenizer: Any) -> None:
    metric = answer_probability(tokenizer, " paris")
    before = _logits(model, tokenizer, CLEAN)
    model.train()
    result = patch_sweep(model, tokenizer, CLEAN, CORRUPTED, metric, layers=[1], progress=False)
    assert model.training
    assert _hook_count(model) == 0
    assert torch.equal(_logits(model, tokenizer, CLEAN), before)
    model.eval()
    again = patch_sweep(model, tokenizer, CLEAN, CORRUPTED, metric, layers=[1], progress=False)
    assert again.effects == pytest.approx(result.effects, abs=1e-9)  # dropout was off in train mode too


def test_hooks_are_removed_when_a_forward_pass_fails(model: nn.Module, tokenizer: Any) -> None:
    calls = {"n": 0}

    def explode_on_third_call(module: nn.Module, args: Any, output: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("boom")

    handle = locate_layout(model).layers[-1].register_forward_hook(explode_on_third_call)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            patch_sweep(
                model,
                tokenizer,
                CLEAN,
                CORRUPTED,
                answer_probability(tokenizer, " paris"),
                batch_size=4,
                progress=False,
            )
    finally:
        handle.remove()
    assert calls["n"] == 3
    assert _hook_count(model) == 0


def test_subject_noise_is_seeded_and_positioned(tokenizer: Any) -> None:
    model = _llama()
    assert subject_positions(tokenizer, CLEAN, "eiffel tower") == (1, 2)
    assert subject_positions(tokenizer, CLEAN, "tower is") == (2, 3)
    noise = SubjectNoise("eiffel tower", seed=3, scale=0.5)
    prompts = prepare_prompts(model, tokenizer, CLEAN, noise)
    expected = torch.randn((2, 32), generator=torch.Generator().manual_seed(3), dtype=torch.float64) * 0.5
    assert prompts.noise is not None and prompts.noise.positions == (1, 2)
    assert torch.allclose(prompts.noise.values, expected.float())
    assert torch.equal(prompts.clean_ids, prompts.corrupted_ids)
    default = prepare_prompts(model, tokenizer, CLEAN, SubjectNoise("eiffel tower")).description
    sd = 3 * float(model.get_input_embeddings().weight.detach().std())
    assert f"sd {sd:.4g}" in default

    metric = logit_difference(tokenizer, " paris", " rome")
    first = patch_sweep(model, tokenizer, CLEAN, noise, metric, kinds=[SiteKind.RESID], progress=False)
    second = patch_sweep(model, tokenizer, CLEAN, noise, metric, kinds=[SiteKind.RESID], progress=False)
    other = patch_sweep(
        model,
        tokenizer,
        CLEAN,
        SubjectNoise("eiffel tower", seed=4, scale=0.5),
        metric,
        kinds=[SiteKind.RESID],
        progress=False,
    )
    assert first.effects == pytest.approx(second.effects, abs=0)
    assert first.corrupted_metric != other.corrupted_metric
    assert first.effects[0, :, 0] == pytest.approx(0.0, abs=1e-6)  # before the subject nothing was corrupted
    assert first.normalized[0, 0, 1] != pytest.approx(0.0, abs=1e-3)


def test_subject_positions_without_offsets_decodes_prefixes(tokenizer: Any) -> None:
    class NoOffsets:
        """A tokenizer that, like transformers' Python tokenizers, cannot return character offsets."""

        def __call__(self, text: str, **kwargs: Any) -> Any:
            if kwargs.get("return_offsets_mapping"):
                raise NotImplementedError("return_offset_mapping is not available when using Python tokenizers")
            return tokenizer(text, **kwargs)

        def decode(self, ids: list[int], **kwargs: Any) -> str:
            return str(tokenizer.decode(ids, **kwargs))

    assert subject_positions(NoOffsets(), CLEAN, "eiffel tower") == (1, 2)


def test_bad_inputs_raise_one_clear_input_error(tokenizer: Any) -> None:
    model = _gpt2()
    metric = answer_probability(tokenizer, " paris")

    def sweep(**kwargs: Any) -> Any:
        return patch_sweep(
            model, tokenizer, CLEAN, kwargs.pop("corrupted", CORRUPTED), metric, progress=False, **kwargs
        )

    with pytest.raises(InputError, match=r"layer 2 is out of range: the model has 2 decoder layers"):
        sweep(layers=[0, 2])
    with pytest.raises(InputError, match=r"layer -3 is out of range"):
        patched_metric(model, tokenizer, CLEAN, CORRUPTED, metric, [Site(SiteKind.MLP, -3, 0)])
    with pytest.raises(InputError, match=r"position 9 is out of range: the prompt has 9 tokens"):
        sweep(positions=[9])
    with pytest.raises(InputError, match=r"position -10 is out of range"):
        patched_metric(model, tokenizer, CLEAN, CORRUPTED, metric, [Site(SiteKind.RESID, 0, -10)])
    with pytest.raises(InputError, match=r"counterfactual prompt has 8 tokens but the clean prompt has 9"):
        sweep(corrupted="the colosseum is located in the city of")
    with pytest.raises(InputError, match=r"subject 'louvre'.*does not occur"):
        sweep(corrupted=SubjectNoise("louvre"))
    with pytest.raises(InputError, match=r"batch_size must be a positive int"):
        sweep(batch_size=0)
    with pytest.raises(InputError, match=r"not a SiteKind"):
        sweep(kinds=["resid"])
    with pytest.raises(InputError, match=r"Site.kind"):
        Site("resid", 0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"Site.layer"):
        Site(SiteKind.RESID, 1.0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"exactly one token.*2"):
        answer_token_id(tokenizer, " paris rome")
    with pytest.raises(InputError, match=r"a metric must map \(batch, vocab\) logits to a \(batch,\) tensor"):
        patch_sweep(model, tokenizer, CLEAN, CORRUPTED, lambda logits: logits, progress=False)
    assert _hook_count(model) == 0


def test_counterfactual_prompt_object_and_string_are_the_same(tokenizer: Any) -> None:
    model = _gpt2()
    metric = answer_probability(tokenizer, " paris")
    as_text = patch_sweep(model, tokenizer, CLEAN, CORRUPTED, metric, kinds=ALL_KINDS[1:], progress=False)
    as_object = patch_sweep(
        model, tokenizer, CLEAN, CounterfactualPrompt(CORRUPTED), metric, kinds=ALL_KINDS[1:], progress=False
    )
    assert as_text.kinds == (SiteKind.ATTN, SiteKind.MLP)
    assert as_text.effects == pytest.approx(as_object.effects, abs=0)
    assert as_text.corrupted_tokens[1] == "big"


def test_a_progress_callback_follows_the_batches(tokenizer: Any) -> None:
    model = _gpt2()
    metric = answer_probability(tokenizer, " paris")
    calls: list[tuple[int, int]] = []
    kwargs: dict[str, Any] = {"kinds": [SiteKind.RESID], "batch_size": 7}
    followed = patch_sweep(
        model, tokenizer, CLEAN, CORRUPTED, metric, progress=lambda *call: calls.append(call), **kwargs
    )
    total = 2 * N_TOKENS  # two layers, every position
    assert calls == [(0, total), (7, total), (14, total), (total, total)]
    quiet = patch_sweep(model, tokenizer, CLEAN, CORRUPTED, metric, progress=False, **kwargs)
    assert followed.effects == pytest.approx(quiet.effects, abs=0)
