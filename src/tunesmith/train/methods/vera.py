"""VeRA through PEFT: one pair of frozen random low-rank matrices shared by all layers; only per-layer scales train."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import MethodConfig


class Config(MethodConfig):
    name: Literal["vera"] = "vera"
    r: int = Field(256, ge=1)
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    vera_dropout: float = Field(0.0, ge=0, lt=1)
    d_initial: float = Field(0.1, gt=0)
    projection_prng_key: int = 0
    save_projection: bool = True
    modules_to_save: list[str] | None = None


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
