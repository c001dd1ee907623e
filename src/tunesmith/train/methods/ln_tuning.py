"""LN tuning through PEFT: train only (copies of) the normalisation layers; a few thousand parameters."""

from __future__ import annotations

from tunesmith.config.methods import LnTuningConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config):
    """The PEFT `LNTuningConfig` for these recipe keys (same names)."""
    from peft import LNTuningConfig

    return LNTuningConfig(target_modules=cfg.target_modules, modules_to_save=cfg.modules_to_save, task_type="CAUSAL_LM")


def apply(model, cfg: Config, plan=None):
    """Wrap `model` so only its normalisation weights train."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))


METHOD = Method(apply=apply)
