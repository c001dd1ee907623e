"""LoRA through PEFT, with its DoRA, rsLoRA, PiSSA/OLoRA-initialised and LoRA+ variants."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from tunesmith.config import MethodConfig

# PEFT initialisations that need no data or extra config and reload exactly: PEFT redoes PiSSA's / OLoRA's split of
# the base weights when it loads the adapter, so only the deterministic ones are offered (no `pissa_niter_N`).
INIT_CHOICES = ("gaussian", "orthogonal", "pissa", "olora")


class Config(MethodConfig):
    name: Literal["lora"] = "lora"
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str | list[str] = "all-linear"
    use_dora: bool = False
    use_rslora: bool = False
    init_lora_weights: bool | str = True
    loraplus_lr_ratio: float | None = Field(None, ge=1)
    modules_to_save: list[str] | None = None

    @field_validator("init_lora_weights")
    @classmethod
    def _known_init(cls, value: bool | str) -> bool | str:
        if isinstance(value, bool) or value in INIT_CHOICES:
            return value
        if re.fullmatch(r"pissa_niter_\d+", value):
            raise ValueError(
                "pissa_niter_N (randomised SVD) cannot be reloaded exactly: PEFT redoes the split with new random "
                "numbers when it loads the adapter; use pissa (exact SVD)"
            )
        raise ValueError(f"expected true, false, {', '.join(INIT_CHOICES)}")


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
    from peft.optimizers import create_loraplus_optimizer

    return create_loraplus_optimizer(
        model,
        torch.optim.AdamW,
        lr=plan.learning_rate,
        loraplus_lr_ratio=cfg.loraplus_lr_ratio,
        loraplus_weight_decay=plan.weight_decay,
    )
