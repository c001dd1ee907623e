"""Dolly format: instruction, context, response (`category` and any other column go to meta)."""

from __future__ import annotations

from tunesmith.data.formats import FormatOptions, finish, get_str, join_text, message

NAME = "dolly"
KEYS = ("instruction", "response")
FIELDS = ("instruction", "context", "response")  # every record key this format reads


def matches(record: dict) -> bool:
    """Whether the record has `instruction` and `response` fields."""
    return "instruction" in record and "response" in record


def to_messages(record: dict, where: str, options: FormatOptions) -> list[dict]:
    """User turn is the instruction (+ blank line + context when given); the response is the reply."""
    instruction = get_str(record, "instruction", where, options)
    context = get_str(record, "context", where, options, required=False)
    messages = [
        message("user", join_text(instruction, context)),
        message("assistant", get_str(record, "response", where, options)),
    ]
    return finish(messages, where, f"a non-empty '{options.column('response')}'", options)
