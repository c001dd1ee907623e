"""Odds Ratio Preference Optimization with TRL's ORPOTrainer: SFT and preference in one loss, no reference model."""

from __future__ import annotations

from tunesmith.config.stages import OrpoConfig as Config
from tunesmith.data.training import Preference
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages._experimental import experimental
from tunesmith.train.stages.base import Stage


def build_trainer(job: TrainJob, cfg: Config):
    """An ORPOTrainer; it logs rewards/accuracies and rewards/margins (log-odds based) on train and eval batches."""
    config_class, trainer_class = experimental("orpo", "ORPOConfig", "ORPOTrainer")
    args = config_class(
        **training_args(job, config_class),
        max_length=job.recipe.train.max_length,
        max_completion_length=cfg.max_completion_length,
        beta=cfg.beta,
    )
    job.model.config.use_cache = False
    return make_trainer(trainer_class, job, args)


STAGE = Stage(needs=lambda cfg, recipe: Preference(stage="orpo"), build_trainer=build_trainer)
