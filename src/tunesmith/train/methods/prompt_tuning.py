"""Prompt tuning through PEFT: a few trained "virtual token" embeddings are prepended to every input."""

from __future__ import annotations

from tunesmith.config.methods import PromptTuningConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config, model):
    """The PEFT `PromptTuningConfig`; TEXT initialisation reads the model's own tokenizer from its folder."""
    from peft import PromptTuningConfig

    text = cfg.prompt_tuning_init == "TEXT"
    return PromptTuningConfig(
        num_virtual_tokens=cfg.num_virtual_tokens,
        prompt_tuning_init=cfg.prompt_tuning_init,
        prompt_tuning_init_text=cfg.prompt_tuning_init_text if text else None,
        tokenizer_name_or_path=model.name_or_path if text else None,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with `num_virtual_tokens` trainable input embeddings; the model itself stays frozen."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg, model))


METHOD = Method(apply=apply)
