"""REINFORCE Leave-One-Out with TRL's RLOOTrainer: online RL where each completion's baseline is its siblings' mean.

Takes the same rewards as grpo; see `tunesmith.train.rewards`.
"""

from __future__ import annotations

from tunesmith.config.stages import RlooConfig as Config
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._online import build_online_trainer, prompts_with_reward_columns
from tunesmith.train.stages.base import Stage


def build_trainer(job: TrainJob, cfg: Config):
    """An RLOOTrainer; it logs `reward` (mean per step), `rewards/<name>/mean` and the KL to the start."""
    from trl import RLOOConfig, RLOOTrainer

    fields = {
        "beta": cfg.beta,
        "normalize_advantages": cfg.normalize_advantages,
        "reward_clip_range": cfg.reward_clip_range,
    }
    return build_online_trainer(RLOOTrainer, RLOOConfig, fields, job, cfg)


STAGE = Stage(needs=prompts_with_reward_columns, build_trainer=build_trainer)
