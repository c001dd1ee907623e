"""P-tuning through PEFT: virtual input tokens produced by a small trained prompt encoder (MLP or LSTM)."""

from __future__ import annotations

from tunesmith.config.methods import PTuningConfig as Config
from tunesmith.train.methods.base import Method


def peft_config(cfg: Config, model):
    """The PEFT `PromptEncoderConfig` for these recipe keys (same names)."""
    from peft import PromptEncoderConfig

    return PromptEncoderConfig(
        num_virtual_tokens=cfg.num_virtual_tokens,
        encoder_reparameterization_type=cfg.encoder_reparameterization_type,
        encoder_hidden_size=cfg.encoder_hidden_size or model.config.hidden_size,
        encoder_num_layers=cfg.encoder_num_layers,
        encoder_dropout=cfg.encoder_dropout,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with a prompt encoder; the saved adapter keeps only the virtual tokens it produces, and each
    checkpoint also the encoder's own weights, so keep-best and resume work (_resumable.py)."""
    from tunesmith.train.methods._peft import wrap
    from tunesmith.train.methods._resumable import ENCODER_STATE

    return wrap(model, peft_config(cfg, model), ENCODER_STATE)


METHOD = Method(apply=apply)
