"""LoHa through PEFT: the weight update is a Hadamard product of two low-rank products (more rank per parameter)."""

from __future__ import annotations

from tunesmith.config.methods import LohaConfig as Config
from tunesmith.train.methods._peft import same_names
from tunesmith.train.methods.base import Method

METHOD: Method[Config] = Method(apply=same_names("LoHaConfig", "LoHa adapters (four r-rank factors per target weight)"))
