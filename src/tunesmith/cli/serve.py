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
    api_key: list[str] = typer.Option([], "--api-key", hidden=True),  # refused: argv is visible to every user
    keys_file: Path = typer.Option(
        None,
        "--keys-file",
        help="File of accepted keys, `KEY` (inference) or `admin KEY` per line. Also read: the environment "
        "variables TUNESMITH_API_KEYS and TUNESMITH_ADMIN_KEYS (comma-separated).",
    ),
    key_secret_file: Path = typer.Option(
        None,
        "--key-secret-file",
        help="Secret that key ids in the log are HMACs under (default ~/.config/tunesmith/key-secret, "
        "made on first use; or TUNESMITH_KEY_SECRET).",
    ),
    adapter_root: list[Path] = typer.Option(
        [],
        "--adapter-root",
        help="Serve every adapter run in this folder under its folder name; admins may load adapters from "
        "here (only here) at run time. Repeatable.",
    ),
    max_loaded_adapters: int = typer.Option(
        None,
        "--max-loaded-adapters",
        min=1,
        help="Keep at most this many adapters in memory, the least recently used put away (default: all).",
    ),
    mix_adapters: bool = typer.Option(
        False,
        "--mix-adapters",
        help="Batch requests for different LoRA adapters together (PEFT's per-row adapter_names). On 2 CPU cores it "
        "was slower than batching per adapter (docs/serving.md); untried on a GPU.",
    ),
    feedback_rate_limit: int = typer.Option(
        60, "--feedback-rate-limit", min=0, help="Feedback posts per minute per key; 0 = no limit."
    ),
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
    ui: Path = typer.Option(
        None,
        "--ui",
        help="Also serve the web UI at /ui/ with this workspace folder (its runs/ served as adapters; fine-tuning "
        "on, in WORKSPACE/jobs unless --fine-tuning names a folder).",
    ),
    rag_k: int = typer.Option(4, "--rag-k", min=1, help="Chunks retrieved per request."),
    rag_template: Path = typer.Option(
        None, "--rag-template", help="A file with the prompt template: {context} and {question} (default: RAFT's)."
    ),
    router: bool = typer.Option(
        False,
        "--router",
        help='Serve model "auto": each request goes to the adapter whose training prompts (from its run\'s recipe) '
        "its last user message resembles most; the `x-tunesmith-routed-to` header and `model` say which.",
    ),
    router_fallback: str = typer.Option(
        None,
        "--router-fallback",
        help="With --router: send requests unlike every adapter's training prompts to this model (the base's name "
        "or an adapter's) instead.",
    ),
    router_min_similarity: float = typer.Option(
        0.5,
        "--router-min-similarity",
        min=-1.0,
        max=1.0,
        help="With --router-fallback: the least cosine similarity to an adapter's nearest training prompt to use it.",
    ),
) -> None:
    """Serve MODEL and its adapters with the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models)."""
    from tunesmith.errors import InputError
    from tunesmith.serve.launch import ServeOptions, serve

    if api_key:
        raise InputError(
            "--api-key",
            "keys on the command line are visible to every user of this machine (`ps`); put them in a "
            "--keys-file or in TUNESMITH_API_KEYS / TUNESMITH_ADMIN_KEYS",
        )
    space = None
    if ui is not None:
        from tunesmith.ui.workspace import Workspace

        space = Workspace.open(ui)
        if fine_tuning is not None and fine_tuning.resolve() != space.fine_tuning_root:
            raise InputError("--fine-tuning", "with --ui, jobs live in the UI's workspace; leave --fine-tuning out")
        fine_tuning = space.fine_tuning_root
        adapter_root = [*adapter_root, space.area("runs")]
    options = ServeOptions(
        model=model,
        adapters=adapter,
        host=host,
        port=port,
        keys_file=keys_file,
        key_secret_file=key_secret_file,
        adapter_roots=adapter_root,
        max_loaded_adapters=max_loaded_adapters,
        mix_adapters=mix_adapters,
        feedback_rate_limit=feedback_rate_limit,
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
        router=router,
        router_fallback=router_fallback,
        router_min_similarity=router_min_similarity,
    )
    extend = None
    if space is not None:
        from tunesmith.ui.app import mount_ui

        def extend(app):
            return mount_ui(app, space)

    serve(options, RichProgress(), extend=extend)
