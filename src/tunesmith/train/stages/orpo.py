"""Odds Ratio Preference Optimization with TRL's ORPOTrainer: SFT and preference in one loss, no reference model."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import Recipe, StageConfig
from tunesmith.runs import RunDir
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages._experimental import experimental
from tunesmith.train.stages._preference import load_preference_datasets


class Config(StageConfig):
    name: Literal["orpo"] = "orpo"
    beta: float = Field(0.1, gt=0)  # λ in the ORPO paper: the weight of the odds-ratio term
    max_completion_length: int | None = Field(None, ge=1)


def load_datasets(recipe: Recipe):
    """(train, validation or None) as prompt/chosen/rejected conversations."""
    return load_preference_datasets(recipe)


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """An ORPOTrainer; it logs rewards/accuracies and rewards/margins (log-odds based) on train and eval batches."""
    config_class, trainer_class = experimental("orpo", "ORPOConfig", "ORPOTrainer")
    cfg: Config = recipe.stage
    args = config_class(
        **training_args(recipe, run, precision, eval_ds is not None, config_class),
        max_length=recipe.train.max_length,
        max_completion_length=cfg.max_completion_length,
        beta=cfg.beta,
    )
    model.config.use_cache = False
    return make_trainer(trainer_class, model, tokenizer, args, (train_ds, eval_ds), recipe, callbacks, optimizer)
