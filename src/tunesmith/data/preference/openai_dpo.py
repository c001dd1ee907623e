"""OpenAI's DPO fine-tuning shape: {"input": {"messages"}, "preferred_output", "non_preferred_output"}."""

from __future__ import annotations

from tunesmith.data.formats import FormatOptions, type_name
from tunesmith.data.formats.openai import to_messages
from tunesmith.data.preference import pair, reply, user_prompt
from tunesmith.errors import InputError

NAME = "openai_dpo"
KEYS = ("input", "preferred_output", "non_preferred_output")


def matches(record: dict) -> bool:
    """Whether the record has OpenAI's `preferred_output` or `non_preferred_output` field."""
    return "preferred_output" in record or "non_preferred_output" in record


def to_row(record: dict, where: str, options: FormatOptions) -> dict:
    """`input.messages` is the prompt; the preferred and non-preferred outputs are the two replies."""
    column = options.column("input")
    labels = (options.column("preferred_output"), options.column("non_preferred_output"))
    given = record.get(column)
    if not isinstance(given, dict) or "messages" not in given:
        got = "missing" if given is None else f"a {type_name(given)} without 'messages'"
        raise InputError(where, f"field '{column}' is {got}; expected an object with the conversation in 'messages'")
    prompt = user_prompt(_turns(given["messages"], f"{column}.messages", where), f"{column}.messages", where)
    replies = []
    for label in labels:
        value = record.get(label)
        if not isinstance(value, list) or len(value) != 1:
            raise InputError(where, f"field '{label}' must be a list of one assistant message, got {_shape(value)}")
        replies.append(reply(_turns(value, label, where), label, where))
    return pair(prompt, replies[0], replies[1], where, labels)


def _turns(value: object, label: str, where: str) -> list[dict]:
    """OpenAI messages read as the chat format reads them (developer turns as system, text parts joined)."""
    options = FormatOptions(columns={"messages": label}, require_reply=False)
    return [{"role": m["role"], "content": m["content"]} for m in to_messages({label: value}, where, options)]


def _shape(value: object) -> str:
    return f"a list of {len(value)}" if isinstance(value, list) else ("nothing" if value is None else type_name(value))
