"""REINFORCE Leave-One-Out with TRL's RLOOTrainer: online RL where each completion's baseline is its siblings' mean.

Takes the same rewards as grpo; see `tunesmith.train.rewards`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import Recipe
from tunesmith.runs import RunDir
from tunesmith.train.stages._online import OnlineConfig, build_online_trainer, load_prompt_datasets


class Config(OnlineConfig):
    name: Literal["rloo"] = "rloo"
    beta: float = Field(0.05, ge=0)  # KL weight toward the starting model (TRL's default)
    normalize_advantages: bool = False
    reward_clip_range: tuple[float, float] | None = None


def load_datasets(recipe: Recipe):
    """(train, validation or None) as conversational prompts plus the columns the rewards read."""
    return load_prompt_datasets(recipe)


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """An RLOOTrainer; it logs `reward` (mean per step), `rewards/<name>/mean` and the KL to the start."""
    from trl import RLOOConfig, RLOOTrainer

    cfg: Config = recipe.stage
    fields = {
        "beta": cfg.beta,
        "normalize_advantages": cfg.normalize_advantages,
        "reward_clip_range": cfg.reward_clip_range,
    }
    return build_online_trainer(
        RLOOTrainer, RLOOConfig, fields, model, tokenizer, (train_ds, eval_ds), recipe, run, precision, callbacks,
        optimizer,
    )  # fmt: skip
