"""P-tuning v2: deep prompts on every layer. It is PEFT's prefix tuning with `prefix_projection` off."""

from __future__ import annotations

from tunesmith.config.methods import PTuningV2Config as Config
from tunesmith.train.methods import prefix_tuning
from tunesmith.train.methods.base import Method


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with per-layer key/value prompts trained directly (no reparameterisation MLP), started from
    `init_text`'s keys and values."""
    prefix = prefix_tuning.Config(num_virtual_tokens=cfg.num_virtual_tokens, prefix_projection=False)
    return prefix_tuning.wrap_prefixes(model, prefix_tuning.peft_config(prefix, model), cfg.init_text)


METHOD = Method(apply=apply)
