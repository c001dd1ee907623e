"""Fine-tuning methods, one module each, found by name.

A method module defines `Config` (its recipe keys under `method:`) and `apply(model, cfg, plan) -> model`, which
makes the right parameters trainable (maybe wrapping the model). It may also define
`optimizer(model, cfg, plan) -> torch.optim.Optimizer` (its own parameter groups, e.g. LoRA+ or layer-wise
learning rates) and `callbacks(model, cfg, plan) -> list[TrainerCallback]` (per-step work such as AdaLoRA's
rank allocation). Optional hooks the run calls before loading anything: `preflight(cfg)` (fail fast, e.g. QLoRA
without a GPU) and `quantization_config(cfg)` (how the base model must be loaded, e.g. 4-bit). A module that sets
`CHECKPOINTS_RELOAD = False` (or defines `checkpoints_reload(cfg)`) cannot load its own checkpoints back into a
training model, so keep-best and resume must be off for it. `TRAINS_BASE = True` marks methods that train the base
model's own weights (their base is never stored in bf16).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

METHODS: tuple[str, ...] = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


@dataclass(frozen=True)
class TrainingPlan:
    """What a method may need to know about the run it is part of."""

    total_steps: int
    learning_rate: float
    weight_decay: float = 0.0


def _module(cfg):
    return importlib.import_module(f"{__name__}.{cfg.name}")


def apply_method(model, cfg, plan: TrainingPlan | None = None):
    """Make the right parameters of `model` trainable for method `cfg.name`; returns the (maybe wrapped) model."""
    return _module(cfg).apply(model, cfg, plan or TrainingPlan(total_steps=1, learning_rate=2e-4))


def method_optimizer(model, cfg, plan: TrainingPlan):
    """The method's own optimizer, or None for the trainer's default AdamW."""
    build = getattr(_module(cfg), "optimizer", None)
    return build(model, cfg, plan) if build else None


def method_callbacks(model, cfg, plan: TrainingPlan) -> list:
    """Trainer callbacks the method needs during training (most need none)."""
    build = getattr(_module(cfg), "callbacks", None)
    return list(build(model, cfg, plan)) if build else []


def method_preflight(cfg) -> None:
    """Raise InputError now, before data or model loading, if this machine cannot run method `cfg.name`."""
    check = getattr(_module(cfg), "preflight", None)
    if check:
        check(cfg)


def method_quantization(cfg):
    """The `quantization_config` the base model must be loaded with for this method, or None."""
    build = getattr(_module(cfg), "quantization_config", None)
    return build(cfg) if build else None


def method_checkpoints_reload(cfg) -> bool:
    """Whether the trainer can load this method's checkpoints back (for keep-best and resume)."""
    module = _module(cfg)
    check = getattr(module, "checkpoints_reload", None)
    return check(cfg) if check else getattr(module, "CHECKPOINTS_RELOAD", True)


def method_trains_base(cfg) -> bool:
    """Whether the method trains the base model's own weights (full, freeze, bitfit), so its output contains them."""
    return getattr(_module(cfg), "TRAINS_BASE", False)


def count_parameters(model) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return trainable, total
