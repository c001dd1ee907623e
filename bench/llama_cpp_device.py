"""On-device figures for the default model in llama.cpp: file size, peak memory, prompt and generation tokens/s.

    python bench/llama_cpp_device.py [--quants f16,q8_0,q4_0,q4_k_m] [--threads 1,2] [--repeats 3]

Each quant of smollm2-135m is converted once with llama.cpp's converter and quantizer (the llama.cpp backend's
cache, $TUNESMITH_HOME/gguf). Each (quant, threads) pair then runs in a fresh Python process, so
its peak memory is its own (VmHWM of /proc/self/status, which exec resets; ru_maxrss would carry the parent's
high-water mark over): the process first imports llama-cpp-python (the "before load" figure: Python, numpy and the
library), loads the GGUF with a 2048-token context, evaluates a 64-token prompt and
generates 128 tokens greedily (argmax of llama.cpp's logits, token by token, as the llama.cpp serving backend
does), once to warm up and then `--repeats` times. Tokens/s is the median over the repeats, with the range.
Run it on an otherwise idle machine: other work on the cores changes every tokens/s figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

PROMPT_TOKENS = 64
NEW_TOKENS = 128
CONTEXT = 2048


def child(path: str, threads: int, repeats: int) -> None:
    """Measure one GGUF at one thread count in this process; print one JSON line."""
    import numpy as np

    from tunesmith.export.gguf_runtime import last_logits, load_gguf

    before = peak_kb()
    started = time.perf_counter()
    llm = load_gguf(path, n_threads=threads, n_ctx=CONTEXT)
    load_seconds = time.perf_counter() - started
    text = "The quick brown fox jumps over the lazy dog. " * 40
    prompt = llm.tokenize(text.encode(), add_bos=False)[:PROMPT_TOKENS]
    prompt_rates, generation_rates = [], []
    for run in range(repeats + 1):
        llm.reset()
        started = time.perf_counter()
        llm.eval(prompt)
        prompt_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(NEW_TOKENS):  # the llama.cpp backend's own loop: argmax of the last logits, evaluate it
            llm.eval([int(np.argmax(last_logits(llm)))])
        generation_seconds = time.perf_counter() - started
        if run:  # the first run warms caches and is not counted
            prompt_rates.append(PROMPT_TOKENS / prompt_seconds)
            generation_rates.append(NEW_TOKENS / generation_seconds)
    peak = peak_kb()
    llm.close()
    print(
        json.dumps(
            {
                "load_s": load_seconds,
                "before_kb": before,
                "peak_kb": peak,
                "prompt": prompt_rates,
                "generation": generation_rates,
            }
        )
    )


def peak_kb() -> int:
    """This process's peak resident memory so far, in kB (Linux's VmHWM)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def measure(path, threads: int, repeats: int) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--threads", str(threads), "--repeats", str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measuring {path} with {threads} thread(s) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rate(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quants", default="f16,q8_0,q4_0,q4_k_m")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, int(args.threads), args.repeats)
        return

    from tunesmith.export.llama_cpp import installed_version
    from tunesmith.models.resolve import resolve_model
    from tunesmith.serve.backends.gguf_files import base_gguf

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"llama-cpp-python {installed_version()}"
    )
    print(f"command: python bench/llama_cpp_device.py {' '.join(sys.argv[1:])}")
    print(
        f"smollm2-135m, context {CONTEXT}, prompt {PROMPT_TOKENS} tokens, {NEW_TOKENS} generated greedily; "
        f"tokens/s: median (min-max) of {args.repeats} runs after a warm-up\n"
    )
    base = resolve_model("smollm2-135m")
    header = [
        "quant",
        "file MB",
        "threads",
        "load s",
        "RSS before load MB",
        "peak RSS MB",
        "prompt tok/s",
        "generate tok/s",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    paths = {quant: base_gguf(base, quant) for quant in args.quants.split(",")}  # every conversion first
    for quant, path in paths.items():
        size = os.path.getsize(path) / 1e6
        for threads in (int(t) for t in args.threads.split(",")):
            found = measure(path, threads, args.repeats)
            row = [
                quant,
                f"{size:.1f}",
                str(threads),
                f"{found['load_s']:.2f}",
                f"{found['before_kb'] / 1024:.0f}",
                f"{found['peak_kb'] / 1024:.0f}",
                rate(found["prompt"]),
                rate(found["generation"]),
            ]
            print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
