"""`train(recipe)`: plan → data → model → trainer → fit → save, into a run directory that can be resumed.

Bad input fails before the run directory is created (or, with `overwrite`, replaced). A `cancel` event set from
another thread stops the run at the next step boundary, after saving a checkpoint; `train(recipe, resume=True)`
then continues it to the same final step and loss, so pause is cancel plus resume.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from tunesmith.atomic import atomic_dir, write_text
from tunesmith.config import Recipe
from tunesmith.progress import SILENT, Progress
from tunesmith.runs import RunDir, read_jsonl
from tunesmith.train import distributed
from tunesmith.train.callbacks import StopWhenCancelled, run_callbacks
from tunesmith.train.job import TrainJob
from tunesmith.train.methods import count_parameters, find_method
from tunesmith.train.metrics import held_out_metrics
from tunesmith.train.setup import (
    check_before_loading,
    length_limit,
    load_model_for,
    load_stage_data,
    load_tokenizer_for,
    open_run_dir,
    training_plan,
    with_auto_values,
    with_replay,
    with_tool_format,
)
from tunesmith.train.stages import find_stage


@dataclass(frozen=True)
class TrainResult:
    """What a run reports (also written to `summary.json` when it finishes)."""

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
    cancelled: bool = False  # stopped by `cancel` at `steps`, with a checkpoint there; resume to finish
    already_complete: bool = False  # `resume` found the run finished: nothing trained, nothing rewritten
    overlong: dict[str, dict] = field(default_factory=dict)  # chat data: records over train.max_length, by file


def train(
    recipe: Recipe,
    resume: bool = False,
    overwrite: bool = False,
    progress: Progress = SILENT,
    callbacks: list | None = None,
    start_from: Path | None = None,
    cancel: threading.Event | None = None,
) -> TrainResult:
    """Fine-tune per `recipe`; `progress` receives every event (steps, losses, notes).

    `callbacks` are extra transformers TrainerCallbacks (a sweep's pruning, for instance). `start_from` is an
    earlier run (the previous stage of a chain): its adapter trains on, or its full model is the starting point.
    """
    stage, method = find_stage(recipe.stage.name), find_method(recipe.method.name)
    if resume and (done := finished_run(RunDir(recipe.run_dir), recipe)) is not None:
        return done  # already complete: nothing trained, nothing in the run directory rewritten
    recipe, run, precision = check_before_loading(recipe, method, resume, overwrite, progress)
    distributed.init_process_group()

    tokenizer, own_template = load_tokenizer_for(recipe, stage, start_from, progress)
    lengths = length_limit(recipe, tokenizer, progress)  # chat records over train.max_length: counted, reported
    data = load_stage_data(recipe, stage, lengths)
    data = with_replay(data, recipe, progress)
    recipe = with_auto_values(recipe, len(data.train), lengths, progress)
    plan = training_plan(recipe, len(data.train))

    data = with_tool_format(data, tokenizer, recipe.train.cache_tokenized)
    model = load_model_for(recipe, stage, method, plan, precision, start_from, progress)
    trainable, total = count_parameters(model)

    with open_run_dir(run, recipe, resume, overwrite) as checkpoint:
        job = TrainJob(recipe, run, model, tokenizer, data, precision, plan)
        job.optimizer = method.optimizer(model, recipe.method, plan)
        job.callbacks = run_callbacks(job, progress) + method.callbacks(model, recipe.method, plan)
        trainer = stage.build_trainer(job, recipe.stage)
        stopper = StopWhenCancelled(cancel or threading.Event())
        for callback in [*(callbacks or []), stopper]:
            trainer.add_callback(callback)

    started = time.time()
    output = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    tokenizer.chat_template = own_template
    result = summarize(job, trainer, output, checkpoint, time.time() - started, stopper.stopped, (trainable, total))
    result = replace(result, overlong={path: counts.as_dict() for path, counts in lengths.found.items()})
    if result.cancelled:
        progress.note(f"cancelled at step {result.steps}: checkpoint saved; train again with resume to finish")
    elif distributed.is_main():
        save_outputs(job, trainer, result)
    distributed.barrier()  # a chain's next stage, on every rank, starts from the saved output
    return result


def finished_run(run: RunDir, recipe: Recipe) -> TrainResult | None:
    """The saved result of a run that finished (it has `summary.json`), unless the recipe now asks for more steps
    than it took (`train.max_steps` raised: resuming trains on to the new end); None when there is work to do."""
    if not run.summary.is_file() or not run.final.is_dir():
        return None
    saved = json.loads(run.summary.read_text(encoding="utf-8"))
    if recipe.train.max_steps > saved.get("steps", 0):
        return None
    known = {f.name for f in fields(TrainResult)}
    saved = {k: v for k, v in saved.items() if k in known and k != "already_complete"}
    return TrainResult(**saved, already_complete=True)


def summarize(job: TrainJob, trainer, output, checkpoint: Path | None, seconds: float, stopped: bool, params):
    """The run's TrainResult; `stopped` by cancel counts as cancelled only before the last step."""
    rows = read_jsonl(job.run.metrics)
    eval_losses = [r["eval_loss"] for r in rows if "eval_loss" in r]
    return TrainResult(
        run_dir=str(job.run.root),
        steps=trainer.state.global_step,
        train_examples=len(job.data.train),
        train_loss=output.training_loss,
        best_eval_loss=min(eval_losses) if eval_losses else None,
        held_out=held_out_metrics(rows),
        trainable_params=params[0],
        total_params=params[1],
        precision=job.precision,
        train_seconds=round(seconds, 1),
        resumed_from=str(checkpoint) if checkpoint else None,
        cancelled=stopped and trainer.state.global_step < trainer.state.max_steps,
    )


def save_outputs(job: TrainJob, trainer, result: TrainResult) -> None:
    """The trained adapter or model with its tokenizer (atomically), `summary.json` and the loss plot."""
    from tunesmith.train.plots import plot_losses

    with atomic_dir(job.run.final) as tmp:
        trainer.save_model(str(tmp))
        job.tokenizer.save_pretrained(str(tmp))
    write_text(job.run.summary, json.dumps(asdict(result), indent=2))
    plot_losses(read_jsonl(job.run.metrics), job.run.loss_plot)
