"""OFT through PEFT: each target weight is rotated by a trained block-diagonal orthogonal matrix."""

from __future__ import annotations

from tunesmith.config.methods import OftConfig as Config
from tunesmith.train.methods._peft import same_names
from tunesmith.train.methods.base import Method

METHOD: Method[Config] = Method(
    apply=same_names("OFTConfig", "OFT; a target's input size must divide into whole blocks")
)
