"""Prompt tuning through PEFT: a few trained "virtual token" embeddings are prepended to every input."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from tunesmith.config import MethodConfig


class Config(MethodConfig):
    name: Literal["prompt_tuning"] = "prompt_tuning"
    num_virtual_tokens: int = Field(20, ge=1)
    prompt_tuning_init: Literal["RANDOM", "TEXT", "SAMPLE_VOCAB"] = "RANDOM"
    prompt_tuning_init_text: str | None = None  # with TEXT: the virtual tokens start as this text's embeddings

    @model_validator(mode="after")
    def _text_when_needed(self) -> Config:
        if self.prompt_tuning_init == "TEXT" and not self.prompt_tuning_init_text:
            raise ValueError("prompt_tuning_init TEXT needs prompt_tuning_init_text, e.g. 'Answer the question:'")
        return self


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
