"""SimPO with TRL's CPOTrainer (loss_type simpo): length-normalised preference margins, no reference model.

`cpo_alpha` adds CPO's behaviour-cloning term on the chosen replies; 0 (the default) is pure SimPO.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import Recipe, StageConfig
from tunesmith.runs import RunDir
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages._experimental import experimental
from tunesmith.train.stages._preference import load_preference_datasets


class Config(StageConfig):
    name: Literal["simpo"] = "simpo"
    beta: float = Field(2.0, gt=0)  # the SimPO paper's range is 2.0–2.5 (TRL's CPO default 0.1 suits CPO's loss)
    simpo_gamma: float = Field(0.5, ge=0)  # target reward margin
    cpo_alpha: float = Field(0.0, ge=0)
    label_smoothing: float = Field(0.0, ge=0, lt=0.5)
    max_completion_length: int | None = Field(None, ge=1)


def load_datasets(recipe: Recipe):
    """(train, validation or None) as prompt/chosen/rejected conversations."""
    return load_preference_datasets(recipe)


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """A CPOTrainer with the SimPO loss; it logs rewards/accuracies and rewards/margins on train and eval batches."""
    config_class, trainer_class = experimental("cpo", "CPOConfig", "CPOTrainer")
    cfg: Config = recipe.stage
    args = config_class(
        **training_args(recipe, run, precision, eval_ds is not None, config_class),
        max_length=recipe.train.max_length,
        max_completion_length=cfg.max_completion_length,
        loss_type="simpo",
        beta=cfg.beta,
        simpo_gamma=cfg.simpo_gamma,
        cpo_alpha=cfg.cpo_alpha,
        label_smoothing=cfg.label_smoothing,
    )
    model.config.use_cache = False
    return make_trainer(trainer_class, model, tokenizer, args, (train_ds, eval_ds), recipe, callbacks, optimizer)
