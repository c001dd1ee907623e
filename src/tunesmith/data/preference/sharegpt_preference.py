"""LLaMA-Factory's ShareGPT-style preference shape: {"conversations", "chosen", "rejected"} as from/value turns."""

from __future__ import annotations

from tunesmith.data.formats import FormatOptions, check_str, get_list, get_str, type_name
from tunesmith.data.formats.sharegpt import ROLE_OF
from tunesmith.data.preference import field_value, pair
from tunesmith.errors import InputError

NAME = "sharegpt_preference"
KEYS = ("conversations", "chosen", "rejected")
REPLY = "the {} reply as a {{from: gpt, value: …}} turn"


def matches(record: dict) -> bool:
    """Whether the record has a `conversations` list and a `chosen` or `rejected` reply."""
    return "conversations" in record and ("chosen" in record or "rejected" in record)


def to_row(record: dict, where: str, options: FormatOptions) -> dict:
    """The conversation (after an optional top-level system text) is the prompt; both replies are one turn each."""
    prompt = []
    system = get_str(record, "system", where, options, required=False)
    if system.strip():
        prompt.append({"role": "system", "content": system})
    column = options.column("conversations")
    prompt += [
        _turn(item, f"{column}[{i}]", where) for i, item in enumerate(get_list(record, "conversations", where, options))
    ]
    if not prompt or prompt[-1]["role"] == "assistant":
        raise InputError(where, f"field '{column}' must end with a human turn; expected the conversation so far")
    labels = (options.column("chosen"), options.column("rejected"))
    chosen = _reply(field_value(record, "chosen", where, options, REPLY.format("preferred")), labels[0], where)
    rejected = _reply(field_value(record, "rejected", where, options, REPLY.format("dispreferred")), labels[1], where)
    return pair(prompt, chosen, rejected, where, labels)


def _turn(item: object, label: str, where: str) -> dict:
    """One from/value (or role/content) turn as a canonical message."""
    if not isinstance(item, dict):
        raise InputError(where, f"field '{label}' must be an object with from and value, got {type_name(item)}")
    speaker_key, text_key = ("role", "content") if "role" in item and "from" not in item else ("from", "value")
    speaker = item.get(speaker_key)
    role = ROLE_OF.get(speaker) if isinstance(speaker, str) else None
    if role is None:
        raise InputError(where, f"field '{label}.{speaker_key}' must be one of {', '.join(ROLE_OF)}, got {speaker!r}")
    return {"role": role, "content": check_str(item.get(text_key), f"{label}.{text_key}", where)}


def _reply(value: object, label: str, where: str) -> list[dict]:
    """A reply turn (or plain text) as one assistant message."""
    turn = {"role": "assistant", "content": value} if isinstance(value, str) else _turn(value, label, where)
    if turn["role"] != "assistant":
        raise InputError(where, f"field '{label}' is a {turn['role']} turn; expected the model's (gpt) reply")
    if not turn["content"].strip():
        raise InputError(where, f"field '{label}' is empty; expected the model's reply")
    return [turn]
