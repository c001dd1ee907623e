"""What the online-RL stages (grpo, rloo) share: prompt data, reward functions, and generation settings.

Each step samples `num_generations` completions per prompt, scores them with the rewards, and moves the policy
toward the better ones. The mean reward per logging step lands in metrics.jsonl as `reward` (and per reward as
`rewards/<name>/mean`), the curve to watch.
"""

from __future__ import annotations

from tunesmith.config import Recipe
from tunesmith.config.stages import OnlineConfig
from tunesmith.data.training import Prompts
from tunesmith.errors import InputError
from tunesmith.train.job import TrainJob
from tunesmith.train.rewards import build_rewards, required_columns
from tunesmith.train.stages._common import make_trainer, training_args


def prompts_with_reward_columns(cfg: OnlineConfig, recipe: Recipe) -> Prompts:
    """Conversational prompts plus the dataset columns the rewards read (e.g. the reference `answer`)."""
    return Prompts(columns=tuple(required_columns(cfg.rewards)))


def check_batch(recipe: Recipe, num_generations: int, has_eval: bool) -> None:
    """Every step trains on whole groups of completions per prompt, so the batches must hold whole groups."""
    t = recipe.train
    per_step = t.batch_size * t.gradient_accumulation
    if per_step % num_generations:
        raise InputError(
            "recipe: key 'stage.num_generations'",
            f"train.batch_size × train.gradient_accumulation ({per_step}) must be a multiple of num_generations "
            f"({num_generations}): each step trains on whole groups of completions per prompt",
        )
    if has_eval and t.batch_size % num_generations:
        raise InputError(
            "recipe: key 'train.batch_size'",
            f"evaluation generates in batches of batch_size ({t.batch_size}); expected a multiple of "
            f"num_generations ({num_generations})",
        )


def build_online_trainer(trainer_class, config_class, stage_fields: dict, job: TrainJob, cfg: OnlineConfig):
    """A GRPO/RLOO trainer with the recipe's rewards; the best checkpoint is the one with the highest eval reward."""
    check_batch(job.recipe, cfg.num_generations, job.has_eval)
    rewards = build_rewards(cfg.rewards)
    args = config_class(
        **training_args(job, config_class, "eval_reward", greater_is_better=True),
        num_generations=cfg.num_generations,
        max_completion_length=cfg.max_completion_length,
        temperature=cfg.temperature,
        top_p=cfg.top_p,
        epsilon=cfg.epsilon,
        num_iterations=cfg.num_iterations,
        mask_truncated_completions=cfg.mask_truncated_completions,
        log_completions=cfg.log_completions,
        reward_weights=[r.weight for r in rewards],
        **stage_fields,
    )
    return make_trainer(
        trainer_class,
        job,
        args,
        reward_funcs=[r.func for r in rewards],
        reward_processing_classes=[r.processing_class for r in rewards],
    )
