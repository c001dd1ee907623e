"""LoRA through PEFT, with its DoRA, rsLoRA, PiSSA/OLoRA-initialised and LoRA+ variants."""

from __future__ import annotations

from tunesmith.config.methods import LoraConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config):
    """The PEFT `LoraConfig` for these recipe keys (names kept as PEFT's, `alpha` → `lora_alpha`)."""
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.r,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        target_modules=cfg.target_modules,
        use_dora=cfg.use_dora,
        use_rslora=cfg.use_rslora,
        init_lora_weights=cfg.init_lora_weights,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with LoRA adapters; only the adapters (and `modules_to_save`) train.

    PiSSA and OLoRA move the top singular directions of each weight into the adapter and train from there; PEFT
    redoes that split from the base weights when the adapter is loaded back, so the saved adapter needs the same base.
    """
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))


def optimizer(model, cfg: Config, plan):
    """LoRA+: AdamW where every `lora_B` matrix learns `loraplus_lr_ratio` times faster than `lora_A`; else None."""
    if cfg.loraplus_lr_ratio is None:
        return None
    import torch

    return loraplus(model, torch.optim.AdamW, cfg, plan)


def loraplus(model, optimizer_class, cfg: Config, plan):
    """PEFT's LoRA+ optimizer of `optimizer_class` (B matrices at `loraplus_lr_ratio` times the rate)."""
    from peft.optimizers import create_loraplus_optimizer

    return create_loraplus_optimizer(
        model,
        optimizer_class,
        lr=plan.learning_rate,
        loraplus_lr_ratio=cfg.loraplus_lr_ratio,
        loraplus_weight_decay=plan.weight_decay,
    )


METHOD = Method(apply=apply, optimizer=optimizer)
