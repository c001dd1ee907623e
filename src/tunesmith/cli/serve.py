"""`tunesmith serve`: an OpenAI-compatible API for a base model and its adapters, logging every request."""

from __future__ import annotations

from pathlib import Path

import typer

from tunesmith.cli.console import RichProgress


def serve_command(
    model: str = typer.Argument(
        None,
        help="Base model (alias, folder, hub id) or a run directory; default: the first adapter's base. "
        "With --upstream: the model name to serve (default: every model the teacher lists).",
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
    max_batch: int = typer.Option(
        None, "--max-batch", min=1, help="Most sequences generated together (default 8; with vllm, vLLM's own)."
    ),
    rate_limit: int = typer.Option(0, "--rate-limit", min=0, help="Requests per minute per key; 0 = no limit."),
    backend: str = typer.Option(
        "transformers",
        "--backend",
        help="transformers (CPU or GPU), vllm (CUDA GPU) or llama.cpp (CPU: the base as GGUF, adapters as GGUF LoRAs).",
    ),
    threads: int = typer.Option(
        None, "--threads", min=1, help="CPU threads for generation (default: torch's own; llama.cpp: every core)."
    ),
    quant: str = typer.Option(
        None, "--quant", help="llama.cpp: the GGUF type the base is converted to once and cached (default f16)."
    ),
    gguf: Path = typer.Option(
        None,
        "--gguf",
        help="llama.cpp: serve this GGUF file as the base (MODEL gives the "
        "tokenizer and chat template) instead of converting MODEL.",
    ),
    upstream: str = typer.Option(
        None, "--upstream", help="Proxy mode: forward every request to this OpenAI-compatible base URL (…/v1)."
    ),
    upstream_key_env: str = typer.Option(
        None, "--upstream-key-env", help="Environment variable holding the upstream API key (default OPENAI_API_KEY)."
    ),
    upstream_model: str = typer.Option(
        None, "--upstream-model", help="Model name sent upstream (default: the name the client asked for)."
    ),
    fine_tuning: Path = typer.Option(
        None,
        "--fine-tuning",
        help="Also offer OpenAI's fine-tuning API (/v1/files, /v1/fine_tuning/jobs) on the served model; "
        "uploaded files and jobs are kept in this folder, the queue in --store.",
    ),
    max_upload: int = typer.Option(100_000_000, "--max-upload", min=1024, help="Largest file upload, in bytes."),
    allow_code_graders: bool = typer.Option(
        False,
        "--allow-code-graders",
        help="Let reinforcement jobs run their `python` graders' code on this machine (off: such jobs are refused).",
    ),
    rag: list[str] = typer.Option(
        [],
        "--rag",
        help="Answer chat requests from chunks retrieved from this index (`tunesmith rag build`); MODEL=INDEX for "
        "one served model. Responses gain `citations`; the log keeps the chunk ids. Repeatable.",
    ),
    rag_k: int = typer.Option(4, "--rag-k", min=1, help="Chunks retrieved per request."),
    rag_template: Path = typer.Option(
        None, "--rag-template", help="A file with the prompt template: {context} and {question} (default: RAFT's)."
    ),
) -> None:
    """Serve MODEL and its adapters with the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models)."""
    from tunesmith.serve.launch import ServeOptions, serve

    options = ServeOptions(
        model=model,
        adapters=adapter,
        host=host,
        port=port,
        api_keys=api_key,
        keys_file=keys_file,
        store=store,
        max_tokens=max_tokens,
        max_body=max_body,
        queue_size=queue_size,
        max_batch=max_batch,
        rate_limit=rate_limit,
        backend=backend,
        threads=threads,
        quant=quant,
        gguf=gguf,
        upstream=upstream,
        upstream_key_env=upstream_key_env,
        upstream_model=upstream_model,
        fine_tuning=fine_tuning,
        max_upload=max_upload,
        allow_code_graders=allow_code_graders,
        rag=rag,
        rag_k=rag_k,
        rag_template=rag_template,
    )
    serve(options, RichProgress())
