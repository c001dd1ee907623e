"""P-tuning v2: deep prompts on every layer. It is PEFT's prefix tuning with `prefix_projection` off."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import MethodConfig
from tunesmith.train.methods import prefix_tuning


class Config(MethodConfig):
    name: Literal["p_tuning_v2"] = "p_tuning_v2"
    num_virtual_tokens: int = Field(20, ge=1)


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with per-layer key/value prompts trained directly (no reparameterisation MLP)."""
    from tunesmith.train.methods._peft import wrap

    prefix = prefix_tuning.Config(num_virtual_tokens=cfg.num_virtual_tokens, prefix_projection=False)
    return wrap(model, prefix_tuning.peft_config(prefix, model))
