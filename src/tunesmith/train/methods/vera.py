"""VeRA through PEFT: one pair of frozen random low-rank matrices shared by all layers; only per-layer scales train."""

from __future__ import annotations

from tunesmith.config.methods import VeraConfig as Config
from tunesmith.train.methods._peft import same_names
from tunesmith.train.methods.base import Method

METHOD: Method[Config] = Method(
    apply=same_names("VeraConfig", "VeRA: each target trains a scaling vector of size `r` and one of its output size")
)
