"""BitFit: train only the bias terms; everything else stays fixed (saved as a whole model, like `freeze`)."""

from __future__ import annotations

from typing import Literal

from tunesmith.config import MethodConfig
from tunesmith.errors import InputError

TRAINS_BASE = True  # its output holds base weights: they stay float32


class Config(MethodConfig):
    name: Literal["bitfit"] = "bitfit"


def apply(model, cfg: Config, plan=None):
    """Freeze every weight except those named `*.bias`; a model with no biases is an error, not a silent no-op."""
    biases = [param for name, param in model.named_parameters() if name.endswith(".bias")]
    if not biases:
        raise InputError(
            "method.name",
            "bitfit trains only bias terms, and this model has none (Llama-style models such as SmolLM2 use no "
            "biases); choose another method, e.g. lora, ia3 or ln_tuning",
        )
    for param in model.parameters():
        param.requires_grad_(False)
    for param in biases:
        param.requires_grad_(True)
    return model
