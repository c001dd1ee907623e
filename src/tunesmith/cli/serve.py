"""`tunesmith serve`: an OpenAI-compatible API for a base model and its adapters, logging every request."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress


def serve_command(
    model: str = typer.Argument(
        None, help="Base model (alias, folder, hub id) or a run directory; default: the first adapter's base."
    ),
    adapter: list[str] = typer.Option([], "--adapter", help="NAME=RUN_DIR (or NAME=ADAPTER_FOLDER); repeatable."),
    host: str = typer.Option("127.0.0.1", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535),
    api_key: list[str] = typer.Option([], "--api-key", help="Accepted bearer key; repeatable."),
    keys_file: Path = typer.Option(None, "--keys-file", help="File with one accepted key per line."),
    store: str = typer.Option("tunesmith-logs.db", help="Request log: a SQLite file path or a SQLAlchemy URL."),
    max_tokens: int = typer.Option(512, "--max-tokens", min=1, help="Most tokens a request may ask for (and default)."),
    max_body: int = typer.Option(1_000_000, "--max-body", min=1024, help="Largest request body, in bytes."),
    queue_size: int = typer.Option(64, "--queue-size", min=1, help="Requests in the server at once; more get 429."),
    max_batch: int = typer.Option(8, "--max-batch", min=1, help="Most sequences generated together."),
    rate_limit: int = typer.Option(0, "--rate-limit", min=0, help="Requests per minute per key; 0 = no limit."),
) -> None:
    """Serve MODEL and its adapters with the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models)."""
    from tunesmith.serve.launch import ServeOptions, serve

    options = ServeOptions(
        model, adapter, host, port, api_key, keys_file, store, max_tokens, max_body, queue_size, max_batch, rate_limit
    )
    serve(options, RichProgress())
