"""The FastAPI app: an OpenAI-compatible API over any Backend, logging every request to a Store."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI

from tunesmith.serve import admin, api, files_api, jobs_api
from tunesmith.serve.auth import KeyRing, RateLimiter, RequireKey
from tunesmith.serve.backends.base import Backend
from tunesmith.serve.errors import install_handlers
from tunesmith.serve.finetuning import FineTuning
from tunesmith.serve.keys import ApiKey, key_id, merge_keys
from tunesmith.serve.limits import BodyLimit
from tunesmith.serve.metrics import ServeMetrics
from tunesmith.serve.retrieval import Retrieval
from tunesmith.serve.router import AdapterRouter
from tunesmith.serve.store import Store


@dataclass(frozen=True)
class ServerSettings:
    """Limits, keys and adapter roots; `max_tokens` is both the most a request may ask for and the default."""

    api_keys: tuple[str, ...] = ()  # inference keys
    max_tokens: int = 512
    max_body_bytes: int = 1_000_000
    rate_limit: int = 0  # requests per minute per key (per client address when keys are off); 0 = no limit
    max_upload_bytes: int = 100_000_000  # `POST /v1/files` bodies (fine-tuning data)
    admin_keys: tuple[str, ...] = ()  # keys that may also use /admin/*
    key_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)  # HMAC key of key ids
    adapter_roots: tuple[Path, ...] = ()  # the only folders adapters may be loaded from at run time
    feedback_rate_limit: int = 60  # feedback posts per minute per key (per address when keys are off); 0 = none

    def keys(self) -> list[ApiKey]:
        """Every accepted key with its role."""
        admin = [ApiKey(k, "admin") for k in self.admin_keys]
        return merge_keys([ApiKey(k, "inference") for k in self.api_keys] + admin)

    def key_id(self, key: str) -> str:
        """The id the log and the store know `key` by."""
        return key_id(key, self.key_secret)


@dataclass
class Server:
    """What the routes share (found at `app.state.server`)."""

    backend: Backend
    store: Store
    settings: ServerSettings
    limiter: RateLimiter
    metrics: ServeMetrics
    feedback_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(0))
    started: int = field(default_factory=lambda: int(time.time()))
    fine_tuning: FineTuning | None = None  # the files and jobs routes, when the server fine-tunes
    retrieval: Retrieval | None = None  # `--rag`: models that answer with chunks retrieved from an index
    router: AdapterRouter | None = None  # `--router`: requests for `model: "auto"` go to the adapter it picks


def create_app(
    backend: Backend,
    store: Store,
    settings: ServerSettings | None = None,
    fine_tuning: FineTuning | None = None,
    retrieval: Retrieval | None = None,
    router: AdapterRouter | None = None,
) -> FastAPI:
    """The app; the backend's workers and the job runner start and stop with it (the store stays the caller's)."""
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend.start()
        if fine_tuning is not None:
            fine_tuning.start()
        try:
            yield
        finally:
            if fine_tuning is not None:
                fine_tuning.close()
            backend.close()
            if retrieval is not None:
                retrieval.close()

    app = FastAPI(title="tunesmith", summary="OpenAI-compatible API for a model and its adapters.", lifespan=lifespan)
    metrics = ServeMetrics(backend.queue_depth)
    limiter = RateLimiter(settings.rate_limit)
    feedback_limiter = RateLimiter(settings.feedback_rate_limit)
    app.state.server = Server(
        backend,
        store,
        settings,
        limiter,
        metrics,
        feedback_limiter,
        fine_tuning=fine_tuning,
        retrieval=retrieval,
        router=router,
    )
    install_handlers(app)
    for routes in (api, admin, files_api, jobs_api):
        app.include_router(routes.router)
    uploads = {"/v1/files": settings.max_upload_bytes}
    app.state.upload_paths = uploads  # the body limit reads this dict: a mounted UI adds its own upload route
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger=uploads)
    keys = KeyRing(settings.keys(), settings.key_secret)
    app.add_middleware(RequireKey, keys=keys)  # outermost: no key, no further work
    return app
