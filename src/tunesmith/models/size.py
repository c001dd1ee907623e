"""A model's parameter count without loading its weights: built from its config on the meta device."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8)
def parameter_count(model_path: str) -> int:
    """Parameters of the causal LM at `model_path` (a local folder), tied weights counted once."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(model_path)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    return sum(p.numel() for p in model.parameters())
