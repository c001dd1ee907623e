"""Tool calling in one home: the canonical shapes, the fallback text format, and reading calls back out of replies.

Canonical data follows TRL and OpenAI: a conversation may carry `tools` (a list of `{"type": "function",
"function": {name, description, parameters}}`), an assistant turn may carry `tool_calls` (`{"id", "type":
"function", "function": {"name", "arguments": JSON text}}`), and a `tool` turn holds a result. A chat template
that knows tools (it mentions both `tools` and `tool_calls`, as Qwen's and Llama 3.1's do) renders them itself;
for one that does not (the default SmolLM2's), `as_text` rewrites the turns into the widely used Hermes format:
the functions listed in the system turn inside <tools></tools>, each call as a JSON object inside
<tool_call></tool_call>, each result inside <tool_response></tool_response> in a user turn. Training, serving
and evaluation all go through these functions, so the model is asked at serving time in the format it learned.
"""

from __future__ import annotations

import json
import re
from typing import Any

CALL_OPEN, CALL_CLOSE = "<tool_call>", "</tool_call>"
_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|\Z)", re.S)
_GLAIVE = re.compile(r"<functioncall>\s*(\{.*\})\s*(?:<\|endoftext\|>)?\s*\Z", re.S)

TOOLS_PREAMBLE = (
    "# Tools\n\nYou may call one or more functions to help with the user's request. The functions you can call "
    "are listed, as JSON schemas, inside <tools></tools>:\n<tools>\n{tools}\n</tools>\n\n"
    "To call a function, reply with one JSON object per call inside <tool_call></tool_call>:\n"
    '<tool_call>\n{{"name": <function name>, "arguments": <arguments as a JSON object>}}\n</tool_call>\n'
    "Answer in plain text when no function is needed."
)


class ToolFormatError(ValueError):
    """A tools list or a tool call that is not in any shape tunesmith reads (the message says what was expected)."""


def normalize_tools(value: Any) -> list[dict]:
    """Function schemas as OpenAI tools: a list, or JSON text of one (ShareGPT stores it so); bare
    `{name, description, parameters}` schemas are wrapped in `{"type": "function", "function": ...}`."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            raise ToolFormatError("is text that is not JSON; expected a list of function schemas") from None
    if value is None:
        return []
    if not isinstance(value, list):
        raise ToolFormatError(f"must be a list of function schemas, got {type(value).__name__}")
    tools = []
    for i, item in enumerate(value):
        function = item.get("function") if isinstance(item, dict) and item.get("type") == "function" else item
        if not isinstance(function, dict) or not isinstance(function.get("name"), str) or not function["name"]:
            raise ToolFormatError(f"[{i}] must be a function schema with a 'name'; got {json.dumps(item)[:80]}")
        if "parameters" in function and not isinstance(function["parameters"], dict):
            raise ToolFormatError(f"[{i}].parameters must be a JSON schema object")
        tools.append({"type": "function", "function": function})
    return tools


def tool_call(name: str, arguments: Any, call_id: str | None = None) -> dict:
    """One canonical tool call; `arguments` (a dict, or JSON text of one) is stored as compact JSON text."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError:
            raise ToolFormatError(f"arguments of '{name}' are not JSON: {arguments[:80]!r}") from None
    if not isinstance(arguments, dict):
        raise ToolFormatError(f"arguments of '{name}' must be a JSON object, got {type(arguments).__name__}")
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


def call_from_object(value: Any) -> dict:
    """A call written as `{"name": ..., "arguments": {...}}` (ShareGPT's function_call, Hermes, Glaive)."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ToolFormatError('expected a JSON object {"name": ..., "arguments": {...}}')
    return tool_call(value["name"], value.get("arguments", value.get("parameters", {})))


def arguments_of(call: dict) -> dict:
    """A canonical call's arguments as a dict."""
    arguments = call["function"].get("arguments") or "{}"
    return json.loads(arguments) if isinstance(arguments, str) else dict(arguments)


def supports_tools(template: str | None) -> bool:
    """Whether a chat template renders tools and tool calls itself (it uses both variables)."""
    return bool(template) and "tools" in template and "tool_calls" in template


def call_text(call: dict) -> str:
    """One call in the fallback format."""
    body = {"name": call["function"]["name"], "arguments": arguments_of(call)}
    return f"{CALL_OPEN}\n{json.dumps(body, ensure_ascii=False)}\n{CALL_CLOSE}"


def assistant_text(message: dict) -> str:
    """An assistant turn as the model writes it in the fallback format: its content, then each call."""
    content = message.get("content") or ""
    if not message.get("tool_calls"):
        return content
    calls = "\n".join(call_text(call) for call in message["tool_calls"])
    return f"{content}\n{calls}" if content.strip() else calls


def tools_block(tools: list[dict]) -> str:
    """The fallback format's system-turn text listing `tools`."""
    listed = "\n".join(json.dumps(tool, ensure_ascii=False) for tool in tools)
    return TOOLS_PREAMBLE.format(tools=listed)


def as_text(messages: list[dict], tools: list[dict] | None) -> list[dict]:
    """The conversation in the fallback format: plain role/content turns any chat template can render.

    Assistant weights are kept; a turn's other keys (ids, names) are folded into the text or dropped."""
    turns: list[dict] = []
    for m in messages:
        turn = {"role": m["role"], "content": m.get("content") or ""}
        if m.get("weight") is not None:
            turn["weight"] = m["weight"]
        if m["role"] == "assistant" and m.get("tool_calls"):
            turn["content"] = assistant_text(m)
        elif m["role"] == "tool":
            turn = {"role": "user", "content": f"<tool_response>\n{turn['content']}\n</tool_response>"}
        turns.append(turn)
    if tools:
        block = tools_block(tools)
        if turns and turns[0]["role"] == "system":
            turns[0] = {**turns[0], "content": f"{turns[0]['content']}\n\n{block}"}
        else:
            turns.insert(0, {"role": "system", "content": block})
    return turns


def for_template(messages: list[dict], tools: list[dict] | None, template: str | None) -> tuple[list[dict], Any]:
    """(messages, tools) to hand `apply_chat_template`: native tool turns (arguments as dicts, as transformers'
    templates expect) when `template` supports tools, else the fallback text format and no tools."""
    if not tools and not any(m.get("tool_calls") or m["role"] == "tool" for m in messages):
        return messages, None
    if not supports_tools(template):
        return as_text(messages, tools), None
    native = []
    for m in messages:
        turn = {k: v for k, v in m.items() if v is not None}
        if turn.get("tool_calls"):
            turn["tool_calls"] = [
                {**call, "function": {**call["function"], "arguments": arguments_of(call)}} for call in m["tool_calls"]
            ]
        native.append(turn)
    return native, tools or None


def parse_tool_calls(text: str) -> tuple[str, list[dict]]:
    """(content, calls) read from a model's reply: Hermes <tool_call> blocks, a Glaive <functioncall>, or a reply
    that is only a `{"name", "arguments"}` object. A reply whose call does not parse is all content, no calls."""
    try:
        if CALL_OPEN in text:
            content = text[: text.index(CALL_OPEN)].strip()
            return content, [call_from_object(json.loads(block)) for block in _BLOCK.findall(text)]
        glaive = _GLAIVE.search(text)
        if glaive:
            return text[: glaive.start()].strip(), [call_from_object(json.loads(glaive.group(1)))]
        stripped = text.strip()
        if stripped.startswith("{") and stripped.endswith("}"):
            value = json.loads(stripped)
            if isinstance(value, dict) and set(value) <= {"name", "arguments", "parameters"} and "name" in value:
                return "", [call_from_object(value)]
    except (json.JSONDecodeError, ToolFormatError):
        pass
    return text, []
