"""OpenAI chat format: {"messages": [{"role", "content", "weight"?}]}, the canonical form itself."""

from __future__ import annotations

from tunesmith.data.formats import (
    ROLES,
    FormatOptions,
    check_str,
    check_weight,
    finish,
    get_list,
    message,
    type_name,
)
from tunesmith.errors import InputError

NAME = "openai"
KEYS = ("messages",)
ROLE_ALIASES = {"developer": "system"}  # newer OpenAI files name the system turn "developer"


def matches(record: dict) -> bool:
    """Whether the record has a `messages` list field."""
    return "messages" in record


def to_messages(record: dict, where: str, options: FormatOptions) -> list[dict]:
    """Validate roles and contents, join text parts, and keep assistant weights."""
    column = options.column("messages")
    messages = []
    for i, item in enumerate(get_list(record, "messages", where, options)):
        label = f"{column}[{i}]"
        if not isinstance(item, dict):
            got = type_name(item)
            raise InputError(where, f"field '{label}' must be an object with role and content, got {got}")
        role = item.get("role")
        role = ROLE_ALIASES.get(role, role) if isinstance(role, str) else role
        if role not in ROLES:
            raise InputError(where, f"field '{label}.role' must be one of {', '.join(ROLES)}, got {role!r}")
        content = _content(item.get("content"), f"{label}.content", where)
        messages.append(message(role, content, check_weight(item, role, label, where)))
    return finish(messages, where, f"an assistant message with non-empty content in '{column}'", options)


def from_messages(messages: list[dict]) -> dict:
    """Canonical messages as one OpenAI record (weights kept where given)."""
    return {"messages": [message(m["role"], m["content"], m.get("weight")) for m in messages]}


def _content(value: object, label: str, where: str) -> str:
    """Message content: a string, or a list of {"type": "text", "text": ...} parts joined together."""
    if not isinstance(value, list):
        return check_str(value, label, where)
    texts = []
    for j, part in enumerate(value):
        if not isinstance(part, dict) or part.get("type") != "text":
            kind = part.get("type") if isinstance(part, dict) else type_name(part)
            raise InputError(where, f"field '{label}[{j}]' is a {kind!r} part; expected text parts only")
        texts.append(check_str(part.get("text"), f"{label}[{j}].text", where))
    return "".join(texts)
