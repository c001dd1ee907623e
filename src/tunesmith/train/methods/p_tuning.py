"""P-tuning through PEFT: virtual input tokens produced by a small trained prompt encoder (MLP or LSTM)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import MethodConfig

CHECKPOINTS_RELOAD = False  # PEFT saves the encoder's output, not the encoder: see _no_reload.py


class Config(MethodConfig):
    name: Literal["p_tuning"] = "p_tuning"
    num_virtual_tokens: int = Field(20, ge=1)
    encoder_reparameterization_type: Literal["MLP", "LSTM"] = "MLP"
    encoder_hidden_size: int | None = Field(None, ge=1)  # None: the model's hidden size
    encoder_num_layers: int = Field(2, ge=1)  # LSTM only: the MLP encoder always has two hidden layers
    encoder_dropout: float = Field(0.0, ge=0, lt=1)


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
    """Wrap `model` with a prompt encoder; the saved adapter keeps only the virtual tokens it produces."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg, model))


def callbacks(model, cfg: Config, plan):
    """Stop a run that would reload a checkpoint (keep-best, resume), which PEFT cannot do for p-tuning."""
    from tunesmith.train.methods._no_reload import no_reload_guard

    return [no_reload_guard("p_tuning")]
