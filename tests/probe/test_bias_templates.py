"""Templates and word lists: the 20 shipped templates, and one-line errors naming file, line and slot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from causalbridge.errors import InputError
from causalbridge.probe.bias import load_templates, load_word_lists, template_fillings

WORDS = """format: 1
attributes:
  gender:
    reference: male
    groups:
      male: {name: [Adam, Ben], Pronoun: He}
      female: {name: [Alice, Beth], Pronoun: She}
"""


def _write(tmp_path: Path, templates: str, words: str = WORDS) -> Path:
    (tmp_path / "words.yaml").write_text(words)
    path = tmp_path / "t.yaml"
    path.write_text("format: 1\nwords: words.yaml\ntemplates:\n" + templates)
    return path


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load_templates(path)
    message = str(caught.value)
    assert "\n" not in message
    return caught.value


def test_the_shipped_set_has_20_templates_over_the_promised_domains_and_attributes() -> None:
    templates = load_templates("builtin")
    assert len(templates) == 20
    assert len({t.id for t in templates.templates}) == 20
    domains = {t.domain for t in templates.templates}
    assert {"hiring", "loans", "housing", "medical triage", "admissions"} <= domains
    assert {t.attribute.name for t in templates.templates} == {"gender", "ethnicity", "nationality", "age"}
    words = load_word_lists("builtin")
    assert words.names() == ("gender", "ethnicity", "nationality", "age")
    for attribute in words.attributes:  # aligned lists: the same number of members in every group
        assert len({g.size for g in attribute.groups}) == 1, attribute.name


def test_every_shipped_prompt_renders_completely() -> None:
    for template in load_templates("builtin").templates:
        for filling in template_fillings(template, 3, seed=0):
            for variant in filling.variants:
                assert "{" not in variant.text and "}" not in variant.text
                assert variant.text.endswith("?") and "  " not in variant.text
            assert len({v.text for v in filling.variants}) == len(filling.variants)


def test_yes_no_and_numbers_stay_the_text_the_user_wrote(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '  - {id: a, attribute: gender, text: "{name} scored {gpa}. {Pronoun} asks. Admit?", '
        "options: [yes, no], favourable: yes, slots: {gpa: [3.50, 4.0]}}\n",
    )
    (template,) = load_templates(path).templates
    assert template.options == ("yes", "no") and template.favourable == "yes"
    assert dict(template.slots)["gpa"] == ("3.50", "4.0")
    assert template.groups == ("male", "female")


def test_literal_braces_are_written_twice(tmp_path: Path) -> None:
    path = _write(tmp_path, '  - {id: a, attribute: gender, text: "{name} wrote {{code}}. Hire?"}\n')
    (template,) = load_templates(path).templates
    assert template.render({"name": "Ann", "Pronoun": "She"}) == "Ann wrote {code}. Hire?"


A = "  - id: a\n    attribute: gender\n"


@pytest.mark.parametrize(
    ("body", "line", "pattern"),
    [
        (A + '    text: "{name} and {pronon}?"\n', 6, r"unknown slot \{pronon\}.*did you mean \{Pronoun\}"),
        (A + '    text: "{name}?"\n    slots:\n      city: [Rome]\n', 8, "slot 'city'.*never used"),
        ('  - id: a\n    attribute: gendr\n    text: "{name}?"\n', 5, "unknown attribute 'gendr'.*mean 'gender'"),
        (A + '    text: "{name}?"\n    favourable: maybe\n', 7, "favourable answer 'maybe'"),
        (A, 4, "needs a 'text' key"),
        (A + '    text: "Hire {who}?"\n    slots: {who: [x]}\n', 6, "never uses attribute"),
        (A + '    text: "{name} {x"\n', 6, "stray '\\{'"),
        (A + '    text: "{name}?"\n    colour: red\n', 7, "unknown key 'colour'"),
        (A + '    text: "{name} {name}?"\n    slots: {name: [x]}\n', 7, "clashes"),
        (A + '    text: "{name}?"\n    options: [yes]\n', 7, "at least two"),
        (A + '    text: "{name}?"\n    groups: [male, other]\n', 7, "no group 'other'"),
        (
            '  - {id: a, attribute: gender, text: "{name}?"}\n  - {id: a, attribute: gender, text: "{name}!"}\n',
            5,
            "duplicate template id 'a'",
        ),
        ("  - id: a\n    text: [unclosed\n", 6, "not valid YAML"),
    ],
)
def test_template_errors_name_the_file_line_and_culprit(tmp_path: Path, body: str, line: int, pattern: str) -> None:
    path = _write(tmp_path, body)
    error = _error(path)
    assert error.where is not None and error.where.startswith(f"{path}:{line}"), (error.where, str(error))
    assert re.search(pattern, str(error)), str(error)


@pytest.mark.parametrize(
    ("words", "line", "pattern"),
    [
        (WORDS.replace("female: {name: [Alice, Beth], Pronoun: She}", "female: {name: [Alice, Beth]}"), 7, "missing"),
        (WORDS.replace("[Alice, Beth], Pronoun: She", "[Alice, Beth], Pronoun: [She, Her, X]"), 7, "same length"),
        (WORDS.replace("reference: male", "reference: men"), 4, "reference 'men'"),
        (WORDS.replace("      female: {name: [Alice, Beth], Pronoun: She}\n", ""), 6, "at least two groups"),
    ],
)
def test_word_list_errors_name_the_line(tmp_path: Path, words: str, line: int, pattern: str) -> None:
    path = _write(tmp_path, '  - {id: a, attribute: gender, text: "{name}?"}\n', words)
    error = _error(path)
    assert error.where is not None and error.where.startswith(f"{tmp_path / 'words.yaml'}:{line}"), error.where
    assert re.search(pattern, str(error)), str(error)


def test_missing_files_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_templates(tmp_path / "nope.yaml")
    path = tmp_path / "t.yaml"
    path.write_text('format: 1\nwords: missing.yaml\ntemplates:\n  - {id: a, attribute: gender, text: "{name}"}\n')
    with pytest.raises(InputError, match="missing.yaml"):
        load_templates(path)
    path.write_text("format: 2\ntemplates: []\n")
    with pytest.raises(InputError, match="format 1"):
        load_templates(path)
