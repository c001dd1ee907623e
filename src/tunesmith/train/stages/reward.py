"""A reward model with TRL's RewardTrainer: the base model with a one-output sequence-classification head.

The trained run scores (prompt, reply) conversations; online RL stages use it as a reward (RLHF), see
`tunesmith.train.rewards.reward_model`. The model loads with a fresh one-output score head
(models.loading.load_with_score_head).
"""

from __future__ import annotations

from tunesmith.config.stages import RewardStageConfig as Config
from tunesmith.data.training import Preference
from tunesmith.errors import InputError
from tunesmith.models.loading import load_with_score_head
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages.base import Stage


def build_trainer(job: TrainJob, cfg: Config):
    """A RewardTrainer; it logs accuracy (chosen scored above rejected) and margin on train and eval batches."""
    from trl import RewardConfig, RewardTrainer

    _check_head_trains(job.model)
    args = RewardConfig(
        **training_args(job, RewardConfig),
        max_length=job.recipe.train.max_length,
        center_rewards_coefficient=cfg.center_rewards_coefficient,
    )
    job.model.config.use_cache = False
    return make_trainer(RewardTrainer, job, args)


def _check_head_trains(model) -> None:
    """The score head starts random, so it must train (and be saved); a partial-freeze method may have frozen it."""
    head = [p for name, p in model.named_parameters() if name.startswith("score.") or ".score." in name]
    if not head:
        raise InputError("stage 'reward'", "the model has no score head; expected it loaded by the stage's load_model")
    if any(p.requires_grad for p in head):
        return
    if hasattr(model, "peft_config"):
        raise InputError(
            "recipe: key 'method'", "the method leaves the reward head frozen; expected method.modules_to_save: [score]"
        )
    for p in head:
        p.requires_grad_(True)


STAGE = Stage(
    needs=lambda cfg, recipe: Preference(stage="reward"), build_trainer=build_trainer, load_model=load_with_score_head
)
