"""Supervised fine-tuning on chat data with TRL's SFTTrainer (loss on assistant replies, or on all tokens)."""

from __future__ import annotations

from tunesmith.config import Recipe, TrainConfig
from tunesmith.config.stages import SftConfig as Config
from tunesmith.data.training import Chat
from tunesmith.train.job import TrainJob
from tunesmith.train.stages._common import make_trainer, training_args
from tunesmith.train.stages.base import Stage


def chat_data(cfg: Config, recipe: Recipe) -> Chat:
    """Canonical `messages`; with `train.cache_tokenized`, read from content-addressed copies on disk, where
    datasets caches TRL's tokenization for the next run."""
    return Chat(cached=recipe.train.cache_tokenized)


def sft_config(job: TrainJob, kernels: str = "none"):
    """Translate the recipe's `train` section into TRL's SFTConfig (TRL/transformers names on the right).

    `kernels` is `train.kernels` resolved for this machine (tunesmith.train.speedups.kernels)."""
    from trl import SFTConfig

    t = job.recipe.train
    return SFTConfig(
        **training_args(job, SFTConfig),
        max_length=t.max_length,
        packing=t.packing,
        packing_strategy="bfd",
        train_sampling_strategy="group_by_length" if groups_by_length(t) else "random",
        assistant_only_loss=t.loss_on == "assistant",
        pad_to_multiple_of=t.pad_to_multiple_of,
        use_liger_kernel=kernels == "liger",
    )


def groups_by_length(t: TrainConfig) -> bool:
    """Whether batches come from transformers' LengthGroupedSampler (asked for, and not packed)."""
    return t.group_by_length and not t.packing


def build_trainer(job: TrainJob, cfg: Config):
    """An SFTTrainer over canonical `messages` datasets; the job's tokenizer must carry a training chat template.

    On CPU it scores only labelled positions, with the attention kernel picked per batch (train/speedups/)."""
    from tunesmith.train.precision import has_cuda
    from tunesmith.train.speedups.attention import switches_per_batch
    from tunesmith.train.speedups.kernels import resolve_kernels
    from tunesmith.train.speedups.sft_trainer import SpeedSFTTrainer

    kernels = resolve_kernels(job.recipe.train.kernels, has_cuda())
    job.model.config.use_cache = False  # the KV cache is useless in training and breaks packed attention
    return make_trainer(
        SpeedSFTTrainer,
        job,
        sft_config(job, kernels),
        kernel_per_batch=switches_per_batch(job.recipe.train.attention),
        lean_layers=kernels == "lean",
    )


STAGE = Stage(needs=chat_data, build_trainer=build_trainer, uses_training_template=True)
