"""What every stage shares: the recipe's `train` section as TrainingArguments fields, and building the trainer."""

from __future__ import annotations

from transformers import TrainerCallback

from tunesmith.train.job import TrainJob
from tunesmith.train.precision import has_cuda
from tunesmith.train.sharding import sharding_args


def checkpointing_key(config_class) -> str:
    """transformers 5.x renamed `gradient_checkpointing` to `activation_checkpointing`; use whichever exists."""
    fields = config_class.__dataclass_fields__
    return "activation_checkpointing" if "activation_checkpointing" in fields else "gradient_checkpointing"


def training_args(job: TrainJob, config_class, best_metric: str = "eval_loss", greater_is_better: bool = False) -> dict:
    """The recipe's `train` section as keyword arguments of `config_class` (a TRL config; their names on the left).

    `best_metric` picks the checkpoint kept at the end (e.g. `eval_reward` for online RL, where higher is better).
    """
    t, run, precision, has_eval = job.recipe.train, job.run, job.precision, job.has_eval
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


def make_trainer(trainer_class, job: TrainJob, args, **extra):
    """A TRL trainer over the job's data with its callbacks (plus early stopping when asked), no raw-log printing.

    `optimizer`, when a method builds its own (parameter groups with their own learning rates), replaces the
    trainer's default AdamW; the learning-rate schedule is still the recipe's.
    """
    from transformers import EarlyStoppingCallback, PrinterCallback

    callbacks = list(job.callbacks)
    patience = job.recipe.train.early_stopping_patience
    if patience and job.has_eval:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=patience))
    trainer = trainer_class(
        model=job.model,
        args=args,
        train_dataset=job.data.train,
        eval_dataset=job.data.validation,
        processing_class=job.tokenizer,
        callbacks=callbacks,
        optimizers=(job.optimizer, None),
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
