"""BOFT through PEFT: OFT whose orthogonal matrix is a product of sparse butterfly factors (fewer parameters)."""

from __future__ import annotations

from tunesmith.config.methods import BoftConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config):
    """The PEFT `BOFTConfig` for these recipe keys (same names)."""
    from peft import BOFTConfig

    return BOFTConfig(
        boft_block_size=cfg.boft_block_size,
        boft_block_num=cfg.boft_block_num,
        boft_n_butterfly_factor=cfg.boft_n_butterfly_factor,
        boft_dropout=cfg.boft_dropout,
        target_modules=cfg.target_modules,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with BOFT."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))


METHOD = Method(apply=apply)
