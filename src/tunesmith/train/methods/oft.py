"""OFT through PEFT: each target weight is rotated by a trained block-diagonal orthogonal matrix."""

from __future__ import annotations

from tunesmith.config.methods import OftConfig as Config
from tunesmith.train.methods.base import Method


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


METHOD = Method(apply=apply)
