"""The `Method` contract: what a fine-tuning method does to a model, with defaults for the hooks most don't need.

Every method module ends with `METHOD = Method(apply=…, …)`, naming the hooks it has; the run calls every hook
through this one typed object, so nothing is looked up by `getattr` and a missing hook is the default below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tunesmith.config.methods import MethodBase

C = TypeVar("C", bound=MethodBase)


@dataclass(frozen=True)
class TrainingPlan:
    """What a method may need to know about the run it is part of."""

    total_steps: int
    learning_rate: float
    weight_decay: float = 0.0


def default_optimizer(model: Any, cfg: Any, plan: TrainingPlan) -> None:
    """None: the trainer's own AdamW over the trainable parameters."""
    return None


def no_callbacks(model: Any, cfg: Any, plan: TrainingPlan) -> list:
    """No per-step work during training."""
    return []


def runs_anywhere(cfg: Any) -> None:
    """No machine requirement to check before loading."""


def no_quantization(cfg: Any) -> None:
    """The base model loads in its own precision."""
    return None


def reloads(cfg: Any) -> bool:
    """The trainer can load the method's checkpoints back (keep-best and resume work)."""
    return True


@dataclass(frozen=True)
class Method(Generic[C]):
    """A fine-tuning method: which parameters train, and what the run must do for that.

    `apply(model, cfg, plan)` makes the right parameters trainable (maybe wrapping the model). `optimizer` builds
    the method's own optimizer (LoRA+ groups, layer-wise rates) or None; `callbacks` are per-step trainer
    callbacks (AdaLoRA's rank allocation). Before anything loads, `preflight(cfg)` raises InputError where this
    machine cannot run it, and `quantization_config(cfg)` says how the base must load (QLoRA's 4-bit).
    `checkpoints_reload(cfg)` is False where PEFT cannot load the checkpoints back (keep-best and resume off);
    `trains_base` marks methods that train the base's own weights (their base is never stored in bf16).
    """

    apply: Callable[[Any, C, TrainingPlan], Any]
    optimizer: Callable[[Any, C, TrainingPlan], Any] = default_optimizer
    callbacks: Callable[[Any, C, TrainingPlan], list] = no_callbacks
    preflight: Callable[[C], None] = runs_anywhere
    quantization_config: Callable[[C], Any] = no_quantization
    checkpoints_reload: Callable[[C], bool] = reloads
    trains_base: bool = False
