"""Build everything `tunesmith serve` runs (plan, backend, store, app) and run it with uvicorn."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.serve.app import ServerSettings, create_app
from tunesmith.serve.keys import key_secret, keys_from_env, merge_keys, read_keys_file

DEFAULT_STORE = "tunesmith-logs.db"
BACKENDS = ("transformers", "vllm", "llama.cpp")


@dataclass
class ServeOptions:
    """Everything `tunesmith serve` takes, as plain values."""

    model: str | None = None
    adapters: list[str] = field(default_factory=list)  # NAME=RUN_DIR
    host: str = "127.0.0.1"
    port: int = 8000
    keys_file: Path | None = None  # `KEY` or `ROLE KEY` per line; TUNESMITH_API_KEYS / TUNESMITH_ADMIN_KEYS add more
    key_secret_file: Path | None = None  # the secret key ids are made with (default ~/.config/tunesmith/key-secret)
    adapter_roots: list[Path] = field(default_factory=list)  # adapters served from here, and loadable at run time
    max_loaded_adapters: int | None = None  # the working set: at most this many attached at once (LRU); None = all
    mix_adapters: bool = False  # LoRA adapters share one batch (PEFT's adapter_names); slower on CPU, as measured
    feedback_rate_limit: int = 60
    store: str = DEFAULT_STORE
    max_tokens: int = 512
    max_body: int = 1_000_000
    queue_size: int = 64
    max_batch: int | None = None  # None: 8 with transformers, vLLM's own default with vllm
    rate_limit: int = 0
    backend: str = "transformers"  # or "vllm" or "llama.cpp"
    threads: int | None = None  # CPU threads for generation; None: torch's default, or every core with llama.cpp
    quant: str | None = None  # llama.cpp: the GGUF type the base is converted to (default f16)
    gguf: Path | None = None  # llama.cpp: serve this GGUF file as the base instead of converting MODEL
    upstream: str | None = None  # proxy mode: the teacher's base URL (…/v1)
    upstream_key_env: str | None = None  # env var holding the teacher's key; None: OPENAI_API_KEY, if set
    upstream_model: str | None = None  # the model name sent upstream (default: the name the client asked for)
    fine_tuning: Path | None = None  # the fine-tuning API's folder (files, jobs); None: no fine-tuning
    max_upload: int = 100_000_000
    allow_code_graders: bool = False  # reinforcement jobs may run `python` graders' code
    rag: list[str] = field(default_factory=list)  # INDEX (every model) or MODEL=INDEX: answer with retrieved chunks
    rag_k: int = 4  # chunks put into each retrieving request
    rag_template: Path | None = None  # a file holding the prompt template ({context}, {question})
    router: bool = False  # `model: "auto"` picks an adapter per request (serve/router.py)
    router_fallback: str | None = None  # where the router sends requests unlike every adapter's training prompts
    router_min_similarity: float = 0.5  # with a fallback: the least similarity to an adapter's prompts to use it


def build(options: ServeOptions, progress: Progress = SILENT):
    """(app, store): the backend ready (model and adapters loaded, or the teacher found), the store opened.

    Bad options are InputErrors, raised before anything heavy loads.
    """
    from tunesmith.serve.store import Store

    keys = merge_keys(keys_from_env() + (read_keys_file(options.keys_file) if options.keys_file else []))
    roots = adapter_roots(options.adapter_roots)
    if options.max_loaded_adapters is not None and options.max_loaded_adapters < 1:
        raise InputError("--max-loaded-adapters", "expected at least 1")
    if options.threads is not None and options.threads < 1:
        raise InputError("--threads", "expected a positive number of threads")
    if options.threads is not None and options.backend != "llama.cpp":
        import torch

        torch.set_num_threads(options.threads)  # process-wide: the generation worker starts with this many
    if options.fine_tuning is not None and options.upstream:
        raise InputError("--fine-tuning", "proxy mode (--upstream) has no local model to fine-tune")
    if options.router_fallback is not None and not options.router:
        raise InputError("--router-fallback", "only a server started with --router routes requests")
    if options.router and options.upstream:
        raise InputError("--router", "proxy mode (--upstream) serves no adapters to route between")
    served = None
    if options.upstream:
        backend = upstream_backend(options, progress)
    else:
        backend, served = local_served(options, progress)
    router = _router(options, backend, served.adapters, progress) if served is not None and options.router else None
    store = Store(options.store)
    fine_tuning = None
    if options.fine_tuning is not None:
        from tunesmith.serve.finetuning import open_fine_tuning

        secret_url = store.engine.url.render_as_string(hide_password=False)  # `store.url` masks the password
        fine_tuning = open_fine_tuning(options.fine_tuning, secret_url, backend, options.allow_code_graders)
        progress.note(f"Fine-tuning API on: jobs train {backend.base_name}, files and runs in {options.fine_tuning}")
    retrieval = _retrieval(options, {m.name for m in backend.models()})
    settings = ServerSettings(
        api_keys=tuple(k.value for k in keys if k.role == "inference"),
        admin_keys=tuple(k.value for k in keys if k.role == "admin"),
        key_secret=key_secret(options.key_secret_file) if keys else b"",
        adapter_roots=roots,
        max_tokens=options.max_tokens,
        max_body_bytes=options.max_body,
        rate_limit=options.rate_limit,
        max_upload_bytes=options.max_upload,
        feedback_rate_limit=options.feedback_rate_limit,
    )
    if not keys and not _is_loopback(options.host):
        progress.note(f"warning: serving on {options.host} without API keys: anyone who can reach it can use it")
    return create_app(backend, store, settings, fine_tuning, retrieval, router), store


def adapter_roots(given: list[Path]) -> tuple[Path, ...]:
    """The adapter roots, resolved; each must be an existing folder."""
    for root in given:
        if not root.is_dir():
            raise InputError(f"--adapter-root {root}", "not a folder; expected a folder of runs or adapter folders")
    return tuple(root.resolve() for root in given)


def _retrieval(options: ServeOptions, models: set[str]):
    """The retrieval indexes of `--rag`, opened (and checked) before the server starts; None without `--rag`."""
    if not options.rag:
        return None
    from tunesmith.serve.retrieval import open_retrieval

    template = None
    if options.rag_template is not None:
        if not options.rag_template.is_file():
            raise InputError(f"--rag-template {options.rag_template}", "not found; expected a text file")
        template = options.rag_template.read_text(encoding="utf-8")
    return open_retrieval(options.rag, options.rag_k, template, models)


def _router(options: ServeOptions, backend, folders: dict[str, Path], progress: Progress):
    """`--router`: the adapter router, fitted on the served adapters' training prompts (or read from its cache)."""
    from tunesmith.serve.router import AUTO, AdapterRouter, RouterSettings

    names = {m.name for m in backend.models()}
    if AUTO in names:
        raise InputError("--router", f"a served model is named '{AUTO}', the name that asks the router; rename it")
    settings = RouterSettings(options.router_fallback, options.router_min_similarity)
    router = AdapterRouter(backend.base_name, settings, progress)
    router.check_fallback(names)
    router.set_adapters(folders)
    if router.router is None:
        progress.note(f"Router: no adapter to route to yet; '{AUTO}' goes to {settings.fallback or backend.base_name}")
    else:
        router.warm()
        fitted = router.router
        progress.note(f"Router: '{AUTO}' picks one of {', '.join(fitted.names)} ({fitted.kind}, {router.key[:12]})")
    return router


def local_backend(options: ServeOptions, progress: Progress = SILENT):
    """The transformers, vLLM or llama.cpp backend for MODEL and its adapters."""
    return local_served(options, progress)[0]


def local_served(options: ServeOptions, progress: Progress = SILENT):
    """(backend, plan): the local backend and what it serves (the base and adapter folders by name)."""
    from tunesmith.serve.adapters import parse_adapter_option, plan, registered

    if options.backend not in BACKENDS:
        raise InputError(f"--backend {options.backend}", f"expected one of {', '.join(BACKENDS)}")
    if options.backend != "llama.cpp" and (options.quant or options.gguf):
        raise InputError("--quant" if options.quant else "--gguf", "only the llama.cpp backend serves GGUF files")
    if options.mix_adapters and options.backend != "transformers":
        raise InputError("--mix-adapters", "only the transformers backend mixes adapters in one batch")
    if options.max_loaded_adapters is not None and options.backend != "transformers":
        raise InputError("--max-loaded-adapters", "only the transformers backend keeps a working set of adapters")
    if options.backend == "vllm":
        from tunesmith.serve.backends.vllm import require_vllm

        require_vllm()  # before the model is resolved or converted: fail at once where vLLM cannot run
    if options.backend == "llama.cpp":
        from tunesmith.export.llama_cpp import check_quant, import_llama_cpp

        import_llama_cpp("--backend llama.cpp")  # before anything loads: fail at once without llama-cpp-python
        check_quant(options.quant or "f16")
        if options.max_batch not in (None, 1):
            raise InputError("--max-batch", "the llama.cpp backend generates one request at a time (1)")
        if options.gguf is not None and not options.gguf.is_file():
            raise InputError(f"--gguf {options.gguf}", "no such file")
    served = plan(options.model, [parse_adapter_option(a) for a in options.adapters], progress)
    for name, folder in registered(adapter_roots(options.adapter_roots), served.base, progress).items():
        if name != served.base_name:
            served.adapters.setdefault(name, folder)  # an explicit --adapter of the same name wins
    progress.note(f"Loading {served.base_name} with {len(served.adapters)} adapter(s) ({options.backend})")
    if options.backend == "vllm":
        from tunesmith.serve.backends.vllm import VLLMBackend

        return VLLMBackend(served, queue_size=options.queue_size, max_batch=options.max_batch), served
    if options.backend == "llama.cpp":
        from tunesmith.serve.backends.llama_cpp import DEFAULT_QUANT, LlamaCppBackend

        quant = options.quant or DEFAULT_QUANT
        return LlamaCppBackend(served, options.queue_size, quant, options.gguf, options.threads, progress), served
    from tunesmith.serve.backends.transformers import TransformersBackend

    backend = TransformersBackend(
        served,
        options.queue_size,
        options.max_batch or 8,
        max_loaded=options.max_loaded_adapters,
        mix_adapters=options.mix_adapters,
    )
    return backend, served


def upstream_backend(options: ServeOptions, progress: Progress = SILENT):
    """Proxy mode: serve MODEL (or --upstream-model, or every model the teacher lists) by forwarding to the teacher."""
    from tunesmith.serve.backends.upstream import UpstreamBackend, check_url, upstream_models

    url = check_url(options.upstream or "")
    if options.adapters or options.adapter_roots:
        flag = "--adapter" if options.adapters else "--adapter-root"
        raise InputError(flag, "proxy mode (--upstream) serves the teacher's models; it loads no adapters")
    if options.backend != "transformers":
        raise InputError(f"--backend {options.backend}", "proxy mode (--upstream) forwards to the teacher instead")
    key_env = options.upstream_key_env or "OPENAI_API_KEY"
    key = os.environ.get(key_env) or None
    if key is None and options.upstream_key_env:
        raise InputError(f"--upstream-key-env {key_env}", f"the environment variable {key_env} is not set")
    if key is None:
        progress.note(f"{key_env} is not set: requests go to {url} without an API key")
    names = [options.model or options.upstream_model or ""]
    if not names[0]:
        names = upstream_models(url, key)
    progress.note(f"Proxy mode: {', '.join(names)} forwarded to {url}")
    return UpstreamBackend(url, names, options.upstream_model, key, queue_size=options.queue_size)


def serve(options: ServeOptions, progress: Progress = SILENT, extend: Callable[[Any], Any] | None = None) -> None:
    """Load, then answer requests until interrupted; `extend(app)` adds to the app first (the web UI does)."""
    import uvicorn

    app, store = build(options, progress)
    if extend is not None:
        extend(app)
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
