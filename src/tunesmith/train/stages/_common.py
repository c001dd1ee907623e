"""What every stage shares: the recipe's `train` section as TrainingArguments fields, and building the trainer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from transformers import TrainerCallback

from tunesmith.config import Recipe
from tunesmith.runs import RunDir
from tunesmith.train.precision import has_cuda
from tunesmith.train.sharding import sharding_args


def train_and_validation(recipe: Recipe, load: Callable[[Path], object]):
    """(train, validation or None): `load(data.validation)` if given, else a seeded `validation_split` share."""
    cfg = recipe.data
    train = load(cfg.train)
    if cfg.validation is not None:
        return train, load(cfg.validation)
    if cfg.validation_split > 0 and len(train) >= 10:
        split = train.train_test_split(test_size=cfg.validation_split, seed=recipe.train.seed)
        return split["train"], split["test"]
    return train, None


def checkpointing_key(config_class) -> str:
    """transformers 5.x renamed `gradient_checkpointing` to `activation_checkpointing`; use whichever exists."""
    fields = config_class.__dataclass_fields__
    return "activation_checkpointing" if "activation_checkpointing" in fields else "gradient_checkpointing"


def training_args(
    recipe: Recipe,
    run: RunDir,
    precision: str,
    has_eval: bool,
    config_class,
    best_metric: str = "eval_loss",
    greater_is_better: bool = False,
) -> dict:
    """The recipe's `train` section as keyword arguments of `config_class` (a TRL config; their names on the left).

    `best_metric` picks the checkpoint kept at the end (e.g. `eval_reward` for online RL, where higher is better).
    """
    t = recipe.train
    keep_best = t.keep_best and has_eval
    save_steps = t.save_steps or t.eval_steps
    if keep_best and save_steps % t.eval_steps:
        save_steps = t.eval_steps  # the best checkpoint can only be one that was evaluated
    return {
        "output_dir": str(run.checkpoints),
        "num_train_epochs": t.epochs,
        "max_steps": t.max_steps,
        "per_device_train_batch_size": t.batch_size,
        "per_device_eval_batch_size": t.batch_size,
        "gradient_accumulation_steps": t.gradient_accumulation,
        "learning_rate": t.learning_rate,
        "lr_scheduler_type": t.scheduler,
        "warmup_steps": t.warmup_ratio,
        "weight_decay": t.weight_decay,
        "max_grad_norm": t.max_grad_norm,
        checkpointing_key(config_class): t.activation_checkpointing,
        "bf16": precision == "bf16",
        "fp16": precision == "fp16",
        "use_cpu": not has_cuda(),
        "seed": t.seed,
        "data_seed": t.seed,
        "logging_steps": t.logging_steps,
        "eval_strategy": "steps" if has_eval else "no",
        "eval_steps": t.eval_steps,
        "save_strategy": "steps",
        "save_steps": save_steps,
        "save_total_limit": 2 if keep_best else 1,
        "load_best_model_at_end": keep_best,
        "metric_for_best_model": best_metric,
        "greater_is_better": greater_is_better,
        "report_to": "none",
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
        "torch_compile": t.compile,
        **sharding_args(t.fsdp, t.deepspeed),
    }


def make_trainer(trainer_class, model, tokenizer, args, datasets, recipe: Recipe, callbacks, optimizer, **extra):
    """A TRL trainer over (train, eval) with our callbacks (plus early stopping when asked) and no raw-log printing.

    `optimizer`, when a method builds its own (parameter groups with their own learning rates), replaces the
    trainer's default AdamW; the learning-rate schedule is still the recipe's.
    """
    from transformers import EarlyStoppingCallback, PrinterCallback

    train_ds, eval_ds = datasets
    callbacks = list(callbacks)
    if recipe.train.early_stopping_patience and eval_ds is not None:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=recipe.train.early_stopping_patience))
    trainer = trainer_class(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=tokenizer,
        callbacks=callbacks,
        optimizers=(optimizer, None),
        **extra,
    )
    trainer.remove_callback(PrinterCallback)  # it prints raw log dicts; progress goes through our callbacks
    if "ref" in getattr(trainer.model, "peft_config", {}):
        trainer.add_callback(DropReferenceAdapter())
    return trainer


class DropReferenceAdapter(TrainerCallback):
    """Delete the frozen "ref" adapter TRL adds to a PEFT model when training ends, so only the trained one is saved.

    DPO, KTO, GRPO and RLOO copy the starting adapter into a frozen "ref" adapter to score the reference policy (for
    a fresh LoRA that is the base model itself; after SFT, the SFT model). It must not end up in the run's output.
    """

    def on_train_end(self, args, state, control, model=None, **kwargs):
        if model is not None and "ref" in getattr(model, "peft_config", {}):
            model.delete_adapter("ref")
