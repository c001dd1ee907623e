"""Fine-tuning methods, one module each, found by name: `Config` (its recipe keys) and `apply(model, cfg)`."""

from __future__ import annotations

import importlib
import pkgutil

METHODS: tuple[str, ...] = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


def apply_method(model, cfg):
    """Make the right parameters of `model` trainable for method `cfg.name`; returns the (maybe wrapped) model."""
    return importlib.import_module(f"{__name__}.{cfg.name}").apply(model, cfg)


def count_parameters(model) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return trainable, total
