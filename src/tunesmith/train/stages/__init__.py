"""Training objectives, one module each, found by name.

A stage module defines `Config` (its recipe keys under `stage:`), `load_datasets(recipe) -> (train, validation)`
in the columns its trainer reads, and `build_trainer(model, tokenizer, train_ds, eval_ds, recipe, run, precision,
callbacks, optimizer=None)` returning a ready TRL/transformers trainer.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

STAGES: tuple[str, ...] = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


def stage_module(name: str) -> ModuleType:
    """The module that trains objective `name` (already validated by the recipe)."""
    return importlib.import_module(f"{__name__}.{name}")
