"""Answer one chat or text completion, whole or streamed (SSE), and log it before the answer is complete.

Both ways read the same backend events, so a streamed answer is, chunk by chunk, the answer given whole.
The log row is committed before the JSON response is sent, and before a stream's final `data: [DONE]`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from tunesmith.errors import InputError
from tunesmith.serve.backends.base import Delta, Finish, Generation, GenerationRequest, Sampling
from tunesmith.serve.context import RequestContext
from tunesmith.serve.errors import APIError, invalid
from tunesmith.serve.router import HEADER, Route
from tunesmith.serve.router_requests import routed_request
from tunesmith.serve.schemas import (
    UNSUPPORTED,
    AssistantMessage,
    ChatChoice,
    ChatChunkChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatDelta,
    Citation,
    Completion,
    CompletionChoice,
    CompletionChunk,
    CompletionChunkChoice,
    CompletionRequest,
    FunctionCallDelta,
    NamedToolChoice,
    ToolCallDelta,
    Usage,
)
from tunesmith.serve.store import LoggedRequest
from tunesmith.serve.tools import CallStream, ToolUse, calls_of, canonical_turn, forced_json, tool_use

if TYPE_CHECKING:
    from tunesmith.serve.app import Server

log = logging.getLogger("tunesmith.serve")
RequestBody = ChatCompletionRequest | CompletionRequest


@dataclass
class Answer:
    """The choices of one request as they arrive from its generation."""

    generation: Generation
    texts: list[str] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)
    tokens: int = 0

    def __post_init__(self) -> None:
        self.texts, self.reasons = [""] * self.generation.n, [None] * self.generation.n

    def add(self, event: Delta | Finish) -> None:
        if isinstance(event, Delta):
            self.texts[event.index] += event.text
        else:
            self.reasons[event.index] = event.reason
            self.tokens += event.tokens

    async def collect(self) -> None:
        """Read the whole answer."""
        async for event in self.generation:
            self.add(event)

    def usage(self) -> Usage:
        prompt = self.generation.prompt_tokens  # known once the generation has ended
        return Usage(prompt_tokens=prompt, completion_tokens=self.tokens, total_tokens=prompt + self.tokens)


@dataclass
class Exchange:
    """One request being answered: who asked and when (its context), what it asked, and the answer so far."""

    context: RequestContext
    body: RequestBody
    request: GenerationRequest
    answer: Answer
    tools: ToolUse | None = None
    retrieved: dict | None = None  # `serve --rag`: the index build, chunk ids and scores (log meta)
    citations: list[Citation] | None = None
    routed: Route | None = None  # `model: "auto"`: where the router sent it (the context names the model that answers)

    def response(self) -> ChatCompletion | Completion:
        """The whole response, in OpenAI's `chat.completion` or `text_completion` shape."""
        ctx, answer = self.context, self.answer
        done = list(enumerate(zip(answer.texts, answer.reasons)))
        head = {"id": ctx.id, "created": ctx.created, "model": ctx.model, "usage": answer.usage()}
        if ctx.endpoint == "chat":
            choices = [ChatChoice(index=i, **self.chat_message(t, r)) for i, (t, r) in done]
            return ChatCompletion(**head, choices=choices, citations=self.citations)
        return Completion(**head, choices=[CompletionChoice(index=i, text=t, finish_reason=r) for i, (t, r) in done])

    def parses_calls(self) -> bool:
        return self.tools is not None and self.tools.parse

    def chat_message(self, text: str, reason: str | None) -> dict:
        """A chat choice's message and finish reason: the reply's tool calls when the request has tools."""
        if not self.parses_calls():
            return {"message": AssistantMessage(content=text), "finish_reason": reason}
        content, calls = calls_of(text)
        reason = "tool_calls" if calls and reason == "stop" else reason
        return {"message": AssistantMessage(content=content, tool_calls=calls or None), "finish_reason": reason}

    def log_entry(self, status: str, error: str | None = None) -> LoggedRequest:
        """The store row for this request, as it stands."""
        ctx, body, answer = self.context, self.body, self.answer
        params = body.model_dump(exclude={"messages", "prompt", "metadata", "tags", "model"}, exclude_none=True)
        params["max_tokens"] = self.request.max_tokens
        meta = dict(body.metadata or {})
        if body.user:
            meta["user"] = body.user
        if self.retrieved is not None:
            meta["rag"] = self.retrieved
        if self.routed is not None:
            meta["router"] = self.routed.log_meta()
        return LoggedRequest(
            id=ctx.id,
            endpoint=ctx.endpoint,
            model=ctx.model,
            output=answer.texts[0],
            messages=self.request.messages,
            prompt=self.request.prompt,
            params=params,
            choices=[{"text": t, "finish_reason": r} for t, r in zip(answer.texts, answer.reasons)],
            finish_reason=answer.reasons[0],
            prompt_tokens=answer.generation.prompt_tokens,
            completion_tokens=answer.tokens,
            latency_ms=ctx.seconds() * 1000.0,
            key_id=ctx.caller.key_id,
            tags=list(body.tags),
            meta=meta,
            status=status,
            error=error,
        )


def to_generation_request(body: RequestBody, max_tokens_limit: int, use: ToolUse | None = None) -> GenerationRequest:
    """Check the parameters against the server's limits and turn them into a backend request (`use`: the chat
    request's tools, as `tool_use` read them)."""
    extra = body.model_extra or {}
    for name in UNSUPPORTED:
        if extra.get(name) not in (None, False, 0, [], ""):
            raise invalid(f"'{name}' is not supported by this server.", name, "unsupported_parameter")
    max_tokens = getattr(body, "max_completion_tokens", None) or body.max_tokens or max_tokens_limit
    if max_tokens > max_tokens_limit:
        raise invalid(f"max_tokens is {max_tokens}; this server allows at most {max_tokens_limit}.", "max_tokens")
    stops = body.stop_list()
    if len(stops) > 4:
        raise invalid("At most 4 stop sequences are allowed.", "stop")
    response_format = None
    if isinstance(body, ChatCompletionRequest) and body.response_format and body.response_format.type != "text":
        response_format = json.dumps(body.response_format.model_dump(by_alias=True), sort_keys=True)
    if response_format and forced_json(use):
        raise invalid("Ask for a tool call (tool_choice) or for JSON (response_format), not both.", "tool_choice")
    sampling = Sampling(
        temperature=1.0 if body.temperature is None else body.temperature,
        top_p=1.0 if body.top_p is None else body.top_p,
        stop=tuple(stops),
        seed=body.seed,
        response_format=response_format,
        forced_tools=forced_json(use),
    )
    request = GenerationRequest(body.model, max_tokens, body.n, sampling=sampling)
    if isinstance(body, ChatCompletionRequest):
        request.messages = [canonical_turn(m, _role(m.role)) for m in body.messages]
        if use is not None and use.parse:
            request.tools = use.tools
            choice = body.tool_choice
            request.tool_choice = choice.model_dump() if isinstance(choice, NamedToolChoice) else choice
    else:
        prompts = [body.prompt] if isinstance(body.prompt, str) else body.prompt
        if len(prompts) != 1:
            raise invalid("Send one prompt per request.", "prompt")
        request.prompt = prompts[0]
    return request


def _role(role: str) -> str:
    return "system" if role == "developer" else role


async def respond(
    server: Server, ctx: RequestContext, body: RequestBody
) -> ChatCompletion | Completion | StreamingResponse:
    """Submit the request to the backend, then answer it whole or streamed; either way it is logged and counted."""
    try:
        ctx, body, routed = await routed_request(server, ctx, body)
        tools = tool_use(body) if isinstance(body, ChatCompletionRequest) else None
        request = to_generation_request(body, server.settings.max_tokens, tools)
        wanted = body.retrieval if isinstance(body, ChatCompletionRequest) else None
        retrieved = await _retrieve(server, ctx, request, wanted)
        generation = server.backend.submit(request)
    except APIError as exc:
        known = {m.name for m in server.backend.models()}
        label = ctx.model if ctx.model in known else "unknown"  # never a label per made-up name
        server.metrics.observe(label, ctx.endpoint, exc.status)
        raise
    exchange = Exchange(ctx, body, request, Answer(generation), tools, *retrieved, routed=routed)
    if body.stream:
        return stream(server, exchange)
    try:
        await exchange.answer.collect()
    except Exception as exc:
        error = exc.message if isinstance(exc, APIError) else repr(exc)
        await commit_log(server, exchange.log_entry("error", error), quiet=True)
        server.metrics.observe(ctx.model, ctx.endpoint, getattr(exc, "status", 500))
        raise
    await finish(server, exchange)
    if routed is not None:  # the header says who answered (the body's `model` says it too)
        headers = {HEADER: routed.model}
        return JSONResponse(exchange.response().model_dump(mode="json", by_alias=True), headers=headers)
    return exchange.response()


async def _retrieve(
    server: Server, ctx: RequestContext, request, wanted: bool | None = None
) -> tuple[dict | None, list[Citation] | None]:
    """With `serve --rag`: the retrieved chunks put into the chat request (log meta, citations), else (None, None).
    `wanted` is the request's `retrieval`: False answers without the index, True is refused for a model without one."""
    retrieves = server.retrieval is not None and server.retrieval.retriever(ctx.model) is not None
    if wanted and not retrieves and ctx.model in {m.name for m in server.backend.models()}:
        message = f"The model `{ctx.model}` answers without retrieval on this server (`serve --rag` names its index)."
        raise invalid(message, "retrieval", "retrieval_unavailable")
    if server.retrieval is None or ctx.endpoint != "chat" or wanted is False:
        return None, None
    from tunesmith.serve.retrieval import augment, log_meta

    try:
        hits = await run_in_threadpool(augment, server.retrieval, ctx.model, request)
    except InputError as exc:  # e.g. the Chroma server went away: say so, without its address or a trace
        log.warning("retrieval failed for %s: %s", ctx.id, exc)
        raise APIError(
            503, "The retrieval index is unavailable; retry later.", "server_error", code="retrieval"
        ) from None
    if hits is None:
        return None, None
    meta = log_meta(server.retrieval.retriever(ctx.model), hits)
    return meta, [Citation(**hit.citation()) for hit in hits]


async def finish(server: Server, exchange: Exchange) -> None:
    """Log an answered request (committed before the client has all of it) and count it in the metrics."""
    await commit_log(server, exchange.log_entry("ok"))
    ctx, answer = exchange.context, exchange.answer
    tokens = (answer.generation.prompt_tokens, answer.tokens)
    server.metrics.observe(ctx.model, ctx.endpoint, 200, ctx.seconds(), *tokens)


def sse(data: BaseModel | dict) -> str:
    """One server-sent event."""
    payload = data.model_dump() if isinstance(data, BaseModel) else data
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def chunk(ctx: RequestContext, choices: list, usage: Usage | None = None, citations: list | None = None) -> str:
    """One event in OpenAI's chunk format (`chat.completion.chunk`, or `text_completion` for text)."""
    head = {"id": ctx.id, "created": ctx.created, "model": ctx.model, "usage": usage}
    if ctx.endpoint == "chat":
        return sse(ChatCompletionChunk(**head, choices=choices, citations=citations))
    return sse(CompletionChunk(**head, choices=choices))


def opening(index: int) -> ChatChunkChoice:
    """A chat choice's first chunk: its role, no content yet."""
    return ChatChunkChoice(index=index, delta=ChatDelta(role="assistant", content=""))


def piece(ctx: RequestContext, event: Delta | Finish) -> list[ChatChunkChoice | CompletionChunkChoice]:
    """The chunk choice for one backend event: new text, or the choice's finish reason."""
    text = event.text if isinstance(event, Delta) else None
    reason = event.reason if isinstance(event, Finish) else None
    if ctx.endpoint == "chat":
        return [ChatChunkChoice(index=event.index, delta=ChatDelta(content=text), finish_reason=reason)]
    return [CompletionChunkChoice(index=event.index, text=text or "", finish_reason=reason)]


def tool_pieces(calls: list[CallStream], event: Delta | Finish) -> list[ChatChunkChoice]:
    """The chunk choices for one event of a request with tools: content while it cannot be a call, then, at the
    end, the rest of the content, the calls whole, and the finish reason."""
    stream_ = calls[event.index]
    if isinstance(event, Delta):
        text = stream_.add(event.text)
        return [ChatChunkChoice(index=event.index, delta=ChatDelta(content=text))] if text else []
    rest, made = stream_.finish()
    parts = [ChatChunkChoice(index=event.index, delta=ChatDelta(content=rest))] if rest else []
    if made:
        deltas = [
            ToolCallDelta(index=j, id=call.id, function=FunctionCallDelta(**call.function.model_dump()))
            for j, call in enumerate(made)
        ]
        parts.append(ChatChunkChoice(index=event.index, delta=ChatDelta(tool_calls=deltas)))
    reason = "tool_calls" if made and event.reason == "stop" else event.reason
    return [*parts, ChatChunkChoice(index=event.index, delta=ChatDelta(), finish_reason=reason)]


def stream(server: Server, exchange: Exchange) -> StreamingResponse:
    """The SSE response; logs the request (also when the client leaves or it fails) before `[DONE]`."""
    ctx, body, answer = exchange.context, exchange.body, exchange.answer

    async def events() -> AsyncIterator[str]:
        status, error, logged = "cancelled", None, False
        try:
            if ctx.endpoint == "chat":
                for i in range(answer.generation.n):
                    yield chunk(ctx, [opening(i)], citations=exchange.citations if i == 0 else None)
            calls = [CallStream() for _ in range(answer.generation.n)] if exchange.parses_calls() else None
            async for event in answer.generation:
                answer.add(event)
                for part in piece(ctx, event) if calls is None else tool_pieces(calls, event):
                    yield chunk(ctx, [part])
            if body.stream_options and body.stream_options.include_usage:
                yield chunk(ctx, [], usage=answer.usage())
            status = "ok"
            await finish(server, exchange)
            logged = True
            yield "data: [DONE]\n\n"
        except Exception as exc:
            status, failure = "error", exc if isinstance(exc, APIError) else None
            if failure is None:
                log.exception("stream failed")
                failure = APIError(500, "The server had an error while processing your request.", type="server_error")
            error = failure.message
            yield sse(failure.body())
        finally:
            if not logged:
                answer.generation.cancel()
                with anyio.CancelScope(shield=True):
                    await commit_log(server, exchange.log_entry(status, error), quiet=True)

    headers = {"Cache-Control": "no-cache"} | ({HEADER: exchange.routed.model} if exchange.routed else {})
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


async def commit_log(server: Server, entry: LoggedRequest, quiet: bool = False) -> None:
    """Commit the log row (in a worker thread: the store blocks)."""
    try:
        await run_in_threadpool(server.store.log, entry)
    except Exception:
        if not quiet:
            raise
        log.exception("could not log request %s", entry.id)
