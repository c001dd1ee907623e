"""Training objectives, one module each, found by name; each ends with `STAGE = Stage(...)` (see base.py).

A stage's recipe keys are its config class in `tunesmith/config/stages.py` (the module's `Config`).
"""

from __future__ import annotations

from tunesmith.schema import find_module
from tunesmith.train.stages.base import Stage

__all__ = ["Stage", "find_stage"]


def find_stage(name: str) -> Stage:
    """The stage called `name` (the recipe has checked the name; else a ValueError with a did-you-mean)."""
    stage = find_module(__name__, name, "stage").STAGE
    if not isinstance(stage, Stage):
        raise TypeError(f"tunesmith.train.stages.{name}.STAGE is not a Stage")
    return stage
