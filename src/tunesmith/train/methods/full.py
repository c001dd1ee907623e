"""Full fine-tuning: every weight is trained (the most capacity, the most memory and forgetting)."""

from __future__ import annotations

from tunesmith.config.methods import FullConfig as Config
from tunesmith.train.methods.base import Method


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


METHOD = Method(apply=apply, optimizer=optimizer, trains_base=True)
