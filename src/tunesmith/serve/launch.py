"""Build everything `tunesmith serve` runs (plan, backend, store, app) and run it with uvicorn."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.serve.app import ServerSettings, create_app
from tunesmith.serve.auth import read_keys_file

DEFAULT_STORE = "tunesmith-logs.db"


@dataclass
class ServeOptions:
    """Everything `tunesmith serve` takes, as plain values."""

    model: str | None = None
    adapters: list[str] = field(default_factory=list)  # NAME=RUN_DIR
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: list[str] = field(default_factory=list)
    keys_file: Path | None = None
    store: str = DEFAULT_STORE
    max_tokens: int = 512
    max_body: int = 1_000_000
    queue_size: int = 64
    max_batch: int = 8
    rate_limit: int = 0


def build(options: ServeOptions, progress: Progress = SILENT):
    """(app, store): the model and adapters loaded, the store opened; bad options are InputErrors."""
    from tunesmith.serve.adapters import parse_adapter_option, plan
    from tunesmith.serve.backends.transformers import TransformersBackend
    from tunesmith.serve.store import Store

    keys = list(options.api_keys) + (read_keys_file(options.keys_file) if options.keys_file else [])
    for key in options.api_keys:
        if len(key) < 8:
            raise InputError("--api-key", "keys must be at least 8 characters")
    served = plan(options.model, [parse_adapter_option(a) for a in options.adapters], progress)
    progress.note(f"Loading {served.base_name} with {len(served.adapters)} adapter(s)")
    backend = TransformersBackend(served, queue_size=options.queue_size, max_batch=options.max_batch)
    store = Store(options.store)
    settings = ServerSettings(tuple(keys), options.max_tokens, options.max_body, options.rate_limit)
    if not keys and not _is_loopback(options.host):
        progress.note(f"warning: serving on {options.host} without API keys: anyone who can reach it can use it")
    return create_app(backend, store, settings), store


def serve(options: ServeOptions, progress: Progress = SILENT) -> None:
    """Load, then answer requests until interrupted."""
    import uvicorn

    app, store = build(options, progress)
    progress.note(f"OpenAI-compatible API on http://{options.host}:{options.port}/v1 (log: {store.url})")
    try:
        uvicorn.run(app, host=options.host, port=options.port, log_level="info")
    finally:
        store.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
