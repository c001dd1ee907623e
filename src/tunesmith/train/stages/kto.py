"""Kahneman-Tversky Optimization with TRL's KTOTrainer: learns from thumbs-up/down examples, no pairs needed.

Paired data works too: TRL splits each pair into a desirable (chosen) and an undesirable (rejected) example.
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
    name: Literal["kto"] = "kto"
    beta: float = Field(0.1, gt=0)
    loss_type: Literal["kto", "apo_zero_unpaired"] = "kto"
    desirable_weight: float = Field(1.0, gt=0)
    undesirable_weight: float = Field(1.0, gt=0)
    precompute_ref_log_probs: bool = False


def load_datasets(recipe: Recipe):
    """(train, validation or None) as prompt/completion/label conversations (or pairs, unpaired by TRL)."""
    return load_preference_datasets(recipe, unpaired_ok=True)


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """A KTOTrainer; it logs rewards/chosen, rewards/rejected, rewards/margins and the KL estimate."""
    from trl import KTOConfig, KTOTrainer

    cfg: Config = recipe.stage
    if cfg.loss_type == "kto" and recipe.train.batch_size < 2:
        raise InputError(
            "recipe: key 'train.batch_size'",
            "KTO estimates its KL term from mismatched pairs within a batch; expected batch_size 2 or more",
        )
    args = KTOConfig(
        **training_args(recipe, run, precision, eval_ds is not None, KTOConfig),
        max_length=recipe.train.max_length,
        beta=cfg.beta,
        loss_type=cfg.loss_type,
        desirable_weight=cfg.desirable_weight,
        undesirable_weight=cfg.undesirable_weight,
        precompute_ref_log_probs=cfg.precompute_ref_log_probs,
    )
    model.config.use_cache = False
    return make_trainer(KTOTrainer, model, tokenizer, args, (train_ds, eval_ds), recipe, callbacks, optimizer)
