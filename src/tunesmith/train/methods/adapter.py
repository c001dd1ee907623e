"""Bottleneck adapters (Houlsby et al.): small trained blocks after each layer's attention and MLP; base frozen."""

from __future__ import annotations

from tunesmith.config.methods import AdapterConfig as Config
from tunesmith.train.methods.base import Method


def apply(model, cfg: Config, plan=None):
    """Freeze `model`, add zero-initialised adapters, and wrap it so checkpoints save only the adapters."""
    from tunesmith.models.bottleneck import BottleneckAdapterModel, add_adapters

    for param in model.parameters():
        param.requires_grad_(False)
    settings = {**cfg.model_dump(exclude={"name"}), "format": "tunesmith-bottleneck-adapter", "version": 1}
    add_adapters(model, settings)
    return BottleneckAdapterModel(model, settings)


METHOD = Method(apply=apply)
