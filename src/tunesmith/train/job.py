"""`TrainJob`: everything a stage needs to build its trainer, in one typed object instead of nine arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tunesmith.config import Recipe
from tunesmith.data.training import TrainingData
from tunesmith.runs import RunDir
from tunesmith.train.methods.base import TrainingPlan


@dataclass
class TrainJob:
    """One run, ready to train: the validated recipe, its run directory, the model with its method applied, the
    tokenizer, the data in the stage's shape, the resolved precision, the plan, callbacks and optimizer."""

    recipe: Recipe
    run: RunDir
    model: Any
    tokenizer: Any
    data: TrainingData
    precision: str  # "fp32", "bf16" or "fp16", resolved for this machine
    plan: TrainingPlan
    callbacks: list = field(default_factory=list)
    optimizer: Any = None  # the method's own optimizer, or None for the trainer's AdamW

    @property
    def has_eval(self) -> bool:
        return self.data.validation is not None
