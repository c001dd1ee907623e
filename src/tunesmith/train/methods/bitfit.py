"""BitFit: train only the bias terms; everything else stays fixed (saved as a whole model, like `freeze`)."""

from __future__ import annotations

from tunesmith.config.methods import BitfitConfig as Config
from tunesmith.errors import InputError
from tunesmith.train.methods.base import Method


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


METHOD = Method(apply=apply, trains_base=True)
