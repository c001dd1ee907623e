"""Full fine-tuning: every weight is trained (the most capacity, the most memory and forgetting)."""

from __future__ import annotations

from typing import Literal

from tunesmith.config import MethodConfig


class Config(MethodConfig):
    name: Literal["full"] = "full"


def apply(model, cfg: Config, plan=None):
    """Mark every parameter trainable."""
    for param in model.parameters():
        param.requires_grad_(True)
    return model
