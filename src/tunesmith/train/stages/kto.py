"""Kahneman-Tversky Optimization with TRL's KTOTrainer: learns from thumbs-up/down examples, no pairs needed.

Paired data works too: tunesmith.data.training splits each pair into a desirable (chosen) and an undesirable
(rejected) example, as TRL's `unpair_preference_dataset` does.
"""

from __future__ import annotations

from tunesmith.config.stages import KtoConfig as Config
from tunesmith.data.training import Preference
from tunesmith.errors import InputError
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages.base import Stage


def build_trainer(job: TrainJob, cfg: Config):
    """A KTOTrainer; it logs rewards/chosen, rewards/rejected, rewards/margins and the KL estimate."""
    from trl import KTOConfig, KTOTrainer

    if cfg.loss_type == "kto" and job.recipe.train.batch_size < 2:
        raise InputError(
            "recipe: key 'train.batch_size'",
            "KTO estimates its KL term from mismatched pairs within a batch; expected batch_size 2 or more",
        )
    args = KTOConfig(
        **training_args(job, KTOConfig),
        max_length=job.recipe.train.max_length,
        beta=cfg.beta,
        loss_type=cfg.loss_type,
        desirable_weight=cfg.desirable_weight,
        undesirable_weight=cfg.undesirable_weight,
        precompute_ref_log_probs=cfg.precompute_ref_log_probs,
    )
    job.model.config.use_cache = False
    return make_trainer(KTOTrainer, job, args)


# prompt/completion/label conversations, or pairs split into them (chosen → label true, rejected → false)
STAGE = Stage(needs=lambda cfg, recipe: Preference(stage="kto", unpaired=True), build_trainer=build_trainer)
