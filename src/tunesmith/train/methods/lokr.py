"""LoKr through PEFT: the weight update is a Kronecker product of a small matrix and a low-rank one."""

from __future__ import annotations

from tunesmith.config.methods import LokrConfig as Config
from tunesmith.train.methods._peft import same_names
from tunesmith.train.methods.base import Method

METHOD: Method[Config] = Method(
    apply=same_names("LoKrConfig", "LoKr adapters (a Kronecker product of two small factors per target weight)")
)
