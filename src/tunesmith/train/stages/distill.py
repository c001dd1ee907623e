"""Knowledge distillation from a teacher's logits (same tokenizer), with TRL's DistillationTrainer.

The student writes completions to the data's prompts (on-policy, as in GKD) and learns to match the teacher's
next-token distributions on them under the generalised Jensen-Shannon divergence: `beta` 0 is forward KL,
0.5 JSD, 1 reverse KL. The teacher is any model reference (alias, folder, hub id) or a run directory, whose
adapter is merged into its base for scoring.
"""

from __future__ import annotations

from tunesmith.config.stages import DistillConfig as Config
from tunesmith.data.training import Prompts
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages.base import Stage


def load_teacher(ref: str):
    """The teacher as a plain causal LM in eval mode (a run's adapter merged into its base)."""
    from tunesmith.models.loading import load_for_inference, source_for

    model, _ = load_for_inference(source_for(ref))
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    return model.eval()


def build_trainer(job: TrainJob, cfg: Config):
    """A DistillationTrainer: on-policy completions from the student, scored against the teacher's logits."""
    from trl import DistillationConfig, DistillationTrainer

    args = DistillationConfig(
        **training_args(job, DistillationConfig),
        beta=cfg.beta,
        temperature=cfg.temperature,
        max_completion_length=cfg.max_completion_length,
    )
    return make_trainer(DistillationTrainer, job, args, teacher_model=load_teacher(cfg.teacher))


# a conversational `prompt` per record (chat data: the turns before the reply)
STAGE = Stage(needs=lambda cfg, recipe: Prompts(), build_trainer=build_trainer)
