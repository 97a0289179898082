"""Reading options and JSON out of free-text replies."""

from __future__ import annotations

import pytest

from causalbridge.llm import Message, extract_option
from causalbridge.llm.parsing import choose_messages, extract_json, retry_messages, structured_messages

YES_NO = ("yes", "no")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("yes", 0),
        ("  No. ", 1),
        ("**Yes**", 0),
        ('"no"', 1),
        ("Answer: yes", 0),
        ("The answer is no.", 1),
        ("Final answer - YES", 0),
        ("B", 1),
        ("(a)", 0),
        ("No, smoking does not cause that.", 1),
        ("Yes because it rains", 0),
        ("I think the answer is yes here", 0),
        ("yes and no", 0),
        ("", None),
        ("hmm", None),
        ("Maybe yes, maybe no", None),
        ("C", None),
    ],
)
def test_extract_yes_no(reply: str, expected: int | None) -> None:
    assert extract_option(reply, YES_NO) == expected


def test_extract_longer_options() -> None:
    options = ("A causes B", "B causes A", "no causal relation")
    assert extract_option("B causes A, since the arrow points back.", options) == 1
    assert extract_option("There is no causal relation between them", options) == 2
    assert extract_option("A causes B or B causes A", options) == 0  # the reply starts with an option
    assert extract_option("b", options) == 1
    assert extract_option("Both A causes B and B causes A are possible", options) is None
    # a letter that is itself an option is that option, not an index
    assert extract_option("b", ("a", "b", "c")) == 1
    assert extract_option("yes, strongly", ("yes", "yes, strongly")) == 1


def test_instructions_go_to_the_last_user_message() -> None:
    chat = (Message("system", "s"), Message("user", "Q?"), Message("assistant", "A"))
    asked = choose_messages(chat, ("yes", "no, never"))
    assert asked[1].content == 'Q?\n\nAnswer with exactly one of: yes, "no, never".'
    assert asked[0] == chat[0] and asked[2] == chat[2]
    no_user = choose_messages((Message("system", "s"),), ("a", "b"))
    assert no_user[-1] == Message("user", "Answer with exactly one of: a, b.")
    assert "JSON schema:\n{}" in structured_messages((Message("user", "q"),), "{}")[0].content
    again = retry_messages((Message("user", "q"),), "bad", "x: missing")
    assert [m.role for m in again] == ["user", "assistant", "user"] and "x: missing" in again[-1].content


def test_extract_json() -> None:
    assert extract_json('{"a": 1}') == {"a": 1}
    assert extract_json('Here:\n```json\n{"a": [1, 2]}\n```\nDone.') == {"a": [1, 2]}
    assert extract_json('Sure, {"a": {"b": 2}} is it') == {"a": {"b": 2}}
    with pytest.raises(ValueError, match="no JSON object"):
        extract_json("no braces here")
    with pytest.raises(ValueError, match="not valid JSON"):
        extract_json("{'a': 1}")
