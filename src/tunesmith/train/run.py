"""`train(recipe)`: validate everything, then fine-tune into a run directory that can be resumed."""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from tunesmith.atomic import atomic_dir, write_text
from tunesmith.config import Recipe, dump_recipe
from tunesmith.errors import InputError
from tunesmith.models.loading import load_model, load_tokenizer
from tunesmith.models.resolve import resolve_model
from tunesmith.models.templates import training_template
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir, checkpoint_step, read_jsonl
from tunesmith.train import distributed
from tunesmith.train.attention import attention_implementation
from tunesmith.train.methods import (
    TrainingPlan,
    apply_method,
    count_parameters,
    method_callbacks,
    method_checkpoints_reload,
    method_optimizer,
    method_preflight,
    method_quantization,
    method_trains_base,
)
from tunesmith.train.precision import frozen_weights, has_cuda, resolve_precision, trainable_in_float32
from tunesmith.train.sharding import check_gpu_only
from tunesmith.train.stages import stage_module
from tunesmith.train.stages._metrics import held_out_metrics


@dataclass(frozen=True)
class TrainResult:
    """What a finished run reports (also written to `summary.json`)."""

    run_dir: str
    steps: int
    train_examples: int
    train_loss: float | None
    best_eval_loss: float | None
    held_out: dict[str, float]  # alignment stages: last reward accuracy / margins / mean reward on validation
    trainable_params: int
    total_params: int
    precision: str
    train_seconds: float
    resumed_from: str | None


def train(
    recipe: Recipe,
    resume: bool = False,
    overwrite: bool = False,
    progress: Progress = SILENT,
    callbacks: list | None = None,
    start_from: Path | None = None,
) -> TrainResult:
    """Fine-tune per `recipe`; bad input fails before the run directory is created (or, with `overwrite`, replaced).

    `callbacks` are extra transformers TrainerCallbacks (a sweep's pruning, for instance). `start_from` is an
    earlier run (the previous stage of a chain): its adapter trains on, or its full model is the starting point.
    """
    method_preflight(recipe.method)  # e.g. QLoRA without a GPU: say so before loading anything
    if not method_checkpoints_reload(recipe.method) and recipe.train.keep_best:
        progress.note(f"train.keep_best is off: PEFT cannot load '{recipe.method.name}' checkpoints back (peft#2256)")
    recipe = _without_unreloadable_checkpoints(recipe, resume)
    run = RunDir(recipe.run_dir)
    if distributed.is_main():  # under torchrun, rank 0 owns the run directory
        _check_run_dir(run, resume or overwrite)
    distributed.init_process_group()
    stage = stage_module(recipe.stage.name)
    train_ds, eval_ds = stage.load_datasets(recipe)
    model_path = resolve_model(recipe.model, progress)
    if recipe.forgetting.replay > 0:
        train_ds = _with_replay(train_ds, recipe, model_path, progress)
    tokenizer = load_tokenizer(str(RunDir(start_from).final) if start_from else model_path)
    own_template = tokenizer.chat_template
    if recipe.train.loss_on == "assistant" and getattr(stage, "USES_TRAINING_TEMPLATE", False):
        tokenizer.chat_template = _training_template_or_fail(tokenizer, recipe.model)
    precision = resolve_precision(recipe.train.precision)
    check_gpu_only(recipe.train, has_cuda())

    plan = training_plan(recipe, len(train_ds))
    from transformers import set_seed

    set_seed(recipe.train.seed)  # adapter initialisation is part of the run: same recipe, same start
    quantization = method_quantization(recipe.method)
    attention = attention_implementation(recipe.train.attention)
    trains_base = method_trains_base(recipe.method)
    frozen = frozen_weights(recipe.train.frozen_weights, precision, trains_base, quantized=quantization is not None)
    dtype = "bfloat16" if frozen == "bf16" else "float32"
    loader = getattr(stage, "load_model", load_model)  # e.g. the reward stage's sequence-classification head
    if start_from is not None and RunDir(start_from).is_adapter():
        model = _continue_adapter(loader(model_path, dtype=dtype, attn_implementation=attention), RunDir(start_from))
    else:
        start = str(RunDir(start_from).final) if start_from else model_path
        base = loader(start, dtype=dtype, quantization_config=quantization, attn_implementation=attention)
        model = apply_method(base, recipe.method, plan)
    if dtype == "bfloat16":
        trainable_in_float32(model)  # a bf16 base, fp32 adapters
    trainable, total = count_parameters(model)

    main = distributed.is_main()
    if overwrite and not resume and main:
        shutil.rmtree(run.root, ignore_errors=True)
    created = main and not run.root.exists()
    if main:
        run.root.mkdir(parents=True, exist_ok=True)
    try:
        checkpoint = run.last_checkpoint() if resume else None
        if main:
            write_text(run.recipe, dump_recipe(recipe))
            _drop_metrics_after(run, checkpoint)
        distributed.barrier()  # the other ranks start once rank 0 has the run directory ready
        trainer = _build_trainer(stage, model, tokenizer, (train_ds, eval_ds), recipe, run, precision, plan, progress)
        for callback in callbacks or []:
            trainer.add_callback(callback)
    except BaseException:
        if created:  # nothing trained yet: leave no half-made run directory behind
            shutil.rmtree(run.root, ignore_errors=True)
        raise
    started = time.time()
    output = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    seconds = time.time() - started

    tokenizer.chat_template = own_template
    if main:
        with atomic_dir(run.final) as tmp:
            trainer.save_model(str(tmp))
            tokenizer.save_pretrained(str(tmp))
    result = TrainResult(
        run_dir=str(run.root),
        steps=trainer.state.global_step,
        train_examples=len(train_ds),
        train_loss=output.training_loss,
        best_eval_loss=_best_eval_loss(run),
        held_out=held_out_metrics(read_jsonl(run.metrics)),
        trainable_params=trainable,
        total_params=total,
        precision=precision,
        train_seconds=round(seconds, 1),
        resumed_from=str(checkpoint) if checkpoint else None,
    )
    if main:
        write_text(run.summary, json.dumps(asdict(result), indent=2))
        from tunesmith.train.plots import plot_losses

        plot_losses(read_jsonl(run.metrics), run.loss_plot)
    distributed.barrier()  # a chain's next stage, on every rank, starts from the saved output
    return result


def training_plan(recipe: Recipe, train_examples: int) -> TrainingPlan:
    """The optimizer steps this run will take (as the trainer counts them) and its optimizer settings."""
    t = recipe.train
    if t.max_steps > 0:
        steps = t.max_steps
    else:
        per_epoch = max(1, math.ceil(train_examples / t.batch_size) // t.gradient_accumulation)
        steps = max(1, math.ceil(per_epoch * t.epochs))
    return TrainingPlan(total_steps=steps, learning_rate=t.learning_rate, weight_decay=t.weight_decay)


def _build_trainer(stage, model, tokenizer, datasets, recipe, run, precision, plan, progress):
    from torch.utils.tensorboard import SummaryWriter
    from transformers.integrations import TensorBoardCallback

    from tunesmith.train.callbacks import MetricsLog, ReportProgress

    callbacks = [
        MetricsLog(run.metrics),
        ReportProgress(progress),
        TensorBoardCallback(SummaryWriter(str(run.tensorboard))),
        *method_callbacks(model, recipe.method, plan),
    ]
    if recipe.forgetting.l2sp > 0:
        from tunesmith.train.l2sp import PullToStart

        callbacks.append(PullToStart(model, recipe.forgetting.l2sp))
    optimizer = method_optimizer(model, recipe.method, plan)
    train_ds, eval_ds = datasets
    return stage.build_trainer(
        model, tokenizer, train_ds, eval_ds, recipe, run, precision, callbacks, optimizer=optimizer
    )


def _with_replay(train_ds, recipe: Recipe, model_path: str, progress: Progress):
    if "messages" not in train_ds.column_names:
        raise InputError(
            "forgetting.replay", f"replay mixes in chat examples; stage '{recipe.stage.name}' trains on other data"
        )
    from tunesmith.train.replay import add_replay

    return add_replay(train_ds, recipe, model_path, progress)


def _continue_adapter(base, previous: RunDir):
    """The previous stage's PEFT adapter on the base, trainable: the next stage trains the same adapter on."""
    if not (previous.final / "adapter_config.json").is_file():
        raise InputError(str(previous.root), "only PEFT adapters (or full models) can start a later stage")
    from peft import PeftModel

    return PeftModel.from_pretrained(base, previous.final, is_trainable=True)


def _without_unreloadable_checkpoints(recipe: Recipe, resume: bool) -> Recipe:
    """Methods whose checkpoints PEFT cannot load back (p-tuning, projected prefixes) train without keep-best."""
    if method_checkpoints_reload(recipe.method):
        return recipe
    if resume:
        raise InputError(
            "--resume",
            f"method '{recipe.method.name}' cannot resume from its checkpoints; start again with --overwrite",
        )
    return recipe.model_copy(update={"train": recipe.train.model_copy(update={"keep_best": False})})


def _check_run_dir(run: RunDir, allowed: bool) -> None:
    if run.root.exists() and any(run.root.iterdir()) and not allowed:
        raise InputError(
            f"output '{run.root}'",
            "run directory already exists; pass --resume to continue it, --overwrite to replace it, "
            "or set output.name=NEW",
        )


def _training_template_or_fail(tokenizer, model_ref: str) -> str:
    template = training_template(tokenizer)
    if template is None:
        raise InputError(
            f"model '{model_ref}'",
            "its chat template has no {% generation %} markers and tunesmith ships none that matches it; "
            "set train.loss_on=all to train on every token",
        )
    return template


def _drop_metrics_after(run: RunDir, checkpoint: Path | None) -> None:
    """On resume, forget metrics logged after the checkpoint (they will be logged again); else start empty."""
    rows = read_jsonl(run.metrics)
    if checkpoint is None:
        kept: list[dict] = []
    else:
        step = checkpoint_step(checkpoint)
        kept = [r for r in rows if r.get("step", 0) <= step]
    write_text(run.metrics, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept))


def _best_eval_loss(run: RunDir) -> float | None:
    losses = [r["eval_loss"] for r in read_jsonl(run.metrics) if "eval_loss" in r]
    return min(losses) if losses else None
