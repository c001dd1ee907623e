"""The FastAPI app: an OpenAI-compatible API over any Backend, logging every request to a Store."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI

from tunesmith.serve import admin, api
from tunesmith.serve.auth import KeyRing, RateLimiter, RequireKey
from tunesmith.serve.backends.base import Backend
from tunesmith.serve.errors import install_handlers
from tunesmith.serve.limits import BodyLimit
from tunesmith.serve.metrics import ServeMetrics
from tunesmith.serve.store import Store


@dataclass(frozen=True)
class ServerSettings:
    """Limits and keys; `max_tokens` is both the most a request may ask for and the default when it asks none."""

    api_keys: tuple[str, ...] = ()
    max_tokens: int = 512
    max_body_bytes: int = 1_000_000
    rate_limit: int = 0  # requests per minute per key (per client address when keys are off); 0 = no limit


@dataclass
class Server:
    """What the routes share (found at `app.state.server`)."""

    backend: Backend
    store: Store
    settings: ServerSettings
    limiter: RateLimiter
    metrics: ServeMetrics
    started: int = field(default_factory=lambda: int(time.time()))


def create_app(backend: Backend, store: Store, settings: ServerSettings | None = None) -> FastAPI:
    """The app; the backend's workers start and stop with it (the store stays the caller's to close)."""
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend.start()
        try:
            yield
        finally:
            backend.close()

    app = FastAPI(title="tunesmith", summary="OpenAI-compatible API for a model and its adapters.", lifespan=lifespan)
    metrics = ServeMetrics(backend.queue_depth)
    app.state.server = Server(backend, store, settings, RateLimiter(settings.rate_limit), metrics)
    install_handlers(app)
    app.include_router(api.router)
    app.include_router(admin.router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequireKey, keys=KeyRing(list(settings.api_keys)))  # outermost: no key, no further work
    return app
