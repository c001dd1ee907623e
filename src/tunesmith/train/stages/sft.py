"""Supervised fine-tuning on chat data with TRL's SFTTrainer (loss on assistant replies, or on all tokens)."""

from __future__ import annotations

from typing import Literal

from tunesmith.config import Recipe, StageConfig
from tunesmith.runs import RunDir
from tunesmith.train.stages._common import make_trainer, training_args

USES_TRAINING_TEMPLATE = True  # loss_on: assistant needs a chat template with {% generation %} markers


class Config(StageConfig):
    name: Literal["sft"] = "sft"


def load_datasets(recipe: Recipe):
    """(train, validation or None) as canonical `messages` datasets; with `train.cache_tokenized`, read from their
    content-addressed copies on disk, where datasets caches TRL's tokenization for the next run."""
    from tunesmith.train.data_prep import load_train_and_validation
    from tunesmith.train.dataset_cache import on_disk

    train, validation = load_train_and_validation(recipe.data, recipe.train.seed)
    if not recipe.train.cache_tokenized:
        return train, validation
    return on_disk(train), None if validation is None else on_disk(validation)


def sft_config(recipe: Recipe, run: RunDir, precision: str, has_eval: bool, kernels: str = "none"):
    """Translate the recipe's `train` section into TRL's SFTConfig (TRL/transformers names on the right).

    `kernels` is `train.kernels` resolved for this machine (tunesmith.train.kernels)."""
    from trl import SFTConfig

    t = recipe.train
    return SFTConfig(
        **training_args(recipe, run, precision, has_eval, SFTConfig),
        max_length=t.max_length,
        packing=t.packing,
        packing_strategy="bfd",
        train_sampling_strategy="group_by_length" if groups_by_length(t) else "random",
        assistant_only_loss=t.loss_on == "assistant",
        pad_to_multiple_of=t.pad_to_multiple_of,
        use_liger_kernel=kernels == "liger",
    )


def groups_by_length(t) -> bool:
    """Whether batches come from transformers' LengthGroupedSampler (asked for, and not packed)."""
    return t.group_by_length and not t.packing


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """An SFTTrainer over canonical `messages` datasets; `tokenizer` must carry a training chat template.

    `optimizer`, when a method builds its own (parameter groups with their own learning rates), replaces the
    trainer's default AdamW; the learning-rate schedule is still the recipe's.
    """
    from tunesmith.train.attention import switches_per_batch
    from tunesmith.train.kernels import resolve_kernels
    from tunesmith.train.precision import has_cuda
    from tunesmith.train.stages._labelled_head import sft_trainer_class

    kernels = resolve_kernels(recipe.train.kernels, has_cuda())
    args = sft_config(recipe, run, precision, has_eval=eval_ds is not None, kernels=kernels)
    model.config.use_cache = False  # the KV cache is useless in training and breaks packed attention
    # TRL's SFTTrainer, scoring only labelled positions on CPU, with the attention kernel picked per batch there
    per_batch = switches_per_batch(recipe.train.attention)
    trainer_class = sft_trainer_class(kernel_per_batch=per_batch, lean_layers=kernels == "lean")
    return make_trainer(trainer_class, model, tokenizer, args, (train_ds, eval_ds), recipe, callbacks, optimizer)
