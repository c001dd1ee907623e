"""Group Relative Policy Optimization with TRL's GRPOTrainer: online RL from reward functions.

Rewards can be rules (json_valid, regex, length, exact_answer), a trained reward model (RLHF) or an LLM judge
(RLAIF); see `tunesmith.train.rewards`. TRL 1.x ships no PPO; GRPO (or RLOO) takes its place.
"""

from __future__ import annotations

from tunesmith.config.stages import GrpoConfig as Config
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._online import build_online_trainer, prompts_with_reward_columns
from tunesmith.train.stages.base import Stage


def build_trainer(job: TrainJob, cfg: Config):
    """A GRPOTrainer; it logs `reward` (mean per step), `rewards/<name>/mean` and completion lengths."""
    from trl import GRPOConfig, GRPOTrainer

    fields = {"beta": cfg.beta, "loss_type": cfg.loss_type, "scale_rewards": cfg.scale_rewards}
    return build_online_trainer(GRPOTrainer, GRPOConfig, fields, job, cfg)


STAGE = Stage(needs=prompts_with_reward_columns, build_trainer=build_trainer)
