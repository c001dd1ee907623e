"""ShareGPT format: {"conversations": [{"from", "value"}]} (or role/content turns), optional top-level system.

LLaMA-Factory's tool use: `tools` (JSON text of function schemas), `function_call` turns whose value is the call
as JSON ({"name", "arguments"}, or a list of them), and `observation` turns holding the results."""

from __future__ import annotations

import json

from tunesmith.data.formats import (
    FormatOptions,
    check_str,
    check_weight,
    finish,
    get_list,
    message,
    record_tools,
    system_turn,
    type_name,
)
from tunesmith.errors import InputError
from tunesmith.models.tool_calls import ToolFormatError, arguments_of, call_from_object, parse_tool_calls

NAME = "sharegpt"
KEYS = ("conversations",)
FIELDS = ("conversations", "system")  # every record key this format reads
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
    text_calls = bool(record_tools(record, where, options))  # Hermes/Glaive calls written in the text
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
        weight = check_weight(item, role, label, where)
        if speaker == "function_call":
            messages.append(message(role, "", weight, tool_calls=_calls(text, f"{label}.{text_key}", where)))
            continue
        calls = []
        if role == "assistant" and text_calls:
            text, calls = parse_tool_calls(text)
        messages.append(message(role, text, weight, tool_calls=calls))
    return finish(messages, where, f"a 'gpt' turn with a non-empty value in '{column}'", options)


def from_messages(messages: list[dict]) -> dict:
    """Canonical messages as one ShareGPT record (human/gpt/system/observation speakers, weights kept)."""
    conversations = []
    for m in messages:
        turns = [{"from": FROM_OF[m["role"]], "value": m["content"]}] if m["content"] or not m.get("tool_calls") else []
        if m.get("tool_calls"):
            calls = [{"name": c["function"]["name"], "arguments": arguments_of(c)} for c in m["tool_calls"]]
            value = calls[0] if len(calls) == 1 else calls
            turns.append({"from": "function_call", "value": json.dumps(value, ensure_ascii=False)})
        if m.get("weight") is not None:
            for turn in turns:
                turn["weight"] = m["weight"]
        conversations.extend(turns)
    return {"conversations": conversations}


def _calls(text: str, label: str, where: str) -> list[dict]:
    """A function_call turn's value: one call, or a list of calls, as JSON."""
    try:
        value = json.loads(text)
        return [call_from_object(call) for call in (value if isinstance(value, list) else [value])]
    except (json.JSONDecodeError, ToolFormatError) as exc:
        expected = 'expected JSON {"name": ..., "arguments": {...}} (or a list of them)'
        raise InputError(where, f"field '{label}' is not a function call ({exc}); {expected}") from None
