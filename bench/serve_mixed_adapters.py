"""Throughput of the transformers backend when concurrent clients use many LoRA adapters at once vs one adapter.

    python bench/serve_mixed_adapters.py [--model smollm2-135m] [--clients 32] [--adapters 8] [--requests 2]
                                         [--max-tokens 16] [--max-batch 8] [--repeats 3] [--before COMMIT]

Makes `--adapters` LoRA adapters (r=8 on every linear layer, random non-zero weights, seeds 0..n-1) for the model,
then, in process (no HTTP), runs `--clients` concurrent clients that each send `--requests` greedy completions one
after another: once spread round-robin over all adapters ("mixed"), once all on the first adapter ("one adapter").
It does so with the backend told to mix (`mix_adapters=True`: rows of different plain LoRA adapters share one
`generate` call through PEFT's per-row `adapter_names`), with it told not to mix (`mix_adapters=False`, the default:
requests batch per adapter), and with the
backend of commit `--before` (requests batch per adapter), loaded from git.
Each measurement is repeated `--repeats` times after one warm-up, all of them interleaved in each round; the table gives
requests/s and tokens/s (median, min-max) and the mixed / one-adapter ratio. Pin it for stable numbers:
`taskset -c 1 python bench/...`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tunesmith.models.resolve import resolve_model
from tunesmith.serve.adapters import plan
from tunesmith.serve.backends.base import Finish, GenerationRequest, Sampling

BEFORE = "1193da77ef93991bd7ad5d057067bd17adba2386"  # the last commit with per-adapter batching
PROMPTS = ["What is the capital of France?", "Name three primary colors.", "What do bees make?", "2 + 3 ="]


def make_adapters(base: str, count: int, folder: Path) -> list[tuple[str, str]]:
    """`count` random LoRA adapters (r=8, all linear layers) saved under `folder`, as (name, path) pairs."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    found = []
    for i in range(count):
        torch.manual_seed(i)
        model = AutoModelForCausalLM.from_pretrained(base)
        config = LoraConfig(r=8, lora_alpha=8, target_modules="all-linear", init_lora_weights="gaussian")
        peft = get_peft_model(model, config)
        with torch.no_grad():  # B starts at zero: give it small random values so each adapter really differs
            for name, param in peft.named_parameters():
                if "lora_B" in name:
                    param.normal_(0, 0.02)
        peft.save_pretrained(folder / f"lora{i}")
        found.append((f"lora{i}", str(folder / f"lora{i}")))
    return found


def backend_class(commit: str | None):
    """TransformersBackend as it is now, or as it was at `commit` (its module source loaded from git)."""
    if commit is None:
        from tunesmith.serve.backends.transformers import TransformersBackend

        return TransformersBackend
    source = subprocess.run(
        ["git", "show", f"{commit}:src/tunesmith/serve/backends/transformers.py"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "transformers_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("transformers_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TransformersBackend


async def client(backend, models: list[str], index: int, requests: int, max_tokens: int) -> int:
    """Send `requests` greedy completions one after another; return the tokens generated."""
    tokens = 0
    for r in range(requests):
        model = models[index % len(models)]
        prompt = PROMPTS[(index + r) % len(PROMPTS)]
        request = GenerationRequest(model, max_tokens=max_tokens, prompt=prompt, sampling=Sampling(0.0))
        async for event in backend.submit(request):
            if isinstance(event, Finish):
                tokens += event.tokens
    return tokens


async def load(backend, models: list[str], clients: int, requests: int, max_tokens: int) -> tuple[float, float]:
    """(requests/s, tokens/s) of `clients` concurrent clients."""
    start = time.perf_counter()
    done = await asyncio.gather(*(client(backend, models, i, requests, max_tokens) for i in range(clients)))
    seconds = time.perf_counter() - start
    return clients * requests / seconds, sum(done) / seconds


def measure(backends: dict, args, names: list[str]) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Every (backend, load) pair `--repeats` times, the pairs interleaved in each round so drift hits all alike."""
    loads = {"mixed": names, "one": names[:1]}
    found: dict[tuple[str, str], list] = {}
    for backend in backends.values():
        backend.start()
        for models in loads.values():
            asyncio.run(load(backend, models, args.clients, 1, args.max_tokens))  # warm-up
    for _ in range(args.repeats):
        for label, backend in backends.items():
            for kind, models in loads.items():
                result = asyncio.run(load(backend, models, args.clients, args.requests, args.max_tokens))
                found.setdefault((label, kind), []).append(result)
    for backend in backends.values():
        backend.close()
    return found


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):7.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--adapters", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2, help="requests per client per measurement")
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--max-batch", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", default=BEFORE, help="commit whose backend batches per adapter ('' to skip)")
    args = parser.parse_args()

    import torch

    base = resolve_model(args.model)
    folder = Path(tempfile.mkdtemp(prefix="mixed-adapters-"))
    adapters = make_adapters(base, args.adapters, folder)
    served = plan(base, adapters)
    names = [name for name, _ in adapters]
    labels = {
        "after, mixed batches": (None, {"mix_adapters": True}),
        "after, mix_adapters=False": (None, {"mix_adapters": False}),
    }
    if args.before:
        labels["before (per adapter)"] = (args.before, {})
    backends = {
        label: backend_class(commit)(served, queue_size=args.clients * 2, max_batch=args.max_batch, **options)
        for label, (commit, options) in labels.items()
    }
    found = measure(backends, args, names)
    rows = []
    for label in labels:
        mixed, single = found[(label, "mixed")], found[(label, "one")]
        ratio = statistics.median(m[0] for m in mixed) / statistics.median(s[0] for s in single)
        rows.append((label, mixed, single, ratio))

    print(
        f"model {args.model} ({base}), CPU {platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} core(s) usable, torch threads {torch.get_num_threads()}, "
        f"python {sys.version.split()[0]}"
    )
    print(
        f"{args.clients} clients x {args.requests} greedy requests, max_tokens {args.max_tokens}, "
        f"max_batch {args.max_batch}, {args.adapters} LoRA adapters r=8 all-linear; median (min-max) of {args.repeats}"
    )
    print()
    print("| backend | load | requests/s | tokens/s | mixed / one adapter |")
    print("| --- | --- | --- | --- | --- |")
    for label, mixed, single, ratio in rows:
        print(
            f"| {label} | {args.clients} clients on {args.adapters} adapters | {summary([m[0] for m in mixed])} | "
            f"{summary([m[1] for m in mixed])} | {ratio:.2f} |"
        )
        print(
            f"| {label} | {args.clients} clients on 1 adapter | {summary([s[0] for s in single])} | "
            f"{summary([s[1] for s in single])} | |"
        )


if __name__ == "__main__":
    main()
