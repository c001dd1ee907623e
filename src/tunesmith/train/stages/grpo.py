"""Group Relative Policy Optimization with TRL's GRPOTrainer: online RL from reward functions.

Rewards can be rules (json_valid, regex, length, exact_answer), a trained reward model (RLHF) or an LLM judge
(RLAIF); see `tunesmith.train.rewards`. TRL 1.x ships no PPO; GRPO (or RLOO) takes its place.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import Recipe
from tunesmith.runs import RunDir
from tunesmith.train.stages._online import OnlineConfig, build_online_trainer, load_prompt_datasets


class Config(OnlineConfig):
    name: Literal["grpo"] = "grpo"
    beta: float = Field(0.0, ge=0)  # KL weight toward the starting model; 0 (TRL's default) needs no reference
    loss_type: Literal["grpo", "dr_grpo", "dapo", "bnpo", "cispo", "sapo"] = "dapo"
    scale_rewards: Literal["group", "batch", "none"] = "group"


def load_datasets(recipe: Recipe):
    """(train, validation or None) as conversational prompts plus the columns the rewards read."""
    return load_prompt_datasets(recipe)


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """A GRPOTrainer; it logs `reward` (mean per step), `rewards/<name>/mean` and completion lengths."""
    from trl import GRPOConfig, GRPOTrainer

    cfg: Config = recipe.stage
    fields = {"beta": cfg.beta, "loss_type": cfg.loss_type, "scale_rewards": cfg.scale_rewards}
    return build_online_trainer(
        GRPOTrainer, GRPOConfig, fields, model, tokenizer, (train_ds, eval_ds), recipe, run, precision, callbacks,
        optimizer,
    )  # fmt: skip
