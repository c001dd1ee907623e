"""What the online-RL stages (grpo, rloo) share: prompt data, reward functions, and generation settings.

Each step samples `num_generations` completions per prompt, scores them with the rewards, and moves the policy
toward the better ones. The mean reward per logging step lands in metrics.jsonl as `reward` (and per reward as
`rewards/<name>/mean`), the curve to watch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SerializeAsAny, field_validator

from tunesmith.config import Recipe, StageConfig
from tunesmith.data.formats import detect_format, to_messages
from tunesmith.data.io import read_records
from tunesmith.data.preference import PREFERENCE_FORMATS, looks_like_preference, preference_module, user_prompt
from tunesmith.errors import InputError
from tunesmith.runs import RunDir
from tunesmith.train.data_prep import format_options
from tunesmith.train.rewards import RewardConfig, build_rewards, required_columns, reward_config
from tunesmith.train.stages._common import make_trainer, train_and_validation, training_args


class OnlineConfig(StageConfig):
    """Keys shared by grpo and rloo (TRL's names); `rewards` lists the reward functions, summed by weight."""

    rewards: list[SerializeAsAny[RewardConfig]] = Field(min_length=1)  # dumped with every key of each reward
    num_generations: int = Field(4, ge=2)
    max_completion_length: int = Field(256, ge=1)
    temperature: float = Field(1.0, gt=0)
    top_p: float = Field(1.0, gt=0, le=1)
    epsilon: float = Field(0.2, gt=0)
    num_iterations: int = Field(1, ge=1)
    mask_truncated_completions: bool = False
    log_completions: bool = False

    @field_validator("rewards", mode="before")
    @classmethod
    def _rewards_by_name(cls, value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError("expected a list of rewards, e.g. [{name: json_valid}]")
        return [reward_config(item, i) for i, item in enumerate(value)]


def load_prompt_datasets(recipe: Recipe):
    """(train, validation or None): a `prompt` per record plus the columns the rewards read.

    Records with a `prompt` field give it as is; preference records their prompt, with the chosen reply as the
    `answer` column; chat records every turn before the last assistant reply, whose text is the `answer`.
    """
    columns = required_columns(recipe.stage.rewards)
    return train_and_validation(recipe, lambda path: _prompts(path, recipe, columns))


def _prompts(path: Path, recipe: Recipe, columns: list[str]):
    from datasets import Dataset

    options = format_options(recipe.data)
    records = read_records(path)
    fmt = recipe.data.format
    if fmt == "auto":
        first = records[0][1]
        fmt = looks_like_preference(first) or ("prompt" if options.column("prompt") in first else None)
        fmt = fmt or detect_format(records, options)
    rows = []
    for where, record in records:
        row = _prompt_row(record, where, fmt, options)
        if row is None:
            continue  # a rated record whose completions all tie still has no preferred answer
        missing = next((c for c in columns if row.get(c) is None), None)
        if missing is not None:
            raise InputError(where, f"field '{missing}' is missing; expected it for the rewards that read it")
        rows.append({"prompt": row["prompt"], **{c: str(row[c]) for c in columns}})
    return Dataset.from_list(rows)


def _prompt_row(record: dict, where: str, fmt: str, options) -> dict | None:
    """The record with its conversational `prompt` (and `answer`, where the data has a preferred reply)."""
    if fmt == "prompt":
        column = options.column("prompt")
        return {**record, "prompt": user_prompt(record.get(column), column, where)}
    if fmt in PREFERENCE_FORMATS:
        row = preference_module(fmt).to_row(record, where, options)
        if isinstance(row, str):
            return None
        answer = row["chosen"][-1]["content"] if "chosen" in row else None
        return {**record, "prompt": row["prompt"], "answer": record.get("answer", answer)}
    messages = to_messages(record, where, fmt, options)
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    turns = [{"role": m["role"], "content": m["content"]} for m in messages[:last]]
    return {**record, "prompt": user_prompt(turns, "messages", where), "answer": messages[last]["content"]}


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


def build_online_trainer(
    trainer_class, config_class, stage_fields: dict, model, tokenizer, datasets, recipe: Recipe, run: RunDir,
    precision: str, callbacks, optimizer,
):  # fmt: skip
    """A GRPO/RLOO trainer with the recipe's rewards; the best checkpoint is the one with the highest eval reward."""
    cfg: OnlineConfig = recipe.stage
    has_eval = datasets[1] is not None
    check_batch(recipe, cfg.num_generations, has_eval)
    rewards = build_rewards(cfg.rewards)
    args = config_class(
        **training_args(recipe, run, precision, has_eval, config_class, "eval_reward", greater_is_better=True),
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
        trainer_class, model, tokenizer, args, datasets, recipe, callbacks, optimizer,
        reward_funcs=[r.func for r in rewards],
        reward_processing_classes=[r.processing_class for r in rewards],
    )  # fmt: skip
