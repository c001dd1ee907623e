"""LN tuning through PEFT: train only (copies of) the normalisation layers; a few thousand parameters."""

from __future__ import annotations

from tunesmith.config.methods import LnTuningConfig as Config
from tunesmith.train.methods._peft import same_names
from tunesmith.train.methods.base import Method

METHOD: Method[Config] = Method(apply=same_names("LNTuningConfig", "its normalisation weights trainable, nothing else"))
