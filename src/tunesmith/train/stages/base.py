"""The `Stage` contract: what a training objective needs (its data shape, its model head) and how it trains.

Every stage module ends with `STAGE = Stage(needs=…, build_trainer=…)`. The run asks `needs(cfg, recipe)` for the
data shape (tunesmith.data.training loads it), loads the model with `load_model`, and calls
`build_trainer(job, cfg)` with the stage's own typed config; nothing is looked up by `getattr`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tunesmith.config import Recipe
from tunesmith.config.stages import StageBase
from tunesmith.data.training import DataShape
from tunesmith.models.loading import load_model
from tunesmith.train.job import TrainJob

C = TypeVar("C", bound=StageBase)


@dataclass(frozen=True)
class Stage(Generic[C]):
    """A training objective. `uses_training_template`: with `loss_on: assistant`, the tokenizer gets a chat
    template with `{% generation %}` markers (chat SFT); `load_model` replaces the causal-LM loader (the reward
    stage's classification head)."""

    needs: Callable[[C, Recipe], DataShape]
    build_trainer: Callable[[TrainJob, C], Any]
    load_model: Callable[..., Any] = load_model
    uses_training_template: bool = False
