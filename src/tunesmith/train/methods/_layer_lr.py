"""Layer-wise learning-rate decay: the top decoder layer learns at the base rate, each one below `decay` times slower.

Shared by `full` and `freeze`. Parameters before the first decoder layer (the embeddings) get the lowest rate,
those after the last (final norm, an untied LM head) the base rate. A tied LM head is the embedding matrix, so it
gets the embeddings' rate.
"""

from __future__ import annotations

from tunesmith.models.layers import decoder_layers


def layer_depths(model) -> dict[str, int]:
    """Each trainable parameter's distance below the top: 0 for the top layer and above, len(layers) for embeddings."""
    layers = decoder_layers(model)
    layer_of = {id(p): i for i, layer in enumerate(layers) for p in layer.parameters()}
    top = len(layers) - 1
    depths, seen_layer = {}, False
    for name, param in model.named_parameters():
        if id(param) in layer_of:
            seen_layer = True
            depth = top - layer_of[id(param)]
        else:
            depth = 0 if seen_layer else len(layers)
        if param.requires_grad:
            depths[name] = depth
    return depths


def layerwise_adamw(model, decay: float, plan):
    """AdamW with one parameter group per (depth, decays-or-not); weight decay only on matrices, as is usual."""
    import torch

    params = dict(model.named_parameters())
    groups: dict[tuple[int, bool], dict] = {}
    for name, depth in layer_depths(model).items():
        param = params[name]
        decays = param.ndim >= 2
        group = groups.setdefault(
            (depth, decays),
            {
                "params": [],
                "lr": plan.learning_rate * decay**depth,
                "weight_decay": plan.weight_decay if decays else 0.0,
                "depth": depth,
            },
        )
        group["params"].append(param)
    return torch.optim.AdamW(list(groups.values()), lr=plan.learning_rate)


def layer_lr_optimizer(model, cfg, plan):
    """The `optimizer` of full and freeze: layer-wise rates when `cfg.layer_lr_decay` < 1; else None (AdamW)."""
    return None if cfg.layer_lr_decay == 1.0 else layerwise_adamw(model, cfg.layer_lr_decay, plan)
