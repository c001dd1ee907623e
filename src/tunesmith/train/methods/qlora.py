"""QLoRA: LoRA on a base model held in 4-bit NF4 (double-quantised), trained with a paged 8-bit AdamW. CUDA only.

The base is quantised as it loads (`quantization_config(cfg)` goes to `from_pretrained`), so the run must ask for it
before loading; `preflight(cfg)` stops at once, before any loading, where there is no CUDA GPU or no bitsandbytes.
The saved adapter is an ordinary LoRA adapter: chat, eval and `export merge` use it on the full-precision base.
"""

from __future__ import annotations

import importlib.util

from tunesmith.config.methods import QloraConfig as Config
from tunesmith.errors import InputError
from tunesmith.train.methods import lora
from tunesmith.train.methods.base import Method


def preflight(cfg: Config) -> None:
    """Fail fast, before any data or model is loaded, where 4-bit training cannot run."""
    import torch

    if not torch.cuda.is_available():
        raise InputError(
            "method.name",
            "qlora needs a CUDA GPU (bitsandbytes' 4-bit kernels run only there) and this machine has none; "
            "use method lora on CPU",
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise InputError("method.name", "qlora needs the bitsandbytes package: pip install bitsandbytes")


def quantization_config(cfg: Config):
    """The `BitsAndBytesConfig` to pass to `from_pretrained`: 4-bit weights, compute in `bnb_4bit_compute_dtype`."""
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type=cfg.bnb_4bit_quant_type,
        bnb_4bit_use_double_quant=cfg.bnb_4bit_use_double_quant,
        bnb_4bit_compute_dtype=getattr(torch, cfg.bnb_4bit_compute_dtype),
    )


def apply(model, cfg: Config, plan=None):
    """Prepare the 4-bit base for training (norms in fp32, input grads on) and put LoRA adapters on it."""
    from peft import prepare_model_for_kbit_training

    from tunesmith.train.methods._peft import wrap

    preflight(cfg)
    if not getattr(model, "is_loaded_in_4bit", False):
        raise InputError(
            "method.name", "qlora needs the base model loaded in 4-bit (load_model(quantization_config=…))"
        )
    # checkpointing stays the recipe's choice (train.activation_checkpointing), not switched on here
    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    model.enable_input_require_grads()
    return wrap(model, lora.peft_config(cfg))


def optimizer(model, cfg: Config, plan):
    """Paged 8-bit AdamW (its state pages out to CPU memory under pressure); LoRA+ groups when asked for."""
    import bitsandbytes as bnb

    if cfg.loraplus_lr_ratio is not None:
        return lora.loraplus(model, bnb.optim.PagedAdamW8bit, cfg, plan)
    params = [p for p in model.parameters() if p.requires_grad]
    return bnb.optim.PagedAdamW8bit(params, lr=plan.learning_rate, weight_decay=plan.weight_decay)


METHOD = Method(apply=apply, optimizer=optimizer, preflight=preflight, quantization_config=quantization_config)
