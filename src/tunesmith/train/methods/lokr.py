"""LoKr through PEFT: the weight update is a Kronecker product of a small matrix and a low-rank one."""

from __future__ import annotations

from tunesmith.config.methods import LokrConfig as Config
from tunesmith.train.methods.base import Method


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


METHOD = Method(apply=apply)
