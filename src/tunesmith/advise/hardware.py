"""The device a run would train on: a GPU from a small table (or given by its numbers), or this machine's CPU,
measured.

A GPU is its memory, its dense 16-bit tensor throughput and its memory bandwidth, from the vendor's datasheet
(dense, no sparsity); the achieved rate is that peak times an assumed model-FLOPs utilisation (`GPU_MFU`), never
measured here. The CPU is measured where advise runs: three seconds of matmuls in the run's dtype on
`torch.get_num_threads()` threads, and one fused AdamW step, times a single efficiency factor (`CPU_EFFICIENCY`)
that bench/advise_check.py set once against measured training steps.
"""

from __future__ import annotations

import difflib
import os
import re
import time
from dataclasses import dataclass

from tunesmith.errors import InputError

GIB = 2**30

# Share of a GPU's dense 16-bit peak a fine-tuning step achieves (model FLOPs utilisation): an assumption, in the
# range reported for single-GPU transformer training without fused kernels (PaLM, Chowdhery et al. 2022, Table 3
# reports 46% MFU on TPU pods with a tuned stack; plain PyTorch/HF training on one GPU is commonly 30–40%).
GPU_MFU = 0.35
# What the CUDA context, kernels and cuBLAS workspaces hold before any tensor: not measured here (no GPU); the
# context alone is 300–600 MiB with recent PyTorch builds.
GPU_OVERHEAD_BYTES = 1 * GIB
# Bytes a fused AdamW step moves per trainable parameter on a GPU: reads param, grad and two fp32 moments (16),
# writes param and moments (12). Paged 8-bit AdamW (QLoRA): 4 + 4 + 2 read, 4 + 2 written.
ADAMW_BYTES = {"adamw": 28, "paged_adamw_8bit": 16}

# Achieved FLOP/s of a training step ÷ the measured 1024³ matmul rate (`matmul_rate`): set once, by
# bench/advise_check.py's calibration run (docs/advise.md, "Calibration"), as the geometric mean of what the lora
# (0.16), full (0.18), freeze (0.23) and ia3 (0.21) quickstart runs implied with the rate measured between their
# steps, on one pinned core, 1 thread, bf16. It is low because most of a CPU step is not matmuls (torch profiler,
# LoRA step: aten::mm 34%, aten::mul 21%, aten::copy_ 12%, the rest norms, softmax, casts, RoPE), and the
# matmuls it has are small.
CPU_EFFICIENCY = 0.19


@dataclass(frozen=True)
class Gpu:
    """One row of the GPU table: as `nvidia-smi` reports its memory, and its datasheet rates."""

    name: str
    memory_gib: float
    tflops: float  # dense bf16 (fp16 where the card has no bf16) tensor-core peak
    bandwidth_gbs: float
    bf16: bool = True
    aliases: tuple[str, ...] = ()


# Datasheet figures (dense): NVIDIA's product pages; the A10G's tensor rate from Baseten's "NVIDIA A10 vs A10G".
GPUS: tuple[Gpu, ...] = (
    Gpu("T4", 15.0, 65, 320, bf16=False),
    Gpu("V100-16GB", 16.0, 125, 900, bf16=False, aliases=("v100",)),
    Gpu("V100-32GB", 32.0, 125, 900, bf16=False),
    Gpu("A10G", 22.5, 70, 600),
    Gpu("A10", 24.0, 125, 600),
    Gpu("L4", 22.5, 121, 300),
    Gpu("RTX-3090", 24.0, 71, 936, aliases=("3090",)),
    Gpu("RTX-4090", 24.0, 165, 1008, aliases=("4090",)),
    Gpu("RTX-A6000", 48.0, 155, 768, aliases=("a6000", "48gb")),
    Gpu("L40S", 45.0, 362, 864),
    Gpu("A100-40GB", 40.0, 312, 1555, aliases=("a100-40",)),
    Gpu("A100-80GB", 80.0, 312, 2039, aliases=("a100", "a100-80")),
    Gpu("H100-80GB", 79.6, 989, 3350, aliases=("h100", "h100-sxm")),
    Gpu("H100-PCIe", 79.6, 756, 2000),
    Gpu("H200", 140.0, 989, 4800, aliases=("h200-141gb",)),
)


@dataclass(frozen=True)
class Device:
    """What the estimate needs of a device: memory, achieved FLOP/s, optimizer cost, and how they were found."""

    name: str
    kind: str  # "cpu" or "cuda"
    memory_bytes: int
    flops_per_second: float  # achieved: peak × MFU (GPU) or measured matmul rate × CPU_EFFICIENCY (CPU)
    peak_flops: float  # GPU datasheet peak, or the CPU's measured matmul rate
    efficiency: float  # GPU_MFU or CPU_EFFICIENCY
    optimizer_seconds_per_param: float  # one AdamW step (with gradient clipping on CPU), per trainable parameter
    bf16: bool
    threads: int | None = None  # CPU: torch threads the measurement used
    note: str = ""


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def find_gpu(name: str) -> Gpu:
    """The table's GPU called `name` (case, spaces and dashes ignored; aliases like `h100`); else an InputError
    with the closest name and the list."""
    by_key = {_key(k): gpu for gpu in GPUS for k in (gpu.name, *gpu.aliases)}
    if _key(name) in by_key:
        return by_key[_key(name)]
    close = difflib.get_close_matches(_key(name), list(by_key), n=1, cutoff=0.5)
    hint = f"; did you mean '{by_key[close[0]].name}'?" if close else ""
    known = ", ".join(gpu.name for gpu in GPUS)
    raise InputError(
        "--device",
        f"unknown GPU '{name}'{hint}; known: cpu, {known}; or give --gpu-memory GiB and --gpu-tflops TF",
    )


def gpu_device(gpu: Gpu, optimizer: str = "adamw") -> Device:
    """A GPU as the estimate sees it: datasheet peak × GPU_MFU; the optimizer step bound by memory bandwidth."""
    return Device(
        name=gpu.name,
        kind="cuda",
        memory_bytes=int(gpu.memory_gib * GIB),
        flops_per_second=gpu.tflops * 1e12 * GPU_MFU,
        peak_flops=gpu.tflops * 1e12,
        efficiency=GPU_MFU,
        optimizer_seconds_per_param=ADAMW_BYTES.get(optimizer, 28) / (gpu.bandwidth_gbs * 1e9),
        bf16=gpu.bf16,
        note=f"datasheet {gpu.tflops:g} TFLOPS dense × assumed MFU {GPU_MFU}",
    )


def custom_gpu(memory_gib: float, tflops: float, bandwidth_gbs: float = 1000.0) -> Gpu:
    """A GPU not in the table, from its numbers (`--gpu-memory`, `--gpu-tflops`, `--gpu-bandwidth`)."""
    if memory_gib <= 0 or tflops <= 0 or bandwidth_gbs <= 0:
        raise InputError("--gpu-memory/--gpu-tflops", "expected positive numbers (GiB, dense TFLOPS, GB/s)")
    return Gpu(f"GPU {memory_gib:g} GiB / {tflops:g} TFLOPS", memory_gib, tflops, bandwidth_gbs)


def cpu_device(dtype: str = "bf16") -> Device:
    """This machine's CPU: memory is physical RAM; the rate is a measured matmul rate × CPU_EFFICIENCY."""
    import torch

    from tunesmith.train.precision import cpu_supports_bf16

    threads = torch.get_num_threads()
    rate = matmul_rate(dtype)
    return Device(
        name=f"cpu ({threads} thread{'s' if threads != 1 else ''})",
        kind="cpu",
        memory_bytes=physical_memory(),
        flops_per_second=rate * CPU_EFFICIENCY,
        peak_flops=rate,
        efficiency=CPU_EFFICIENCY,
        optimizer_seconds_per_param=optimizer_rate(),
        bf16=cpu_supports_bf16(),
        threads=threads,
        note=f"measured {dtype} matmul {rate / 1e9:.0f} GFLOP/s, {threads} thread(s), × efficiency {CPU_EFFICIENCY}",
    )


def physical_memory() -> int:
    """Bytes of RAM (the limit a CPU run's resident memory must stay under)."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def matmul_rate(dtype: str = "bf16", seconds: float = 3.0, tries: int = 12, size: int = 1024) -> float:
    """FLOP/s of `size`³ matmuls in `dtype` on torch's current threads: the best of `tries` timings of about
    `seconds / tries` each, so a dip in the CPU's speed during some of them (other work on the machine, or on the
    virtual machine's host) does not set the rate."""
    import torch

    kind = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]
    a, b = torch.randn(size, size, dtype=kind), torch.randn(size, size, dtype=kind)
    for _ in range(3):
        a @ b  # warm-up: kernels chosen, pages touched
    best = 0.0
    for _ in range(tries):
        runs, started = 0, time.perf_counter()
        while runs < 2 or time.perf_counter() - started < seconds / tries:
            a @ b
            runs += 1
        best = max(best, 2 * size**3 * runs / (time.perf_counter() - started))
    return best


def optimizer_rate(params: int = 8_000_000, repeats: int = 3) -> float:
    """Seconds per parameter of one fused AdamW step plus gradient-norm clipping, as the trainer runs them on CPU."""
    import torch

    weights = [torch.nn.Parameter(torch.zeros(params // 4)) for _ in range(4)]
    for w in weights:
        w.grad = torch.ones_like(w)
    optimizer = torch.optim.AdamW(weights, lr=1e-4, fused=True)
    optimizer.step()  # the moments are made on the first step
    started = time.perf_counter()
    for _ in range(repeats):
        torch.nn.utils.clip_grad_norm_(weights, 1.0)
        optimizer.step()
    return (time.perf_counter() - started) / repeats / params
