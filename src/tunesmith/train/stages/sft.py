"""Supervised fine-tuning on chat data with TRL's SFTTrainer (loss on assistant replies, or on all tokens)."""

from __future__ import annotations

from typing import Literal

from tunesmith.config import Recipe, StageConfig
from tunesmith.runs import RunDir
from tunesmith.train.precision import has_cuda


class Config(StageConfig):
    name: Literal["sft"] = "sft"


def load_datasets(recipe: Recipe):
    """(train, validation or None) as canonical `messages` datasets."""
    from tunesmith.train.data_prep import load_train_and_validation

    return load_train_and_validation(recipe.data, recipe.train.seed)


def _checkpointing_key() -> str:
    """transformers 5.x renamed `gradient_checkpointing` to `activation_checkpointing`; use whichever exists."""
    from trl import SFTConfig

    return (
        "activation_checkpointing"
        if "activation_checkpointing" in SFTConfig.__dataclass_fields__
        else "gradient_checkpointing"
    )


def sft_config(recipe: Recipe, run: RunDir, precision: str, has_eval: bool, use_cpu: bool):
    """Translate the recipe's `train` section into TRL's SFTConfig (TRL/transformers names on the right)."""
    from trl import SFTConfig

    t = recipe.train
    checkpointing = {_checkpointing_key(): t.activation_checkpointing}
    keep_best = t.keep_best and has_eval
    save_steps = t.save_steps or t.eval_steps
    if keep_best and save_steps % t.eval_steps:
        save_steps = t.eval_steps  # the best checkpoint can only be one that was evaluated
    return SFTConfig(
        output_dir=str(run.checkpoints),
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.batch_size,
        gradient_accumulation_steps=t.gradient_accumulation,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.scheduler,
        warmup_steps=t.warmup_ratio,
        weight_decay=t.weight_decay,
        max_grad_norm=t.max_grad_norm,
        max_length=t.max_length,
        packing=t.packing,
        packing_strategy="bfd",
        **checkpointing,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        use_cpu=use_cpu,
        seed=t.seed,
        data_seed=t.seed,
        assistant_only_loss=t.loss_on == "assistant",
        logging_steps=t.logging_steps,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=t.eval_steps,
        save_strategy="steps",
        save_steps=save_steps,
        save_total_limit=2 if keep_best else 1,
        load_best_model_at_end=keep_best,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
    )


def build_trainer(
    model, tokenizer, train_ds, eval_ds, recipe: Recipe, run: RunDir, precision: str, callbacks, optimizer=None
):
    """An SFTTrainer over canonical `messages` datasets; `tokenizer` must carry a training chat template.

    `optimizer`, when a method builds its own (parameter groups with their own learning rates), replaces the
    trainer's default AdamW; the learning-rate schedule is still the recipe's.
    """
    from transformers import EarlyStoppingCallback, PrinterCallback
    from trl import SFTTrainer

    args = sft_config(recipe, run, precision, has_eval=eval_ds is not None, use_cpu=not has_cuda())
    callbacks = list(callbacks)
    if recipe.train.early_stopping_patience and eval_ds is not None:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=recipe.train.early_stopping_patience))
    model.config.use_cache = False  # the KV cache is useless in training and breaks packed attention
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=tokenizer,
        callbacks=callbacks,
        optimizers=(optimizer, None),
    )
    trainer.remove_callback(PrinterCallback)  # it prints raw log dicts; progress goes through our callbacks
    return trainer
