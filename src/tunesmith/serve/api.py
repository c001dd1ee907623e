"""The OpenAI-compatible routes (/v1/...), feedback, health and metrics."""

from __future__ import annotations

import math
import time

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from tunesmith.serve import completions as comp
from tunesmith.serve.errors import APIError, invalid, too_many
from tunesmith.serve.schemas import (
    ChatCompletion,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    FeedbackRequest,
    FeedbackResponse,
    ModelCard,
    ModelList,
)
from tunesmith.serve.store import Feedback

router = APIRouter()


def server(request: Request):
    """The app's Server (backend, store, settings, limits, metrics)."""
    return request.app.state.server


def key_id(request: Request) -> str | None:
    """The caller's key id (checked by the RequireKey middleware); None when keys are off."""
    return getattr(request.state, "key_id", None)


def rate_limited(request: Request, kid: str | None = Depends(key_id)) -> str | None:
    """Take one request from the caller's bucket (its key, or its address when keys are off), else 429."""
    who = kid or f"ip:{request.client.host if request.client else 'unknown'}"
    wait = server(request).limiter.check(who)
    if wait > 0:
        raise too_many("Rate limit reached for requests; retry later.", "rate_limit_exceeded", math.ceil(wait))
    return kid


@router.post("/v1/chat/completions", response_model=ChatCompletion)
async def chat_completions(body: ChatCompletionRequest, request: Request, kid=Depends(rate_limited)):
    """Chat completion, whole or streamed (`stream: true`, server-sent events ending with `data: [DONE]`)."""
    return await _answer("chat", body, request, kid)


@router.post("/v1/completions", response_model=Completion)
async def text_completions(body: CompletionRequest, request: Request, kid=Depends(rate_limited)):
    """Text completion of a raw prompt (no chat template)."""
    return await _answer("completions", body, request, kid)


async def _answer(endpoint: str, body, request: Request, kid: str | None):
    srv = server(request)
    started = time.perf_counter()
    try:
        gen_request = comp.to_generation_request(body, srv.settings.max_tokens)
        gen = srv.backend.submit(gen_request)
    except APIError as exc:
        known = {m.name for m in srv.backend.models()}
        label = body.model if body.model in known else "unknown"  # never a label per made-up name
        srv.metrics.observe(label, endpoint, exc.status)
        raise
    rid = comp.new_id(endpoint)
    if body.stream:
        return comp.stream(rid, endpoint, body, gen_request, gen, started, kid, srv)
    answer = comp.Answer(gen_request.n)
    try:
        await comp.collect(gen, answer)
    except Exception as exc:
        error = exc.message if isinstance(exc, APIError) else repr(exc)
        entry = comp.log_entry(rid, endpoint, body, gen_request, gen, answer, started, kid, "error", error)
        await comp.commit_log(srv, entry, quiet=True)
        srv.metrics.observe(body.model, endpoint, getattr(exc, "status", 500))
        raise
    await comp.commit_log(srv, comp.log_entry(rid, endpoint, body, gen_request, gen, answer, started, kid, "ok"))
    seconds = time.perf_counter() - started
    srv.metrics.observe(body.model, endpoint, 200, seconds, gen.prompt_tokens, answer.tokens)
    return comp.response_body(rid, endpoint, body.model, int(time.time()), gen, answer)


@router.get("/v1/models", response_model=ModelList)
async def list_models(request: Request) -> ModelList:
    """The base model and every adapter on it."""
    srv = server(request)
    cards = [ModelCard(id=m.name, created=srv.started, parent=m.parent) for m in srv.backend.models()]
    return ModelList(data=cards)


@router.get("/v1/models/{name}", response_model=ModelCard)
async def get_model(name: str, request: Request) -> ModelCard:
    srv = server(request)
    for m in srv.backend.models():
        if m.name == name:
            return ModelCard(id=m.name, created=srv.started, parent=m.parent)
    from tunesmith.serve.errors import model_not_found

    raise model_not_found(name)


@router.post("/v1/feedback", response_model=FeedbackResponse)
async def feedback(body: FeedbackRequest, request: Request, kid=Depends(key_id)) -> FeedbackResponse:
    """Thumbs up/down and/or a corrected answer for a logged request (its response `id`)."""
    if body.rating is None and body.correction is None:
        raise invalid("Send a rating ('up' or 'down') or a correction.", "rating", "missing_required_parameter")
    item = Feedback(body.request_id, body.rating, body.correction, body.comment, kid)
    saved = await run_in_threadpool(server(request).store.add_feedback, item)
    if saved is None:
        message = f"No logged request has id '{body.request_id}'."
        raise APIError(404, message, param="request_id", code="request_not_found")
    return FeedbackResponse(id=saved.id, request_id=saved.request_id, rating=saved.rating, correction=saved.correction)


@router.get("/health")
async def health(request: Request) -> dict:
    """Liveness: no key needed."""
    srv = server(request)
    return {"status": "ok", "models": len(srv.backend.models()), "queue_depth": srv.backend.queue_depth()}


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    srv = server(request)
    return Response(srv.metrics.render(), media_type=srv.metrics.content_type)
