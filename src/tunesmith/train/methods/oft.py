"""OFT through PEFT: each target weight is rotated by a trained block-diagonal orthogonal matrix."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from tunesmith.config import MethodConfig


class Config(MethodConfig):
    name: Literal["oft"] = "oft"
    r: int = Field(0, ge=0)  # number of blocks; set exactly one of r and oft_block_size
    oft_block_size: int = Field(32, ge=0)
    module_dropout: float = Field(0.0, ge=0, lt=1)
    coft: bool = False
    eps: float = Field(6e-5, gt=0)
    block_share: bool = False
    use_cayley_neumann: bool = True
    num_cayley_neumann_terms: int = Field(5, ge=1)
    target_modules: str | list[str] | None = None  # None: PEFT's default for the architecture (q_proj, v_proj)
    modules_to_save: list[str] | None = None

    @model_validator(mode="after")
    def _one_size(self) -> Config:
        if (self.r == 0) == (self.oft_block_size == 0):
            raise ValueError("set exactly one of r (number of blocks) and oft_block_size; the other must be 0")
        return self


def peft_config(cfg: Config):
    """The PEFT `OFTConfig` for these recipe keys (same names)."""
    from peft import OFTConfig

    return OFTConfig(
        r=cfg.r,
        oft_block_size=cfg.oft_block_size,
        module_dropout=cfg.module_dropout,
        coft=cfg.coft,
        eps=cfg.eps,
        block_share=cfg.block_share,
        use_cayley_neumann=cfg.use_cayley_neumann,
        num_cayley_neumann_terms=cfg.num_cayley_neumann_terms,
        target_modules=cfg.target_modules,
        modules_to_save=cfg.modules_to_save,
        task_type="CAUSAL_LM",
    )


def apply(model, cfg: Config, plan=None):
    """Wrap `model` with OFT; a target's input size must divide into whole blocks."""
    from tunesmith.train.methods._peft import wrap

    return wrap(model, peft_config(cfg))
