"""Where a causal LM keeps its parts: the stack of decoder layers (for freezing, adapters, layer-wise rates)."""

from __future__ import annotations

from tunesmith.errors import InputError


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
