"""LoRA (and its DoRA / rsLoRA variants) through PEFT: small low-rank adapters on frozen weights."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import MethodConfig


class Config(MethodConfig):
    name: Literal["lora"] = "lora"
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: str | list[str] = "all-linear"
    use_dora: bool = False
    use_rslora: bool = False
    modules_to_save: list[str] | None = None


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
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with LoRA adapters; only the adapters (and `modules_to_save`) train."""
    from peft import get_peft_model

    return get_peft_model(model, peft_config(cfg))
