"""BOFT through PEFT: OFT whose orthogonal matrix is a product of sparse butterfly factors (fewer parameters)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from tunesmith.config import MethodConfig


class Config(MethodConfig):
    name: Literal["boft"] = "boft"
    boft_block_size: int = Field(4, ge=0)  # set exactly one of boft_block_size and boft_block_num
    boft_block_num: int = Field(0, ge=0)
    boft_n_butterfly_factor: int = Field(1, ge=1)
    boft_dropout: float = Field(0.0, ge=0, lt=1)
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    modules_to_save: list[str] | None = None

    @model_validator(mode="after")
    def _one_size(self) -> Config:
        if (self.boft_block_size == 0) == (self.boft_block_num == 0):
            raise ValueError("set exactly one of boft_block_size and boft_block_num; the other must be 0")
        return self


def peft_config(cfg: Config):
    """The PEFT `BOFTConfig` for these recipe keys (same names)."""
    from peft import BOFTConfig

    return BOFTConfig(
        boft_block_size=cfg.boft_block_size,
        boft_block_num=cfg.boft_block_num,
        boft_n_butterfly_factor=cfg.boft_n_butterfly_factor,
        boft_dropout=cfg.boft_dropout,
        target_modules=cfg.target_modules,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with BOFT."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))
