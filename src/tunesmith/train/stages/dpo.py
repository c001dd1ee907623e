"""Direct Preference Optimization with TRL's DPOTrainer, and its loss variants (sigmoid, IPO, hinge …).

With a PEFT method the reference model costs no memory: TRL scores it with a frozen copy of the starting adapter
(for a fresh LoRA, the base model itself).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from tunesmith.config import Recipe, StageConfig
from tunesmith.runs import RunDir
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages._preference import load_preference_datasets

LossType = Literal[
    "sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot", "aot_unpaired",
    "apo_zero", "apo_down", "discopop", "sft", "sigmoid_norm",
]  # fmt: skip


class Config(StageConfig):
    name: Literal["dpo"] = "dpo"
    beta: float = Field(0.1, gt=0)
    loss_type: LossType | list[LossType] = "sigmoid"
    loss_weights: list[float] | None = None
    label_smoothing: float = Field(0.0, ge=0, lt=0.5)
    precompute_ref_log_probs: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        types = self.loss_type if isinstance(self.loss_type, list) else [self.loss_type]
        if self.loss_weights is not None and len(self.loss_weights) != len(types):
            raise ValueError(
                f"loss_weights has {len(self.loss_weights)} values; expected one per loss_type ({len(types)})"
            )
        if "exo_pair" in types and self.label_smoothing == 0:
            raise ValueError("loss_type exo_pair needs label_smoothing > 0 (the EXO paper suggests 1e-3)")
        return self


def load_datasets(recipe: Recipe):
    """(train, validation or None) as prompt/chosen/rejected conversations."""
    return load_preference_datasets(recipe)


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """A DPOTrainer; it logs rewards/accuracies and rewards/margins on train and eval batches."""
    from trl import DPOConfig, DPOTrainer

    cfg: Config = recipe.stage
    args = DPOConfig(
        **training_args(recipe, run, precision, eval_ds is not None, DPOConfig),
        max_length=recipe.train.max_length,
        beta=cfg.beta,
        loss_type=cfg.loss_type if isinstance(cfg.loss_type, list) else [cfg.loss_type],
        loss_weights=cfg.loss_weights,
        label_smoothing=cfg.label_smoothing,
        precompute_ref_log_probs=cfg.precompute_ref_log_probs,
    )
    model.config.use_cache = False
    return make_trainer(DPOTrainer, model, tokenizer, args, (train_ds, eval_ds), recipe, callbacks, optimizer)
