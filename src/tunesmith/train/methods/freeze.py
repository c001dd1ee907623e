"""Freeze tuning: train only the last N transformer layers and/or named modules; the rest stays fixed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import MethodConfig
from tunesmith.errors import InputError

TRAINS_BASE = True  # its output holds base weights: they stay float32


class Config(MethodConfig):
    name: Literal["freeze"] = "freeze"
    trainable_layers: int = Field(2, ge=0)
    trainable_modules: list[str] = Field(default_factory=list)
    layer_lr_decay: float = Field(1.0, gt=0, le=1)  # < 1: each layer below the top learns this much slower


def apply(model, cfg: Config, plan=None):
    """Freeze all, then unfreeze the top `trainable_layers` layers and parameters named in `trainable_modules`."""
    for param in model.parameters():
        param.requires_grad_(False)
    layers = decoder_layers(model)
    if cfg.trainable_layers > len(layers):
        raise InputError("method.trainable_layers", f"model has only {len(layers)} layers, got {cfg.trainable_layers}")
    for layer in layers[len(layers) - cfg.trainable_layers :]:
        for param in layer.parameters():
            param.requires_grad_(True)
    for name, param in model.named_parameters():
        if any(part in name for part in cfg.trainable_modules):
            param.requires_grad_(True)
    if not any(p.requires_grad for p in model.parameters()):
        raise InputError("method", "nothing left to train: set trainable_layers > 0 or name trainable_modules")
    return model


def decoder_layers(model):
    """The model's stack of transformer blocks (the longest ModuleList named like `layers` or `h`)."""
    import torch

    stacks = [
        module
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.ModuleList) and name.split(".")[-1] in {"layers", "h", "blocks", "layer"}
    ]
    if not stacks:
        raise InputError("method", "could not find the model's transformer layers to freeze")
    return max(stacks, key=len)


def optimizer(model, cfg: Config, plan):
    """Layer-wise learning rates when `layer_lr_decay` < 1; else None (the trainer's own AdamW)."""
    if cfg.layer_lr_decay == 1.0:
        return None
    from tunesmith.train.methods._layer_lr import layerwise_adamw

    return layerwise_adamw(model, cfg.layer_lr_decay, plan)
