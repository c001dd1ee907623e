"""`model: "auto"` requests re-addressed to the model the router picks, before they are answered as usual."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from tunesmith.serve.context import RequestContext
from tunesmith.serve.errors import APIError
from tunesmith.serve.router import AUTO, Route
from tunesmith.serve.schemas import ChatCompletionRequest, CompletionRequest

if TYPE_CHECKING:
    from tunesmith.serve.app import Server

RequestBody = ChatCompletionRequest | CompletionRequest


async def routed_request(
    server: Server, ctx: RequestContext, body: RequestBody
) -> tuple[RequestContext, RequestBody, Route | None]:
    """`model: "auto"` with `serve --router`: the request re-addressed to the model the router picks by its last
    user message (one embedding, in a worker thread); any other model: as it is."""
    known = {m.name for m in server.backend.models()}
    if ctx.model != AUTO or AUTO in known:
        return ctx, body, None
    if server.router is None:
        message = "The model `auto` picks an adapter per request; this server was started without --router."
        raise APIError(404, message, param="model", code="model_not_found")
    if server.fine_tuning is not None:  # another key's fine-tuned model is never picked for this caller
        known = {name for name in known if server.fine_tuning.visible(name, ctx.caller.key_id)}
    route = await run_in_threadpool(server.router.route, routing_text(body), known)
    return replace(ctx, model=route.model), body.model_copy(update={"model": route.model}), route


def routing_text(body: RequestBody) -> str:
    """What the router reads: a chat request's last user message (else its last message), or the text prompt."""
    if isinstance(body, ChatCompletionRequest):
        users = [m for m in body.messages if m.role == "user"] or body.messages
        return users[-1].text()
    return body.prompt if isinstance(body.prompt, str) else (body.prompt[0] if body.prompt else "")
