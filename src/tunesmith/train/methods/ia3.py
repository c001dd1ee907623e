"""IA³ through PEFT: learned vectors rescale the keys, values and feed-forward activations (tiny, fast, mergeable)."""

from __future__ import annotations

from typing import Literal

from tunesmith.config import MethodConfig


class Config(MethodConfig):
    name: Literal["ia3"] = "ia3"
    target_modules: str | list[str] | None = None  # None: PEFT's default (k_proj, v_proj, down_proj for Llama)
    feedforward_modules: str | list[str] | None = None  # scaled on their input; must be among target_modules
    modules_to_save: list[str] | None = None


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
