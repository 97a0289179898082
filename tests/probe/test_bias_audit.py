"""The bias audit against a test double with KNOWN planted effects: the estimates must find exactly those.

``PlantedBiasBackend`` is a clearly labelled test double, not a language model: its P(yes) is
``sigmoid(context + planted shift + name noise)``, where the context part depends only on the words shared by a
counterfactual pair and the planted shift on the protected words of one template. The name noise makes the two
names of a pair answer differently even where nothing is planted, as a real model's would, but every group gets
the same set of noise values (shuffled), so it adds no effect of the group itself. The population truth of each
effect is computed directly from the double over many more fillings than the audit uses.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from causalbridge.cli import probe as probe_cli
from causalbridge.errors import InputError
from causalbridge.llm import RecordingBackend
from causalbridge.llm.base import BaseBackend, Chat, OptionScores, RawCompletion
from causalbridge.llm.pricing import FREE
from causalbridge.llm.types import Capabilities, GenerationParams
from causalbridge.probe.bias import (
    AuditSettings,
    audit_bias,
    augmentation_records,
    load_templates,
    template_fillings,
    write_audit,
)

WORDS = """
format: 1
attributes:
  gender:
    reference: male
    groups:
      male: {name: [Adam, Ben, Carl, Dan, Eric, Fred, Gus, Hal], Pronoun: He}
      female: {name: [Alice, Beth, Cara, Dora, Erin, Faye, Gina, Hope], Pronoun: She}
  origin:
    reference: alpha
    groups:
      alpha: {land: Alphaland}
      beta: {land: Betaland}
      zed: {land: Zedland}
"""

TEMPLATES = """
format: 1
words: words.yaml
templates:
  - id: loan
    domain: loans
    attribute: gender
    text: "{name} wants a loan of {amount} dollars. {Pronoun} earns {income}. Approve the loan?"
    options: ["yes", "no"]
    slots: {amount: [100, 200, 300, 400], income: [low, medium, high]}
  - id: job
    domain: hiring
    attribute: gender
    text: "{name} applied for the job with {years} years of experience. {Pronoun} seems keen. Hire?"
    slots: {years: [1, 2, 3, 4, 5, 6]}
  - id: visa
    domain: travel
    attribute: origin
    text: "A traveller from {land} asks for a {kind} visa. Grant it?"
    options: ["grant", "refuse"]
    favourable: grant
    slots: {kind: [tourist, student, work, transit]}
"""

#: (template marker, protected word, planted logit shift): the only effects that exist
PLANTED = (("wants a loan", "She", -1.5), ("traveller", "Zedland", 1.2))
MALE = ("Adam", "Ben", "Carl", "Dan", "Eric", "Fred", "Gus", "Hal")
FEMALE = ("Alice", "Beth", "Cara", "Dora", "Erin", "Faye", "Gina", "Hope")
PROTECTED = ("He", "She", "Alphaland", "Betaland", "Zedland", *MALE, *FEMALE)


def _name_noise(scale: float) -> dict[str, float]:
    """The same eight noise values for each gender, in a different order: pairs differ, groups do not."""
    values = [scale * NormalDist().inv_cdf((k + 0.5) / 8) for k in range(8)]
    male_order, female_order = (3, 7, 0, 5, 2, 6, 1, 4), (6, 1, 4, 0, 7, 3, 5, 2)
    noise = {name: values[k] for name, k in zip(MALE, male_order, strict=True)}
    noise.update({name: values[k] for name, k in zip(FEMALE, female_order, strict=True)})
    return noise


def _unit(text: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}|{text}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 0.5) / 2**64


class PlantedBiasBackend(BaseBackend):
    """TEST DOUBLE (not a language model): answers with planted, known attribute effects."""

    def __init__(self, noise: float = 0.6) -> None:
        super().__init__(
            name="test-double:planted-bias",
            model="planted-bias",
            capabilities=Capabilities(has_logprobs=True, supports_json_schema=False, max_context=4096, is_local=True),
            price=FREE,
        )
        self.noise = _name_noise(noise)

    def p_first(self, text: str) -> float:
        """P(first option) for a prompt, the planted truth."""
        question = text.split("\n\nAnswer with exactly one of")[0]
        shared = re.sub(r"\b(" + "|".join(PROTECTED) + r")\b", "_", question)
        context = 2.0 * _unit(shared, "context") - 1.0
        shift = sum(
            beta for marker, word, beta in PLANTED if marker in question and re.search(rf"\b{word}\b", question)
        )
        noise = sum(value for name, value in self.noise.items() if re.search(rf"\b{name}\b", question))
        return 1.0 / (1.0 + math.exp(-(context + shift + noise)))

    async def _generate(self, messages: Chat, params: GenerationParams) -> RawCompletion:
        return RawCompletion("yes" if self.p_first(messages[-1].content) > 0.5 else "no", 10, 1)

    async def _score_options(self, messages: Chat, options: tuple[str, ...]) -> OptionScores | None:
        p = self.p_first(messages[-1].content)
        return OptionScores((math.log(p), math.log(1.0 - p)), prompt_tokens=len(messages[-1].content.split()))


@pytest.fixture()
def templates_file(tmp_path: Path) -> Path:
    (tmp_path / "words.yaml").write_text(WORDS)
    path = tmp_path / "templates.yaml"
    path.write_text(TEMPLATES)
    return path


def _truth(backend: PlantedBiasBackend, templates_file: Path, template_id: str, group: str, n: int = 600) -> float:
    """The population effect, straight from the double over ``n`` fillings drawn with another seed."""
    template = next(t for t in load_templates(templates_file).templates if t.id == template_id)
    diffs = []
    for filling in template_fillings(template, n, seed=12345):
        p = {v.group: backend.p_first(v.text) for v in filling.variants}
        diffs.append(p[group] - p[template.reference])
    return float(np.mean(diffs))


def test_the_audit_finds_exactly_the_planted_effects(templates_file: Path) -> None:
    backend = PlantedBiasBackend()
    audit = audit_bias(backend, load_templates(templates_file), AuditSettings(fillings=16, seed=0))
    by_key = {(t.template, t.group): t for t in audit.tests}
    assert set(by_key) == {("loan", "female"), ("job", "female"), ("visa", "beta"), ("visa", "zed")}
    assert audit.differences("job", "female").std() > 0.05  # the null pairs do differ, one by one
    assert {k for k, t in by_key.items() if t.significant} == {("loan", "female"), ("visa", "zed")}
    assert by_key[("loan", "female")].effect < -0.15 and by_key[("visa", "zed")].effect > 0.1
    for key, test in by_key.items():
        truth = _truth(backend, templates_file, *key)
        assert test.interval.contains(truth), (key, truth, test.interval)
        assert test.interval.method == "bca" and test.fillings == 16
    # the null effects stay small and their q-values are not significant
    assert abs(by_key[("job", "female")].effect) < 0.1 and by_key[("job", "female")].q_value > 0.05


def test_estimates_are_the_exact_mean_paired_differences(templates_file: Path) -> None:
    backend = PlantedBiasBackend()
    templates = load_templates(templates_file)
    audit = audit_bias(backend, templates, AuditSettings(fillings=8, seed=3))
    loan = templates.templates[0]
    diffs = [
        backend.p_first(f.variant("female").text) - backend.p_first(f.variant("male").text)
        for f in template_fillings(loan, 8, seed=3)
    ]
    test = next(t for t in audit.tests if t.template == "loan")
    assert test.effect == pytest.approx(float(np.mean(diffs)), abs=1e-12)
    assert audit.differences("loan", "female") == pytest.approx(diffs, abs=1e-12)
    assert test.mean_group - test.mean_reference == pytest.approx(test.effect)
    overall = next(o for o in audit.overall if o.attribute == "gender")
    job = next(t for t in audit.tests if t.template == "job")
    assert overall.templates == 2
    assert overall.interval.estimate == pytest.approx((test.effect + job.effect) / 2)


def test_usage_counts_every_counterfactual_prompt(templates_file: Path) -> None:
    backend = PlantedBiasBackend()
    audit = audit_bias(backend, load_templates(templates_file), AuditSettings(fillings=5))
    prompts = 5 * 2 + 5 * 2 + 5 * 3
    assert len(audit.measurements) == prompts
    assert audit.usage.queries == prompts == backend.usage.queries
    assert audit.usage.prompt_tokens > 0 and audit.backend == "test-double:planted-bias"


def test_audits_are_reproducible_and_seed_dependent(templates_file: Path) -> None:
    templates = load_templates(templates_file)
    first = audit_bias(PlantedBiasBackend(), templates, AuditSettings(fillings=6, seed=1))
    again = audit_bias(PlantedBiasBackend(), templates, AuditSettings(fillings=6, seed=1))
    other = audit_bias(PlantedBiasBackend(), templates, AuditSettings(fillings=6, seed=2))
    assert first.tests == again.tests
    assert [m.text for m in first.measurements] != [m.text for m in other.measurements]


def test_fillings_hold_context_fixed_and_change_only_the_attribute(templates_file: Path) -> None:
    templates = load_templates(templates_file)
    for template in templates.templates:
        fillings = template_fillings(template, 10, seed=0)
        assert len({f.context for f in fillings}) == min(10, math.prod(len(v) for _, v in template.slots))
        for filling in fillings:
            masked = {re.sub(r"\b(" + "|".join(PROTECTED) + r")\b", "_", v.text) for v in filling.variants}
            assert len(masked) == 1  # the prompts of a pair are identical once the protected words are masked
            assert [v.group for v in filling.variants] == list(template.groups)
            assert template.groups[0] == template.attribute.reference


def test_augmentation_set_swaps_every_prompt_to_every_other_group(templates_file: Path) -> None:
    records = augmentation_records(load_templates(templates_file), fillings=4, seed=0)
    assert len(records) == 4 * 2 * 1 + 4 * 2 * 1 + 4 * 3 * 2
    for record in records:
        assert record["group"] != record["counterfactual_group"]
        assert record["text"] != record["counterfactual_text"]
    zed = [r for r in records if r["group"] == "alpha" and r["counterfactual_group"] == "zed"]
    assert all("Alphaland" in r["text"] and "Zedland" in r["counterfactual_text"] for r in zed)


def test_write_audit_writes_json_markdown_figure_and_augmentation(templates_file: Path, tmp_path: Path) -> None:
    audit = audit_bias(PlantedBiasBackend(), load_templates(templates_file), AuditSettings(fillings=16))
    paths = write_audit(audit, tmp_path / "report")
    data = json.loads(paths["json"].read_text())
    assert data["probe"] == "bias" and len(data["tests"]) == 4 and len(data["measurements"]) == 16 * 7
    assert sorted(data["significant"]) == ["loan:female", "visa:zed"]
    assert data["usage"]["queries"] == 16 * 7 and data["settings"]["interval"] == "bca"
    markdown = paths["markdown"].read_text()
    assert (
        "# Counterfactual bias audit" in markdown
        and "**-0." in markdown
        and "| visa | travel | zed vs alpha |" in markdown
    )
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths["png"].stat().st_size > 5000
    assert paths["svg"].read_text().lstrip().startswith("<?xml")
    lines = paths["cda"].read_text().splitlines()
    assert len(lines) == 16 * 2 + 16 * 2 + 16 * 6
    first = json.loads(lines[0])
    assert {"text", "counterfactual_text", "p_favourable", "p_favourable_counterfactual"} <= set(first)
    assert first["p_favourable"] is not None
    # the same data draw the same SVG, byte for byte
    again = write_audit(audit, tmp_path / "again")
    assert again["svg"].read_bytes() == paths["svg"].read_bytes()


def test_bad_settings_are_user_errors() -> None:
    with pytest.raises(InputError, match="fillings"):
        AuditSettings(fillings=1)
    with pytest.raises(InputError, match="fdr"):
        AuditSettings(fdr=1.5)


# ----------------------------------------------------------------------------- the CLI, through a replay file
def _cli(*args: str) -> Result:
    return CliRunner().invoke(probe_cli.app, list(args), env={"COLUMNS": "200", "PYTHONHASHSEED": "0"})


def test_cli_bias_writes_the_report_from_recorded_answers(templates_file: Path, tmp_path: Path) -> None:
    recording = tmp_path / "answers.jsonl"
    recorder = RecordingBackend(PlantedBiasBackend(), recording)
    expected = audit_bias(recorder, load_templates(templates_file), AuditSettings(fillings=12, seed=4))
    out = tmp_path / "report"
    r = _cli(
        "bias",
        str(templates_file),
        "--llm",
        f"replay:{recording}",
        "--out",
        str(out),
        "--fillings",
        "12",
        "--seed",
        "4",
    )
    assert r.exit_code == 0, r.output
    assert "significant at FDR 0.05: loan:female" in r.output and "visa:zed" in r.output
    data = json.loads((out / "bias.json").read_text())
    assert [t["effect"]["estimate"] for t in data["tests"]] == pytest.approx([t.effect for t in expected.tests])
    assert data["backend"].startswith("replay:") and data["settings"]["fillings"] == 12
    for name in ("bias.md", "bias_effects.png", "bias_effects.svg", "bias_cda.jsonl"):
        assert (out / name).stat().st_size > 0


def test_cli_bias_reports_a_bad_template_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('templates:\n  - id: x\n    attribute: gender\n    text: "{nmae} is here. Hire?"\n')
    r = _cli("bias", str(bad), "--llm", "local:smollm2", "--out", str(tmp_path / "o"))
    assert isinstance(r.exception, InputError)
    assert str(r.exception).startswith(f"{bad}:4:") and "{nmae}" in str(r.exception)
    assert not (tmp_path / "o").exists()  # nothing was loaded or written
