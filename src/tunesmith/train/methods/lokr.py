"""LoKr through PEFT: the weight update is a Kronecker product of a small matrix and a low-rank one."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import MethodConfig


class Config(MethodConfig):
    name: Literal["lokr"] = "lokr"
    r: int = Field(8, ge=1)
    alpha: int = Field(8, ge=1)
    rank_dropout: float = Field(0.0, ge=0, lt=1)
    module_dropout: float = Field(0.0, ge=0, lt=1)
    decompose_both: bool = False
    decompose_factor: int = -1
    rank_dropout_scale: bool = False
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    modules_to_save: list[str] | None = None


def peft_config(cfg: Config):
    """The PEFT `LoKrConfig` for these recipe keys (same names)."""
    from peft import LoKrConfig

    return LoKrConfig(
        r=cfg.r,
        alpha=cfg.alpha,
        rank_dropout=cfg.rank_dropout,
        module_dropout=cfg.module_dropout,
        decompose_both=cfg.decompose_both,
        decompose_factor=cfg.decompose_factor,
        rank_dropout_scale=cfg.rank_dropout_scale,
        target_modules=cfg.target_modules,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with LoKr adapters."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))
