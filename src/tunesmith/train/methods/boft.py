"""BOFT through PEFT: OFT whose orthogonal matrix is a product of sparse butterfly factors (fewer parameters)."""

from __future__ import annotations

from tunesmith.config.methods import BoftConfig as Config
from tunesmith.train.methods._peft import same_names
from tunesmith.train.methods.base import Method

METHOD: Method[Config] = Method(apply=same_names("BOFTConfig", "BOFT"))
