"""Alpaca format: instruction, input, output, with optional system and history of [user, assistant] pairs."""

from __future__ import annotations

from tunesmith.data.formats import (
    FormatOptions,
    check_str,
    finish,
    get_list,
    get_str,
    join_text,
    message,
    system_turn,
    type_name,
)
from tunesmith.errors import InputError

NAME = "alpaca"
KEYS = ("instruction", "output")
FIELDS = ("instruction", "input", "output", "system", "history")  # every record key this format reads


def matches(record: dict) -> bool:
    """Whether the record has `instruction` and `output` fields."""
    return "instruction" in record and "output" in record


def to_messages(record: dict, where: str, options: FormatOptions) -> list[dict]:
    """System, then history pairs, then instruction (+ blank line + input) and output."""
    messages = system_turn(record, where, options)
    column = options.column("history")
    for i, pair in enumerate(get_list(record, "history", where, options, required=False)):
        label = f"{column}[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            got = f"{len(pair)} items" if isinstance(pair, list) else type_name(pair)
            raise InputError(where, f"field '{label}' must be a [user, assistant] pair, got {got}")
        messages.append(message("user", check_str(pair[0], f"{label}[0]", where)))
        messages.append(message("assistant", check_str(pair[1], f"{label}[1]", where)))
    instruction = get_str(record, "instruction", where, options)
    user_input = get_str(record, "input", where, options, required=False)
    messages.append(message("user", join_text(instruction, user_input)))
    messages.append(message("assistant", get_str(record, "output", where, options)))
    return finish(messages, where, f"a non-empty '{options.column('output')}'", options)


def from_messages(messages: list[dict]) -> dict:
    """Alternating user/assistant turns (after an optional system turn) as one Alpaca record."""
    has_system = bool(messages) and messages[0]["role"] == "system"
    system = messages[0]["content"] if has_system else ""
    turns = messages[1:] if has_system else messages
    roles = [m["role"] for m in turns]
    if any(m.get("tool_calls") for m in turns) or "tool" in roles:
        raise ValueError("alpaca cannot hold tool calls or results; write openai or sharegpt instead")
    if not roles or roles != ["user", "assistant"] * (len(roles) // 2):
        raise ValueError(
            f"alpaca holds alternating user/assistant turns after an optional system turn; got roles {roles}"
        )
    if any(m.get("weight") == 0 for m in turns):
        raise ValueError("alpaca cannot mark a turn as untrained (weight 0); write openai or sharegpt instead")
    history = [[turns[i]["content"], turns[i + 1]["content"]] for i in range(0, len(turns) - 2, 2)]
    return {
        "instruction": turns[-2]["content"],
        "input": "",
        "output": turns[-1]["content"],
        "system": system,
        "history": history,
    }
