"""Answer one chat or text completion, whole or streamed (SSE), and log it before the answer is complete.

Both ways read the same backend events, so a streamed answer is, chunk by chunk, the answer given whole.
The log row is committed before the JSON response is sent, and before a stream's final `data: [DONE]`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from tunesmith.serve.backends.base import Delta, Generation, GenerationRequest, Sampling
from tunesmith.serve.errors import APIError, invalid
from tunesmith.serve.schemas import UNSUPPORTED, ChatCompletionRequest, CompletionRequest
from tunesmith.serve.store import LoggedRequest

log = logging.getLogger("tunesmith.serve")
RequestBody = ChatCompletionRequest | CompletionRequest


@dataclass
class Answer:
    """The choices of one request as they arrive."""

    n: int
    texts: list[str] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)
    tokens: int = 0

    def __post_init__(self) -> None:
        self.texts, self.reasons = [""] * self.n, [None] * self.n

    def add(self, event) -> None:
        if isinstance(event, Delta):
            self.texts[event.index] += event.text
        else:
            self.reasons[event.index] = event.reason
            self.tokens += event.tokens


def to_generation_request(body: RequestBody, max_tokens_limit: int) -> GenerationRequest:
    """Check the parameters against the server's limits and turn them into a backend request."""
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
    sampling = Sampling(
        temperature=1.0 if body.temperature is None else body.temperature,
        top_p=1.0 if body.top_p is None else body.top_p,
        stop=tuple(stops),
        seed=body.seed,
        response_format=response_format,
    )
    request = GenerationRequest(body.model, max_tokens, body.n, sampling=sampling)
    if isinstance(body, ChatCompletionRequest):
        request.messages = [{"role": _role(m.role), "content": m.text()} for m in body.messages]
    else:
        prompts = [body.prompt] if isinstance(body.prompt, str) else body.prompt
        if len(prompts) != 1:
            raise invalid("Send one prompt per request.", "prompt")
        request.prompt = prompts[0]
    return request


def _role(role: str) -> str:
    return "system" if role == "developer" else role


def new_id(endpoint: str) -> str:
    return ("chatcmpl-" if endpoint == "chat" else "cmpl-") + uuid.uuid4().hex


def usage(generation: Generation, answer: Answer) -> dict:
    prompt = generation.prompt_tokens
    return {"prompt_tokens": prompt, "completion_tokens": answer.tokens, "total_tokens": prompt + answer.tokens}


def response_body(rid: str, endpoint: str, model: str, created: int, gen: Generation, answer: Answer) -> dict:
    """The whole response, in OpenAI's `chat.completion` or `text_completion` shape."""
    if endpoint == "chat":
        choices = [
            {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": r, "logprobs": None}
            for i, (t, r) in enumerate(zip(answer.texts, answer.reasons))
        ]
    else:
        choices = [
            {"index": i, "text": t, "finish_reason": r, "logprobs": None}
            for i, (t, r) in enumerate(zip(answer.texts, answer.reasons))
        ]
    kind = "chat.completion" if endpoint == "chat" else "text_completion"
    body = {"id": rid, "object": kind, "created": created, "model": model, "choices": choices}
    return {**body, "usage": usage(gen, answer)}


def log_entry(
    rid: str,
    endpoint: str,
    body: RequestBody,
    request: GenerationRequest,
    gen: Generation,
    answer: Answer,
    started: float,
    key_id: str | None,
    status: str,
    error: str | None = None,
) -> LoggedRequest:
    """The store row for one request."""
    params = body.model_dump(exclude={"messages", "prompt", "metadata", "tags", "model"}, exclude_none=True)
    params["max_tokens"] = request.max_tokens
    meta = dict(body.metadata or {})
    if body.user:
        meta["user"] = body.user
    return LoggedRequest(
        id=rid,
        endpoint=endpoint,
        model=body.model,
        output=answer.texts[0],
        messages=request.messages,
        prompt=request.prompt,
        params=params,
        choices=[{"text": t, "finish_reason": r} for t, r in zip(answer.texts, answer.reasons)],
        finish_reason=answer.reasons[0],
        prompt_tokens=gen.prompt_tokens,
        completion_tokens=answer.tokens,
        latency_ms=(time.perf_counter() - started) * 1000.0,
        key_id=key_id,
        tags=list(body.tags),
        meta=meta,
        status=status,
        error=error,
    )


async def collect(gen: Generation, answer: Answer) -> None:
    async for event in gen:
        answer.add(event)


def chunk(rid: str, endpoint: str, model: str, created: int, choices: list[dict], **extra) -> str:
    """One server-sent event in OpenAI's chunk format."""
    kind = "chat.completion.chunk" if endpoint == "chat" else "text_completion"
    data = {"id": rid, "object": kind, "created": created, "model": model, "choices": choices, **extra}
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def stream(
    rid: str,
    endpoint: str,
    body: RequestBody,
    request: GenerationRequest,
    gen: Generation,
    started: float,
    key_id,
    server,
) -> StreamingResponse:
    """The SSE response; logs the request (also when the client leaves or it fails) before `[DONE]`."""
    created = int(time.time())
    answer = Answer(request.n)

    def piece(index: int, text: str | None = None, role: bool = False, reason: str | None = None) -> dict:
        if endpoint != "chat":
            return {"index": index, "text": text or "", "logprobs": None, "finish_reason": reason}
        delta = {"role": "assistant", "content": ""} if role else ({"content": text} if text is not None else {})
        return {"index": index, "delta": delta, "logprobs": None, "finish_reason": reason}

    async def events() -> AsyncIterator[str]:
        status, error, logged = "cancelled", None, False
        try:
            if endpoint == "chat":
                for i in range(request.n):
                    yield chunk(rid, endpoint, body.model, created, [piece(i, role=True)])
            async for event in gen:
                answer.add(event)
                if isinstance(event, Delta):
                    part = piece(event.index, event.text)
                else:
                    part = piece(event.index, reason=event.reason)
                yield chunk(rid, endpoint, body.model, created, [part])
            if body.stream_options and body.stream_options.include_usage:
                yield chunk(rid, endpoint, body.model, created, [], usage=usage(gen, answer))
            status = "ok"
            await commit_log(server, log_entry(rid, endpoint, body, request, gen, answer, started, key_id, status))
            logged = True
            seconds = time.perf_counter() - started
            server.metrics.observe(body.model, endpoint, 200, seconds, gen.prompt_tokens, answer.tokens)
            yield "data: [DONE]\n\n"
        except Exception as exc:
            status, failure = "error", exc if isinstance(exc, APIError) else None
            if failure is None:
                log.exception("stream failed")
                failure = APIError(500, "The server had an error while processing your request.", type="server_error")
            error = failure.message
            yield f"data: {json.dumps(failure.body())}\n\n"
        finally:
            if not logged:
                gen.cancel()
                with anyio.CancelScope(shield=True):
                    entry = log_entry(rid, endpoint, body, request, gen, answer, started, key_id, status, error)
                    await commit_log(server, entry, quiet=True)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def commit_log(server, entry: LoggedRequest, quiet: bool = False) -> None:
    """Commit the log row (in a worker thread: the store blocks)."""
    try:
        await run_in_threadpool(server.store.log, entry)
    except Exception:
        if not quiet:
            raise
        log.exception("could not log request %s", entry.id)
