"""Turning a chat (a tuple of messages) into the exact text a model reads, with a fallback for template-less models.

Instruction-tuned models were trained on one chat format and answer badly in any other, so the tokenizer's own
chat template is used whenever it has one. A base model (or a GGUF converted without its template) gets a plain
``Role: text`` transcript instead; the reply then follows ``Assistant:`` after one space, which is why a rendered
prompt carries an ``answer_prefix``: option scoring and generation both need to know what separates the prompt
from the first character of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from causalbridge.llm.types import Message

_PLAIN_NAMES = {"system": "System", "user": "User", "assistant": "Assistant"}


@dataclass(frozen=True)
class RenderedPrompt:
    """A prompt ready to tokenize.

    ``answer_prefix`` is the text between the prompt and the reply proper (``""`` after a chat template's
    generation prompt, ``" "`` after ``Assistant:``); ``extra_stops`` end a reply where the format says the turn
    is over; ``add_special_tokens`` is False when the template already wrote the special tokens itself.
    """

    text: str
    answer_prefix: str
    extra_stops: tuple[str, ...]
    add_special_tokens: bool


def render_plain(prompt: tuple[Message, ...]) -> RenderedPrompt:
    """The fallback transcript: ``System: ...`` / ``User: ...`` / ``Assistant: ...`` turns, ending ``Assistant:``.

    A model that continues the transcript would next write ``User:``; that line is a stop sequence so a reply
    never contains an invented next turn.
    """
    turns = [f"{_PLAIN_NAMES[m.role]}: {m.content}" for m in prompt]
    text = "\n\n".join([*turns, "Assistant:"])
    return RenderedPrompt(text=text, answer_prefix=" ", extra_stops=("\nUser:",), add_special_tokens=True)


def render_with_hf_tokenizer(tokenizer: Any, prompt: tuple[Message, ...]) -> RenderedPrompt:
    """Apply the tokenizer's chat template with the generation prompt, or fall back to :func:`render_plain`.

    Templates write their own special tokens (``<|im_start|>``, a BOS where the model wants one), so the
    rendered text must be tokenized without adding more.
    """
    if not getattr(tokenizer, "chat_template", None):
        return render_plain(prompt)
    chat = [{"role": m.role, "content": m.content} for m in prompt]
    text = tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
    if not isinstance(text, str):  # some tokenizer versions wrap a single rendering in a list
        text = str(text[0])
    return RenderedPrompt(text=text, answer_prefix="", extra_stops=(), add_special_tokens=False)


def strip_answer_prefix(text: str, rendered: RenderedPrompt) -> str:
    """Remove the separator a plain transcript puts before the reply, so callers see only the answer."""
    prefix = rendered.answer_prefix
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text
