"""VeRA through PEFT: one pair of frozen random low-rank matrices shared by all layers; only per-layer scales train."""

from __future__ import annotations

from tunesmith.config.methods import VeraConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config):
    """The PEFT `VeraConfig` for these recipe keys (same names)."""
    from peft import VeraConfig

    return VeraConfig(
        r=cfg.r,
        target_modules=cfg.target_modules,
        vera_dropout=cfg.vera_dropout,
        d_initial=cfg.d_initial,
        projection_prng_key=cfg.projection_prng_key,
        save_projection=cfg.save_projection,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with VeRA: each target trains a scaling vector of size `r` and one of its output size."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))


METHOD = Method(apply=apply)
