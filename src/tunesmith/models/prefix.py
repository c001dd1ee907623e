"""Generating with a prefix-tuning adapter (also P-tuning v2), which `PeftModel.generate` gets wrong.

PEFT 0.21 hands the prefix to `generate` as `past_key_values`, which transformers 5.25 (whose argument is `cache`)
ignores, so the adapter silently answers as the base. Eval and serving both generate here instead: PEFT's own prefix
cache (`get_prompt`) goes in under the name the model's `forward` takes (`cache_argument`), with the prefix's
positions added to the attention mask. `tests/serve/test_adapter_types.py::test_peft_generate_still_drops_prefixes`
fails once PEFT fixes it: the signal to drop this module.
"""

from __future__ import annotations

import inspect
import sys

PREFIX = "PREFIX_TUNING"  # PEFT's type of prefix tuning and P-tuning v2


def is_prefix_model(model) -> bool:
    """Whether `model` is a PeftModel whose active adapter is a key/value prefix."""
    peft = sys.modules.get("peft")  # not imported: no PeftModel exists, and a base model's eval need not import it
    if peft is None or not isinstance(model, peft.PeftModel):
        return False
    return model.active_peft_config.peft_type == peft.PeftType.PREFIX_TUNING


def prefix_inputs(peft_model, batch: dict) -> dict:
    """The active prefix-tuning adapter's key/value prefix as a filled cache, and the attention mask widened to it."""
    import torch

    rows, mask = batch["input_ids"].shape[0], batch["attention_mask"]
    virtual = peft_model.peft_config[peft_model.active_adapter].num_virtual_tokens
    ones = torch.ones(rows, virtual, dtype=mask.dtype, device=mask.device)
    cache = peft_model.get_prompt(batch_size=rows)
    return {"attention_mask": torch.cat([ones, mask], dim=1), cache_argument(peft_model.base_model): cache}


def cache_argument(model) -> str:
    """What `model.forward` calls its key/value cache: `cache` in transformers 5.25, `past_key_values` before."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def generation_inputs(model, batch: dict) -> tuple:
    """(the model whose `generate` to call, the batch for it): a prefix adapter's base with the prefix as its cache,
    any other model as it is."""
    if is_prefix_model(model):
        return model.base_model, {**batch, **prefix_inputs(model, batch)}
    return model, batch
