"""ShareGPT format: {"conversations": [{"from", "value"}]} (or role/content turns), optional top-level system."""

from __future__ import annotations

from tunesmith.data.formats import (
    FormatOptions,
    check_str,
    check_weight,
    finish,
    get_list,
    message,
    system_turn,
    type_name,
)
from tunesmith.errors import InputError

NAME = "sharegpt"
KEYS = ("conversations",)
ROLE_OF = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "model": "assistant",
    "system": "system",
    "function_call": "assistant",
    "observation": "tool",
    "tool": "tool",
}
FROM_OF = {"system": "system", "user": "human", "assistant": "gpt", "tool": "observation"}


def matches(record: dict) -> bool:
    """Whether the record has a `conversations` list field."""
    return "conversations" in record


def to_messages(record: dict, where: str, options: FormatOptions) -> list[dict]:
    """Map each speaker to a canonical role; a top-level system text comes first."""
    messages = system_turn(record, where, options)
    column = options.column("conversations")
    for i, item in enumerate(get_list(record, "conversations", where, options)):
        label = f"{column}[{i}]"
        if not isinstance(item, dict):
            got = type_name(item)
            raise InputError(where, f"field '{label}' must be an object with from and value, got {got}")
        role_style = "role" in item and "from" not in item
        speaker_key, text_key = ("role", "content") if role_style else ("from", "value")
        speaker = item.get(speaker_key)
        role = ROLE_OF.get(speaker) if isinstance(speaker, str) else None
        if role is None:
            raise InputError(
                where, f"field '{label}.{speaker_key}' must be one of {', '.join(ROLE_OF)}, got {speaker!r}"
            )
        text = check_str(item.get(text_key), f"{label}.{text_key}", where)
        messages.append(message(role, text, check_weight(item, role, label, where)))
    return finish(messages, where, f"a 'gpt' turn with a non-empty value in '{column}'", options)


def from_messages(messages: list[dict]) -> dict:
    """Canonical messages as one ShareGPT record (human/gpt/system/observation speakers, weights kept)."""
    conversations = []
    for m in messages:
        turn = {"from": FROM_OF[m["role"]], "value": m["content"]}
        if m.get("weight") is not None:
            turn["weight"] = m["weight"]
        conversations.append(turn)
    return {"conversations": conversations}
