"""Request and response bodies, mirroring OpenAI's chat/completions API (the API's typed documentation)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

# Parameters OpenAI defines that this server does not implement: rejected when set, never silently ignored.
UNSUPPORTED = ("logprobs", "top_logprobs", "functions", "function_call", "echo", "suffix")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # in a Python str from JSON, a surrogate is always unpaired


def lone_surrogate_at(data: Any, path: str = "") -> str | None:
    """Where in raw request data a string holds a lone UTF-16 surrogate (JSON's `"\\ud800"`), if anywhere."""
    if isinstance(data, str):
        return (path or "body") if LONE_SURROGATE.search(data) else None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = lone_surrogate_at(key, path) if isinstance(key, str) else None
        found = found or lone_surrogate_at(value, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


class ValidUnicode(BaseModel):
    """Refuses text no UTF-8 reply, log row or tokenizer can carry (a lone surrogate): a 400 now, not a 500 later."""

    @model_validator(mode="before")
    @classmethod
    def _valid_unicode(cls, data: Any) -> Any:
        if where := lone_surrogate_at(data):
            raise ValueError(f"{where} holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff); send valid Unicode")
        return data


class Body(ValidUnicode):
    """Request bodies accept OpenAI parameters this server does not know, as OpenAI's clients may send them."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class FunctionCall(BaseModel):
    name: str
    arguments: str  # JSON text, as OpenAI sends it


class ToolCall(BaseModel):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class ChatMessage(Body):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None  # an assistant turn's calls, sent back in a tool-calling loop
    tool_call_id: str | None = None  # a tool turn: the call it answers

    def text(self) -> str:
        """The content as one string (text parts joined)."""
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class JSONSchemaFormat(BaseModel):
    name: str = "response"
    description: str | None = None
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    strict: bool | None = None

    model_config = ConfigDict(populate_by_name=True)


class ResponseFormat(BaseModel):
    type: Literal["text", "json_object", "json_schema"] = "text"
    json_schema: JSONSchemaFormat | None = None


class StreamOptions(BaseModel):
    include_usage: bool = False


class GenerationParams(Body):
    """Parameters shared by chat and text completions."""

    model: str
    max_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    n: int = Field(1, ge=1, le=16)
    stop: str | list[str] | None = None
    seed: int | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = None
    metadata: dict[str, str] | None = None
    # tunesmith: labels stored with the log row (as its store column holds them: PostgreSQL enforces the length)
    tags: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=16)

    def stop_list(self) -> list[str]:
        stops = [self.stop] if isinstance(self.stop, str) else list(self.stop or [])
        return [s for s in stops if s]


class FunctionDefinition(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class Tool(BaseModel):
    type: Literal["function"] = "function"
    function: FunctionDefinition


class NamedFunction(BaseModel):
    name: str


class NamedToolChoice(BaseModel):
    type: Literal["function"] = "function"
    function: NamedFunction


class ChatCompletionRequest(GenerationParams):
    messages: list[ChatMessage] = Field(min_length=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    response_format: ResponseFormat | None = None
    tools: list[Tool] | None = Field(None, max_length=128)
    tool_choice: Literal["none", "auto", "required"] | NamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    # tunesmith: with `serve --rag`, false answers without the index (to compare); true refuses a model without one
    retrieval: bool | None = None


class CompletionRequest(GenerationParams):
    prompt: str | list[str]


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class Reply(BaseModel):
    """What every completion response and stream chunk starts with, in OpenAI's order."""

    id: str  # chatcmpl-… or cmpl-…: the id feedback names
    object: str
    created: int
    model: str


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None
    tool_calls: list[ToolCall] | None = None

    @model_serializer(mode="wrap")
    def _calls_when_made(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if data.get("tool_calls") is None:
            data.pop("tool_calls", None)
        return data


class ChatChoice(BaseModel):
    index: int
    message: AssistantMessage
    finish_reason: str
    logprobs: None = None


class Citation(BaseModel):
    """A retrieved chunk the answer was given with (`serve --rag`): its id, source document and retrieval score."""

    id: str
    source: str
    score: float


class ChatCompletion(Reply):
    object: Literal["chat.completion"] = "chat.completion"
    choices: list[ChatChoice]
    usage: Usage
    citations: list[Citation] | None = None  # not OpenAI's: the `openai` client shows it as `.citations`

    @model_serializer(mode="wrap")
    def _citations_when_retrieved(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if data.get("citations", 0) is None:
            del data["citations"]
        return data


class CompletionChoice(BaseModel):
    index: int
    text: str
    finish_reason: str
    logprobs: None = None


class Completion(Reply):
    object: Literal["text_completion"] = "text_completion"
    choices: list[CompletionChoice]
    usage: Usage


class FunctionCallDelta(BaseModel):
    name: str | None = None
    arguments: str | None = None


class ToolCallDelta(BaseModel):
    """A call in a stream: sent whole in one chunk (id, name and all the arguments), as OpenAI's clients accept."""

    index: int
    id: str
    type: Literal["function"] = "function"
    function: FunctionCallDelta


class ChatDelta(BaseModel):
    """What one chunk adds to a choice: the role (first chunk), then content or tool calls; nothing in the
    finishing chunk."""

    role: Literal["assistant"] | None = None
    content: str | None = None
    tool_calls: list[ToolCallDelta] | None = None

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> Any:
        return {name: value for name, value in handler(self).items() if value is not None}


class ChatChunkChoice(BaseModel):
    index: int
    delta: ChatDelta
    logprobs: None = None
    finish_reason: str | None = None


class CompletionChunkChoice(BaseModel):
    index: int
    text: str = ""
    logprobs: None = None
    finish_reason: str | None = None


class Chunk(Reply):
    """One server-sent event of a stream: its `usage` is left out but in the last (`stream_options.include_usage`)."""

    @model_serializer(mode="wrap")
    def _usage_at_the_end(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        for optional in ("usage", "citations"):
            if data.get(optional, 0) is None:
                del data[optional]
        return data


class ChatCompletionChunk(Chunk):
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    choices: list[ChatChunkChoice]
    usage: Usage | None = None
    citations: list[Citation] | None = None  # in a stream's first chunk only, when the server retrieves


class CompletionChunk(Chunk):
    object: Literal["text_completion"] = "text_completion"
    choices: list[CompletionChunkChoice]
    usage: Usage | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "tunesmith"
    parent: str | None = None  # for an adapter: the base model it runs on


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class Closed(ValidUnicode):
    """Bodies of tunesmith's own routes (feedback, admin): no OpenAI client sends them, so unknown keys are a 400.

    Not `tunesmith.schema.Strict`: that is the base of settings files, whose errors name a file and key; these
    are HTTP bodies, answered with an OpenAI-style error.
    """

    model_config = ConfigDict(extra="forbid")


class FeedbackRequest(Closed):
    request_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"] | None = None
    correction: str | None = None  # the answer the model should have given
    comment: str | None = Field(None, max_length=4000)


class FeedbackResponse(BaseModel):
    id: int
    object: Literal["feedback"] = "feedback"
    request_id: str
    rating: str | None
    correction: str | None


class AdapterLoad(Closed):
    name: str
    path: str = Field(max_length=4096)  # a run directory or PEFT adapter folder inside an adapter root
    replace: bool = False  # swap a served adapter of this name for the new one, once the new one has loaded


class AdapterStatus(BaseModel):
    name: str
    loaded: bool


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    models: int  # the base and its adapters
    queue_depth: int  # requests admitted and not yet finished


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None  # the request parameter at fault
    code: str | int | None = None  # a string here; an upstream teacher's own may be a number


class ErrorResponse(BaseModel):
    """Every error, in OpenAI's shape: what its clients parse into an exception."""

    error: ErrorDetail
