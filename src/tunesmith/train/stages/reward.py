"""A reward model with TRL's RewardTrainer: the base model with a one-output sequence-classification head.

The trained run scores (prompt, reply) conversations; online RL stages use it as a reward (RLHF), see
`tunesmith.train.rewards.reward_model`. A stage that needs another head than the causal LM's defines `load_model`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import Recipe, StageConfig
from tunesmith.errors import InputError
from tunesmith.runs import RunDir
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages._preference import load_preference_datasets


class Config(StageConfig):
    name: Literal["reward"] = "reward"
    center_rewards_coefficient: float | None = Field(None, ge=0)  # pushes rewards toward mean zero (0.01 is usual)


def load_model(path: str, dtype: str = "float32", quantization_config=None, attn_implementation: str | None = None):
    """The base model with a fresh one-output score head (num_labels=1), loaded like `models.loading.load_model`.

    run.py calls a stage's `load_model` in place of the causal-LM loader when the stage defines one.
    """
    import torch
    from transformers import AutoModelForSequenceClassification

    from tunesmith.models.loading import load_kwargs

    kwargs = load_kwargs(quantization_config, attn_implementation)
    try:
        return AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=1, dtype=getattr(torch, dtype), **kwargs
        )
    except (OSError, ValueError) as exc:
        raise InputError(f"model '{path}'", f"could not load it with a reward head ({exc})") from None


def load_datasets(recipe: Recipe):
    """(train, validation or None) as prompt/chosen/rejected conversations."""
    return load_preference_datasets(recipe)


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """A RewardTrainer; it logs accuracy (chosen scored above rejected) and margin on train and eval batches."""
    from trl import RewardConfig, RewardTrainer

    _check_head_trains(model)
    cfg: Config = recipe.stage
    args = RewardConfig(
        **training_args(recipe, run, precision, eval_ds is not None, RewardConfig),
        max_length=recipe.train.max_length,
        center_rewards_coefficient=cfg.center_rewards_coefficient,
    )
    model.config.use_cache = False
    return make_trainer(RewardTrainer, model, tokenizer, args, (train_ds, eval_ds), recipe, callbacks, optimizer)


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
