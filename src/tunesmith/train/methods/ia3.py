"""IA³ through PEFT: learned vectors rescale the keys, values and feed-forward activations (tiny, fast, mergeable)."""

from __future__ import annotations

from tunesmith.config.methods import Ia3Config as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config):
    """The PEFT `IA3Config` for these recipe keys (same names)."""
    from peft import IA3Config

    return IA3Config(
        target_modules=cfg.target_modules,
        feedforward_modules=cfg.feedforward_modules,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with IA³ scaling vectors (one per output feature, or per input feature for feed-forward)."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))


METHOD = Method(apply=apply)
