"""Direct Preference Optimization with TRL's DPOTrainer, and its loss variants (sigmoid, IPO, hinge …).

With a PEFT method the reference model costs no memory: TRL scores it with a frozen copy of the starting adapter
(for a fresh LoRA, the base model itself).
"""

from __future__ import annotations

from tunesmith.config.stages import DpoConfig as Config
from tunesmith.data.training import Preference
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages.base import Stage


def build_trainer(job: TrainJob, cfg: Config):
    """A DPOTrainer; it logs rewards/accuracies and rewards/margins on train and eval batches."""
    from trl import DPOConfig, DPOTrainer

    args = DPOConfig(
        **training_args(job, DPOConfig),
        max_length=job.recipe.train.max_length,
        beta=cfg.beta,
        loss_type=cfg.loss_type if isinstance(cfg.loss_type, list) else [cfg.loss_type],
        loss_weights=cfg.loss_weights,
        label_smoothing=cfg.label_smoothing,
        precompute_ref_log_probs=cfg.precompute_ref_log_probs,
    )
    job.model.config.use_cache = False
    return make_trainer(DPOTrainer, job, args)


STAGE = Stage(needs=lambda cfg, recipe: Preference(stage="dpo"), build_trainer=build_trainer)
