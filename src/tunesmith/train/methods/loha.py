"""LoHa through PEFT: the weight update is a Hadamard product of two low-rank products (more rank per parameter)."""

from __future__ import annotations

from tunesmith.config.methods import LohaConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config):
    """The PEFT `LoHaConfig` for these recipe keys (same names)."""
    from peft import LoHaConfig

    return LoHaConfig(
        r=cfg.r,
        alpha=cfg.alpha,
        rank_dropout=cfg.rank_dropout,
        module_dropout=cfg.module_dropout,
        use_effective_conv2d=cfg.use_effective_conv2d,
        target_modules=cfg.target_modules,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with LoHa adapters (four r-rank factors per target weight)."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))


METHOD = Method(apply=apply)
