"""The OpenAI-compatible routes (/v1/...), feedback, health and metrics."""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from tunesmith.serve.completions import respond
from tunesmith.serve.context import Caller, RequestContext
from tunesmith.serve.errors import ERROR_RESPONSES, APIError, invalid, model_not_found, too_many
from tunesmith.serve.router import AUTO
from tunesmith.serve.schemas import (
    ChatCompletion,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    FeedbackRequest,
    FeedbackResponse,
    Health,
    ModelCard,
    ModelList,
)
from tunesmith.serve.store import Feedback

router = APIRouter(responses=ERROR_RESPONSES)


def server(request: Request):
    """The app's Server (backend, store, settings, limits, metrics)."""
    return request.app.state.server


def caller(request: Request) -> Caller:
    """Who sent the request: the key id RequireKey found (None when keys are off) and the client's address."""
    address = request.client.host if request.client else "unknown"
    return Caller(getattr(request.state, "key_id", None), address)


def rate_limited(request: Request, who: Caller = Depends(caller)) -> Caller:
    """Take one request from the caller's bucket (its key, or its address when keys are off), else 429."""
    wait = server(request).limiter.check(who.bucket)
    if wait > 0:
        raise too_many("Rate limit reached for requests; retry later.", "rate_limit_exceeded", math.ceil(wait))
    return who


@router.post("/v1/chat/completions", response_model=ChatCompletion)
async def chat_completions(body: ChatCompletionRequest, request: Request, who: Caller = Depends(rate_limited)):
    """Chat completion, whole or streamed (`stream: true`, server-sent events ending with `data: [DONE]`)."""
    visible_to(server(request), body.model, who)
    return await respond(server(request), RequestContext("chat", body.model, who), body)


@router.post("/v1/completions", response_model=Completion)
async def text_completions(body: CompletionRequest, request: Request, who: Caller = Depends(rate_limited)):
    """Text completion of a raw prompt (no chat template)."""
    visible_to(server(request), body.model, who)
    return await respond(server(request), RequestContext("completions", body.model, who), body)


def visible_to(srv, model: str, who: Caller) -> None:
    """A 404 for another key's fine-tuned model, as if it did not exist."""
    if srv.fine_tuning is not None and not srv.fine_tuning.visible(model, who.key_id):
        raise model_not_found(model)


@router.get("/v1/models", response_model=ModelList)
def list_models(request: Request, who: Caller = Depends(caller)) -> ModelList:
    """The base model and every adapter on it (fine-tuned models only to the key that made them)."""
    srv = server(request)
    mine = srv.fine_tuning.visible if srv.fine_tuning is not None else (lambda name, key: True)
    models = [m for m in srv.backend.models() if mine(m.name, who.key_id)]
    cards = [ModelCard(id=m.name, created=srv.started, parent=m.parent) for m in models]
    if srv.router is not None and AUTO not in {m.name for m in models}:  # `--router`: "auto" picks an adapter
        cards.append(ModelCard(id=AUTO, created=srv.started))
    return ModelList(data=cards)


@router.get("/v1/models/{name:path}", response_model=ModelCard)
def get_model(name: str, request: Request, who: Caller = Depends(caller)) -> ModelCard:
    srv = server(request)
    visible_to(srv, name, who)
    for m in srv.backend.models():
        if m.name == name:
            return ModelCard(id=m.name, created=srv.started, parent=m.parent)
    if name == AUTO and srv.router is not None:
        return ModelCard(id=AUTO, created=srv.started)
    raise model_not_found(name)


@router.post("/v1/feedback", response_model=FeedbackResponse)
async def feedback(body: FeedbackRequest, request: Request, who: Caller = Depends(caller)) -> FeedbackResponse:
    """Thumbs up/down and/or a corrected answer for a request this key made (its response `id`); rate-limited."""
    wait = server(request).feedback_limiter.check(who.bucket)
    if wait > 0:
        raise too_many("Rate limit reached for feedback; retry later.", "rate_limit_exceeded", math.ceil(wait))
    if body.rating is None and body.correction is None:
        raise invalid("Send a rating ('up' or 'down') or a correction.", "rating", "missing_required_parameter")
    item = Feedback(body.request_id, body.rating, body.correction, body.comment, who.key_id)
    saved = await run_in_threadpool(server(request).store.add_feedback, item, True)
    if saved is None:  # no such request, or another key's: the same answer, so ids of others' requests leak nothing
        message = f"No logged request has id '{body.request_id}'."
        raise APIError(404, message, param="request_id", code="request_not_found")
    return FeedbackResponse(id=saved.id, request_id=saved.request_id, rating=saved.rating, correction=saved.correction)


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    """Liveness: no key needed."""
    srv = server(request)
    return Health(models=len(srv.backend.models()), queue_depth=srv.backend.queue_depth())


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus text format."""
    srv = server(request)
    return Response(srv.metrics.render(), media_type=srv.metrics.content_type)
