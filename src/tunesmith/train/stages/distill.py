"""Knowledge distillation from a teacher's logits (same tokenizer), with TRL's DistillationTrainer.

The student writes completions to the data's prompts (on-policy, as in GKD) and learns to match the teacher's
next-token distributions on them under the generalised Jensen-Shannon divergence: `beta` 0 is forward KL,
0.5 JSD, 1 reverse KL. The teacher is any model reference (alias, folder, hub id) or a run directory, whose
adapter is merged into its base for scoring.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tunesmith.config import Recipe, StageConfig
from tunesmith.runs import RunDir
from tunesmith.train.stages._common import make_trainer, train_and_validation, training_args


class Config(StageConfig):
    name: Literal["distill"] = "distill"
    teacher: str  # model reference or run directory; must share the student's tokenizer
    beta: float = Field(0.5, ge=0.0, le=1.0)  # generalised JSD: 0 forward KL, 0.5 JSD, 1 reverse KL
    temperature: float = Field(1.0, gt=0)  # sampling temperature of the student's completions
    max_completion_length: int = Field(128, ge=1)


def load_datasets(recipe: Recipe):
    """(train, validation or None): a conversational `prompt` per record (chat data: the turns before the reply)."""
    from tunesmith.train.stages._online import _prompts

    return train_and_validation(recipe, lambda path: _prompts(path, recipe, []))


def load_teacher(ref: str):
    """The teacher as a plain causal LM in eval mode (a run's adapter merged into its base)."""
    from tunesmith.models.loading import load_for_inference, source_for

    model, _ = load_for_inference(source_for(ref))
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    return model.eval()


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """A DistillationTrainer: on-policy completions from the student, scored against the teacher's logits."""
    from trl import DistillationConfig, DistillationTrainer

    stage = recipe.stage
    args = DistillationConfig(
        **training_args(recipe, run, precision, eval_ds is not None, DistillationConfig),
        beta=stage.beta,
        temperature=stage.temperature,
        max_completion_length=stage.max_completion_length,
    )
    teacher = load_teacher(stage.teacher)
    extra = {"teacher_model": teacher}
    return make_trainer(
        DistillationTrainer, model, tokenizer, args, (train_ds, eval_ds), recipe, callbacks, optimizer, **extra
    )
