"""Tool calling over the API: `tools` and `tool_choice` in, `tool_calls` out (whole or streamed), in OpenAI's shape.

The model sees the tools the way it was trained (its own template, or the fallback text format of
models/tool_calls.py); its reply is parsed back into calls. `tool_choice: "required"` or a named function
constrains decoding (constrained.py) so the reply is a call to one of the allowed functions with arguments
that match its schema.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from tunesmith.models.tool_calls import CALL_OPEN, parse_tool_calls
from tunesmith.serve.backends.base import held_back
from tunesmith.serve.errors import invalid
from tunesmith.serve.schemas import ChatCompletionRequest, ChatMessage, FunctionCall, ToolCall


@dataclass(frozen=True)
class ToolUse:
    """What a request asks of tools: the functions shown to the model, whether replies are parsed for calls, and
    the functions a call must be drawn from when one is required (None: the model may answer in text)."""

    tools: list[dict]
    parse: bool
    forced: list[dict] | None = None


def tool_use(body: ChatCompletionRequest) -> ToolUse | None:
    """The request's tools and tool_choice, checked; None when it has no tools."""
    choice = body.tool_choice
    if not body.tools:
        if choice not in (None, "none", "auto"):
            raise invalid("tool_choice needs tools: send the functions the model may call.", "tool_choice")
        return None
    tools = [tool.model_dump(exclude_none=True) for tool in body.tools]
    names = [tool["function"]["name"] for tool in tools]
    if len(set(names)) != len(names):
        raise invalid("Each tool needs its own function name.", "tools")
    for tool in tools:
        parameters = tool["function"].get("parameters")
        if parameters is not None and parameters.get("type", "object") != "object":
            raise invalid(f"tools: the parameters of '{tool['function']['name']}' must be an object schema.", "tools")
    if choice == "none":
        return ToolUse(tools, parse=False)
    if choice is None or choice == "auto":
        return ToolUse(tools, parse=True)
    if choice == "required":
        return ToolUse(tools, parse=True, forced=tools)
    named = [tool for tool in tools if tool["function"]["name"] == choice.function.name]
    if not named:
        raise invalid(f"tool_choice names '{choice.function.name}', which is not among the tools.", "tool_choice")
    return ToolUse(tools, parse=True, forced=named)


def canonical_turn(message: ChatMessage, role: str) -> dict:
    """A request message as a canonical turn (tool calls and the call a result answers kept)."""
    turn: dict = {"role": role, "content": message.text()}
    if message.tool_calls:
        turn["tool_calls"] = [call.model_dump() for call in message.tool_calls]
    if role == "tool" and message.tool_call_id:
        turn["tool_call_id"] = message.tool_call_id
    if role == "tool" and message.name:
        turn["name"] = message.name
    return turn


def call_id() -> str:
    return f"call_{secrets.token_hex(12)}"


def calls_of(text: str) -> tuple[str | None, list[ToolCall]]:
    """A reply's content (None when it is only calls) and its calls, each with a fresh id."""
    content, calls = parse_tool_calls(text)
    made = [ToolCall(id=call_id(), function=FunctionCall(**call["function"])) for call in calls]
    return (content or None) if made else content, made


@dataclass
class CallStream:
    """Holds back the streamed text of one choice from where a tool call may begin, so the client gets either
    plain content as it comes or, at the end, whole calls (and any content before them)."""

    text: str = ""
    sent: int = 0
    held: bool = False  # the reply may be a call: everything from `sent` on waits for the end

    def add(self, piece: str) -> str:
        """Content that is safe to send now."""
        self.text += piece
        if not self.held:
            if not self.text[: self.sent].strip() and self.text[self.sent :].lstrip().startswith("{"):
                self.held = True  # the reply may be a bare JSON call (some templates' format)
            elif (start := self.text.find(CALL_OPEN, self.sent)) >= 0:
                self.held = True
                return self._send_to(self._before_space(start))
        if self.held:
            return ""
        return self._send_to(self._before_space(len(self.text) - held_back(self.text, (CALL_OPEN,))))

    def _before_space(self, end: int) -> int:
        """`end` moved back over whitespace (which, before a call, is not content; else it goes out later)."""
        while end > self.sent and self.text[end - 1].isspace():
            end -= 1
        return end

    def finish(self) -> tuple[str, list[ToolCall]]:
        """The content still unsent and the calls, at the end of the choice."""
        _, calls = calls_of(self.text)
        if not calls:
            return self._send_to(len(self.text)), []
        cut = self.text.find(CALL_OPEN)
        rest = self.text[self.sent : cut].rstrip() if cut > self.sent else ""
        return rest, calls

    def _send_to(self, end: int) -> str:
        piece = self.text[self.sent : end] if end > self.sent else ""
        self.sent = max(self.sent, end)
        return piece


def forced_json(use: ToolUse | None) -> str | None:
    """The allowed functions of a required call, as JSON (part of the batch key: it changes decoding)."""
    if use is None or use.forced is None:
        return None
    return json.dumps([tool["function"] for tool in use.forced], sort_keys=True)
