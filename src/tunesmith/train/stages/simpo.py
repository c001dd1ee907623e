"""SimPO with TRL's CPOTrainer (loss_type simpo): length-normalised preference margins, no reference model.

`cpo_alpha` adds CPO's behaviour-cloning term on the chosen replies; 0 (the default) is pure SimPO.
"""

from __future__ import annotations

from tunesmith.config.stages import SimpoConfig as Config
from tunesmith.data.training import Preference
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages._experimental import experimental
from tunesmith.train.stages.base import Stage


def build_trainer(job: TrainJob, cfg: Config):
    """A CPOTrainer with the SimPO loss; it logs rewards/accuracies and rewards/margins on train and eval batches."""
    config_class, trainer_class = experimental("cpo", "CPOConfig", "CPOTrainer")
    args = config_class(
        **training_args(job, config_class),
        max_length=job.recipe.train.max_length,
        max_completion_length=cfg.max_completion_length,
        loss_type="simpo",
        beta=cfg.beta,
        simpo_gamma=cfg.simpo_gamma,
        cpo_alpha=cfg.cpo_alpha,
        label_smoothing=cfg.label_smoothing,
    )
    job.model.config.use_cache = False
    return make_trainer(trainer_class, job, args)


STAGE = Stage(needs=lambda cfg, recipe: Preference(stage="simpo"), build_trainer=build_trainer)
