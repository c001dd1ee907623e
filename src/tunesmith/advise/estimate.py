"""`estimate(request, device, workload)`: will this fine-tune fit, how fast will it run, what will it cost."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from tunesmith.advise.hardware import Device, Gpu, cpu_device, gpu_device
from tunesmith.advise.memory import Term, memory_terms, peak_bytes
from tunesmith.advise.plan import Batch, Setup, resolve_setup
from tunesmith.advise.shape import ModelShape, inspect_model, model_config
from tunesmith.advise.speed import Flops, batch_flops, step_seconds
from tunesmith.advise.workload import Workload, from_numbers
from tunesmith.config import DEFAULT_MODEL
from tunesmith.config.methods import LoraConfig, MethodBase
from tunesmith.errors import InputError

STAGES = ("sft", "pretrain")  # the stages whose steps are modelled: one forward and backward over the batch
TIGHT = 0.10  # less headroom than this share of the device's memory is called tight
SHORT_GPU_STEP = 0.25  # seconds: GPU steps shorter than this are bound by launches and data loading, not FLOPs


@dataclass(frozen=True)
class Request:
    """The run to estimate: what a recipe says (model, method, train settings), or the same from CLI options."""

    model: str = DEFAULT_MODEL
    method: MethodBase = field(default_factory=LoraConfig)
    stage: str = "sft"
    max_length: int = 1024
    batch_size: int = 8
    gradient_accumulation: int = 1
    checkpointing: bool = False
    precision: str = "auto"
    frozen_weights: str = "auto"
    pad_to_multiple_of: int | None = 8
    epochs: float | str = "auto"  # "auto": as training resolves it from the examples (train/auto.py)
    max_steps: int = -1
    seed: int = 42


@dataclass(frozen=True)
class Estimate:
    """The answer: memory terms and whether they fit, the FLOP formula, step time, total time and cost."""

    model: str
    method: str
    device: Device
    setup: Setup
    total_params: int
    trainable_params: int
    peak_batch: Batch
    terms: list[Term]
    peak_bytes: int
    fits: bool
    headroom_bytes: int
    flops: Flops  # of the mean micro-batch
    flops_per_token: float
    step_seconds: float
    tokens_per_second: float
    steps: int
    train_seconds: float
    workload: str
    examples: int
    cost: float | None = None
    price_per_hour: float | None = None
    notes: list[str] = field(default_factory=list)


def estimate(
    request: Request,
    device: Device | Gpu | str = "cpu",
    workload: Workload | None = None,
    price_per_hour: float | None = None,
    config: Any = None,
) -> Estimate:
    """Estimate `request` on `device` ("cpu": this machine, measured now; a GPU from the table; or a Device).

    `workload` defaults to 1,000 examples of `max_length` tokens; `config` (a transformers config) skips reading
    the model's config.json."""
    from tunesmith.train.methods import find_method

    if request.stage not in STAGES:
        raise InputError("stage", f"advise models the {' and '.join(STAGES)} stages; got '{request.stage}'")
    shape = inspect_model(config if config is not None else model_config(request.model), request.method)
    device_kind = "cpu" if device == "cpu" or (isinstance(device, Device) and device.kind == "cpu") else "cuda"
    bf16 = _bf16(device)
    setup = resolve_setup(
        device_kind,
        bf16,
        request.method.name,
        find_method(request.method.name).trains_base,
        request.precision,
        request.frozen_weights,
        request.checkpointing,
        shape.prompt_learning,
        request.stage,
    )
    hardware = _device(device, setup)
    work = workload or from_numbers(1000, request.max_length, request.batch_size, request.max_length)
    by_batch = ((b, memory_terms(shape, setup, b)) for b in work.batches)
    peak_batch, terms = max(by_batch, key=lambda pair: peak_bytes(pair[1]))
    peak = peak_bytes(terms)
    mean_flops = _mean_flops(shape, setup, work.batches)
    step = step_seconds(mean_flops.total, request.gradient_accumulation, shape.trainable_params, hardware)
    steps = planned_steps(request, work.examples)
    tokens_per_step = work.mean_tokens * request.gradient_accumulation
    seconds = steps * step
    return Estimate(
        model=request.model,
        method=request.method.name,
        device=hardware,
        setup=setup,
        total_params=shape.total_params,
        trainable_params=shape.trainable_params,
        peak_batch=peak_batch,
        terms=terms,
        peak_bytes=peak,
        fits=peak <= hardware.memory_bytes,
        headroom_bytes=hardware.memory_bytes - peak,
        flops=mean_flops,
        flops_per_token=mean_flops.total / work.mean_tokens,
        step_seconds=step,
        tokens_per_second=tokens_per_step / step,
        steps=steps,
        train_seconds=seconds,
        workload=work.source,
        examples=work.examples,
        cost=None if price_per_hour is None else seconds / 3600 * price_per_hour,
        price_per_hour=price_per_hour,
        notes=_notes(shape, setup, hardware, peak, step),
    )


def planned_steps(request: Request, examples: int) -> int:
    """Optimizer steps, as training counts them (tunesmith.train.setup.training_plan)."""
    if request.max_steps > 0:
        return request.max_steps
    from tunesmith.train.auto import epochs_for

    epochs = epochs_for(examples) if request.epochs == "auto" else request.epochs
    per_epoch = max(1, math.ceil(examples / request.batch_size) // request.gradient_accumulation)
    return max(1, math.ceil(per_epoch * epochs))


def _bf16(device: Device | Gpu | str) -> bool:
    if isinstance(device, (Device, Gpu)):
        return device.bf16
    from tunesmith.train.precision import cpu_supports_bf16

    return cpu_supports_bf16()


def _device(device: Device | Gpu | str, setup: Setup) -> Device:
    if isinstance(device, Device):
        return device
    if isinstance(device, Gpu):
        return gpu_device(device, setup.optimizer)
    return cpu_device(setup.precision)


def _mean_flops(shape: ModelShape, setup: Setup, batches: tuple[Batch, ...]) -> Flops:
    """The FLOPs of the average micro-batch, with the formula of the most common batch shape."""
    each = [batch_flops(shape, setup, b) for b in batches]
    n = len(each)
    common = max(set(b.length for b in batches), key=[b.length for b in batches].count)
    formula = next(f.formula for f, b in zip(each, batches) if b.length == common)
    return Flops(
        forward=sum(f.forward for f in each) / n,
        backward=sum(f.backward for f in each) / n,
        recompute=sum(f.recompute for f in each) / n,
        head=sum(f.head for f in each) / n,
        formula=f"mean over {n} batches; the most common ({common} tokens per row): {formula}",
    )


def _notes(shape: ModelShape, setup: Setup, device: Device, peak: int, step: float) -> list[str]:
    notes = []
    if setup.optimizer == "paged_adamw_8bit":
        notes.append("QLoRA's paged optimizer moves its state to CPU memory when the GPU runs short")
    if 0 <= device.memory_bytes - peak < TIGHT * device.memory_bytes:
        notes.append(f"tight: under {TIGHT:.0%} headroom; allocator fragmentation may not fit")
    if device.kind == "cuda":
        notes.append("GPU estimates are checked only against published figures (docs/advise.md)")
    if device.kind == "cuda" and step < SHORT_GPU_STEP:
        notes.append("steps this short are bound by kernel launches and data loading, not FLOPs: expect slower")
    if shape.graph_layers < shape.layers:
        notes.append(f"backward runs through the top {shape.graph_layers} of {shape.layers} blocks only")
    return notes
