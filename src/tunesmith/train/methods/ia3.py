"""IA³ through PEFT: learned vectors rescale the keys, values and feed-forward activations (tiny, fast, mergeable)."""

from __future__ import annotations

from tunesmith.config.methods import Ia3Config as Config
from tunesmith.train.methods._peft import same_names
from tunesmith.train.methods.base import Method

METHOD: Method[Config] = Method(
    apply=same_names("IA3Config", "IA³ scaling vectors (one per output feature, or per input feature for feed-forward)")
)
