"""Many registered adapters, a small working set: cold-load and warm latency, and memory, of the transformers backend.

    python bench/serve_many_adapters.py [--model smollm2-135m] [--registered 200] [--max-loaded 8] [--requests 300]
                                        [--hot 6] [--hot-share 0.8] [--max-tokens 8]

Makes one LoRA adapter for the model (r=8 on every linear layer, random non-zero weights) and `--registered` copies
of it with perturbed weights (each its own folder, so each is read from disk), in a child process (its memory does
not count). Then, in process (no HTTP), serves them with `max_loaded=--max-loaded` and sends `--requests` greedy
completions one at a time: `--hot-share` of them to `--hot` popular adapters, the rest to any registered adapter,
uniformly (seed 0). A request is "cold" when its adapter was not attached when it was sent (its latency includes
attaching it, and detaching the least recently used one), else "warm". The table gives p50/p95 latency of each, the
backend's start-up time, the RSS after start-up (and two base requests, which page the base's weights in) and the
peak RSS while serving the requests (the kernel's high-water mark, reset once start-up is done). `--max-loaded 0`
attaches every adapter at start-up (no working set), for comparison. Pin it for stable numbers:
`taskset -c 1 python bench/...`.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tunesmith.models.resolve import resolve_model
from tunesmith.serve.adapters import plan
from tunesmith.serve.backends.base import Finish, GenerationRequest, Sampling

PROMPTS = ["What is the capital of France?", "Name three primary colors.", "What do bees make?", "2 + 3 ="]


def make_adapters(base: str, count: int, folder: Path) -> None:
    """One random LoRA adapter, then `count` copies of it with perturbed weights: folder/a0 … folder/a{count-1}."""
    import shutil

    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import load_file, save_file
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    config = LoraConfig(r=8, lora_alpha=8, target_modules="all-linear", init_lora_weights="gaussian")
    peft = get_peft_model(AutoModelForCausalLM.from_pretrained(base), config)
    with torch.no_grad():
        for name, param in peft.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.02)
    peft.save_pretrained(folder / "seed")
    weights = load_file(str(folder / "seed" / "adapter_model.safetensors"))
    for i in range(count):
        generator = torch.Generator().manual_seed(i)
        out = folder / f"a{i}"
        out.mkdir()
        shutil.copy(folder / "seed" / "adapter_config.json", out)
        noisy = {k: v + 0.002 * torch.randn(v.shape, generator=generator) for k, v in weights.items()}
        save_file(noisy, str(out / "adapter_model.safetensors"))


def status_mib(field: str) -> float:
    """A memory line of /proc/self/status (VmRSS: now, VmHWM: peak since start or the last reset), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Start the peak RSS (VmHWM) afresh from the current RSS (Linux: write 5 to clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


def schedule(args, names: list[str]) -> list[str]:
    """Which adapter each request goes to: mostly the hot few, the rest spread over all."""
    rng = random.Random(0)
    hot = names[: args.hot]
    return [rng.choice(hot) if rng.random() < args.hot_share else rng.choice(names) for _ in range(args.requests)]


async def run(backend, order: list[str], max_tokens: int) -> dict[str, list[float]]:
    """Send each request alone; latency (s) by whether its adapter was attached when it was sent."""
    latencies: dict[str, list[float]] = {"cold": [], "warm": []}
    for i, name in enumerate(order):
        warm = name == backend.base_name or backend.adapters[name].slot in backend.attached
        request = GenerationRequest(
            name, max_tokens=max_tokens, prompt=PROMPTS[i % len(PROMPTS)], sampling=Sampling(0.0)
        )
        start = time.perf_counter()
        async for event in backend.submit(request):
            if isinstance(event, Finish):
                break
        latencies["warm" if warm else "cold"].append(time.perf_counter() - start)
    return latencies


def p(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]:.0f}"


def measure(served, args, order: list[str], max_loaded: int | None) -> dict:
    from tunesmith.serve.backends.transformers import TransformersBackend

    start = time.perf_counter()
    backend = TransformersBackend(served, max_loaded=max_loaded)
    startup = time.perf_counter() - start
    backend.start()
    try:
        asyncio.run(run(backend, [backend.base_name] * 2, args.max_tokens))  # warm-up: the base's weights page in
        warmed = status_mib("VmRSS")
        reset_peak()
        latencies = asyncio.run(run(backend, order, args.max_tokens))
        attached = len(backend.attached)
    finally:
        backend.close()
    return {
        "startup": startup,
        "rss": warmed,
        "peak": status_mib("VmHWM"),
        "latencies": latencies,
        "attached": attached,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--registered", type=int, default=200)
    parser.add_argument("--max-loaded", type=int, default=8, help="0: attach every adapter (no working set)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--hot", type=int, default=6)
    parser.add_argument("--hot-share", type=float, default=0.8)
    parser.add_argument("--max-tokens", type=int, default=8)
    args = parser.parse_args()

    import torch

    base = resolve_model(args.model)
    folder = Path(tempfile.mkdtemp(prefix="many-adapters-"))
    maker = multiprocessing.get_context("spawn").Process(target=make_adapters, args=(base, args.registered, folder))
    maker.start()
    maker.join()
    names = [f"a{i}" for i in range(args.registered)]
    served = plan(base, [(name, str(folder / name)) for name in names])
    order = schedule(args, names)
    label = f"working set {args.max_loaded}" if args.max_loaded else "all attached"
    results = [(label, measure(served, args, order, args.max_loaded or None))]

    print(
        f"model {args.model} ({base}), CPU {platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} core(s) usable, torch threads {torch.get_num_threads()}, "
        f"python {sys.version.split()[0]}"
    )
    print(
        f"{args.registered} registered LoRA adapters (r=8 all-linear, perturbed copies of one random adapter); "
        f"{args.requests} greedy requests one at a time, max_tokens {args.max_tokens}, "
        f"{args.hot_share:.0%} to {args.hot} hot adapters, the rest uniform over all"
    )
    print()
    print(
        "| serving | requests cold / warm | cold p50 / p95 ms | warm p50 / p95 ms | start-up s | "
        "RSS after start-up MiB | peak RSS serving MiB | attached at end |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, r in results:
        cold, warm = r["latencies"]["cold"], r["latencies"]["warm"]
        print(
            f"| {label} | {len(cold)} / {len(warm)} | {p(cold, 0.5)} / {p(cold, 0.95)} | {p(warm, 0.5)} / "
            f"{p(warm, 0.95)} | {r['startup']:.1f} | {r['rss']:.0f} | {r['peak']:.0f} | {r['attached']} |"
        )
    if results and results[0][1]["latencies"]["warm"]:
        warm = results[0][1]["latencies"]["warm"]
        print(f"\nwarm mean {1000 * statistics.mean(warm):.0f} ms")


if __name__ == "__main__":
    main()
