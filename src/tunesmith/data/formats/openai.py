"""OpenAI chat format: {"messages": [{"role", "content", "weight"?, "tool_calls"?}], "tools"?}, the canonical form.

OpenAI's older function calling (`functions`, an assistant `function_call`, `function` turns) is read as tools."""

from __future__ import annotations

from tunesmith.data.formats import (
    ROLES,
    FormatOptions,
    check_str,
    check_weight,
    finish,
    get_list,
    message,
    record_tools,
    type_name,
)
from tunesmith.errors import InputError
from tunesmith.models.tool_calls import ToolFormatError, call_from_object, parse_tool_calls, tool_call

NAME = "openai"
KEYS = ("messages",)
FIELDS = ("messages",)  # every record key this format reads
ROLE_ALIASES = {"developer": "system", "function": "tool"}  # newer files say "developer", older ones "function"


def matches(record: dict) -> bool:
    """Whether the record has a `messages` list field."""
    return "messages" in record


def to_messages(record: dict, where: str, options: FormatOptions) -> list[dict]:
    """Validate roles and contents, join text parts, and keep assistant weights."""
    column = options.column("messages")
    text_calls = bool(record_tools(record, where, options))  # Hermes/Glaive calls written in the text
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
        calls = _tool_calls(item, label, where) if role == "assistant" else []
        raw = item.get("content")
        content = "" if raw is None and (calls or role == "tool") else _content(raw, f"{label}.content", where)
        if role == "assistant" and text_calls and not calls:
            content, calls = parse_tool_calls(content)
        tool_fields = {"tool_calls": calls}
        if role == "tool":
            tool_fields["tool_call_id"] = _optional_str(item, "tool_call_id", label, where)
            tool_fields["name"] = _optional_str(item, "name", label, where)
        messages.append(message(role, content, check_weight(item, role, label, where), **tool_fields))
    return finish(messages, where, f"an assistant message with non-empty content in '{column}'", options)


def from_messages(messages: list[dict]) -> dict:
    """Canonical messages as one OpenAI record (weights and tool fields kept where given)."""
    return {"messages": [{k: v for k, v in m.items() if v is not None} for m in messages]}


def _tool_calls(item: dict, label: str, where: str) -> list[dict]:
    """An assistant turn's calls: `tool_calls` (arguments as JSON text or an object), or an old `function_call`."""
    try:
        if item.get("function_call") is not None:
            return [call_from_object(item["function_call"])]
        calls = item.get("tool_calls") or []
        if not isinstance(calls, list):
            raise ToolFormatError(f"must be a list of calls, got {type_name(calls)}")
        parsed = []
        for j, call in enumerate(calls):
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                raise ToolFormatError(f"[{j}] must be {{'type': 'function', 'function': {{'name', 'arguments'}}}}")
            parsed.append(tool_call(function["name"], function.get("arguments") or {}, call.get("id")))
        return parsed
    except ToolFormatError as exc:
        raise InputError(where, f"field '{label}.tool_calls' {exc}") from None


def _optional_str(item: dict, key: str, label: str, where: str) -> str | None:
    value = item.get(key)
    return None if value is None else check_str(value, f"{label}.{key}", where)


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
