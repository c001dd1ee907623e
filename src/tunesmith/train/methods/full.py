"""Full fine-tuning: every weight is trained (the most capacity, the most memory and forgetting)."""

from __future__ import annotations

from tunesmith.config.methods import FullConfig as Config
from tunesmith.train.methods._layer_lr import layer_lr_optimizer
from tunesmith.train.methods.base import Method


def apply(model, cfg: Config, plan=None):
    """Mark every parameter trainable."""
    for param in model.parameters():
        param.requires_grad_(True)
    return model


METHOD = Method(apply=apply, optimizer=layer_lr_optimizer, trains_base=True)
