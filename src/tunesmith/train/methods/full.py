"""Full fine-tuning: every weight is trained (the most capacity, the most memory and forgetting)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import MethodConfig

TRAINS_BASE = True  # its output holds base weights: they stay float32


class Config(MethodConfig):
    name: Literal["full"] = "full"
    layer_lr_decay: float = Field(1.0, gt=0, le=1)  # < 1: each layer below the top learns this much slower


def apply(model, cfg: Config, plan=None):
    """Mark every parameter trainable."""
    for param in model.parameters():
        param.requires_grad_(True)
    return model


def optimizer(model, cfg: Config, plan):
    """Layer-wise learning rates when `layer_lr_decay` < 1; else None (the trainer's own AdamW)."""
    if cfg.layer_lr_decay == 1.0:
        return None
    from tunesmith.train.methods._layer_lr import layerwise_adamw

    return layerwise_adamw(model, cfg.layer_lr_decay, plan)
