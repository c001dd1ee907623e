"""Freeze tuning: train only the last N transformer layers and/or named modules; the rest stays fixed."""

from __future__ import annotations

from tunesmith.config.methods import FreezeConfig as Config
from tunesmith.errors import InputError
from tunesmith.models.layers import decoder_layers
from tunesmith.train.methods._layer_lr import layer_lr_optimizer
from tunesmith.train.methods.base import Method


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


METHOD = Method(apply=apply, optimizer=layer_lr_optimizer, trains_base=True)
