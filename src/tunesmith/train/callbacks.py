"""Trainer callbacks: metrics to `metrics.jsonl`, progress to the one progress helper, and cooperative cancel."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from transformers import TrainerCallback

from tunesmith.progress import Progress
from tunesmith.runs import append_jsonl
from tunesmith.train.job import TrainJob


class MetricsLog(TrainerCallback):
    """Append every trainer log (train loss, learning rate, eval loss) to metrics.jsonl, with tokens/s.

    Only runs when the trainer logs (every `logging_steps`), so it adds no per-step host sync.
    """

    def __init__(self, path: Path):
        self.path = path
        self._train_seconds = 0.0  # time inside training steps only, so evaluation does not dilute tokens/s
        self._step_started = 0.0
        self._last: tuple[float, float] | None = None

    def on_step_begin(self, args, state, control, **kwargs):
        self._step_started = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self._train_seconds += time.perf_counter() - self._step_started

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        row = {
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "time": round(time.time(), 3),
        }
        row.update({k: v for k, v in logs.items() if isinstance(v, (int, float))})
        tokens = logs.get("num_tokens")
        if tokens is not None and "loss" in logs:
            spent = self._train_seconds
            if self._last is not None and spent > self._last[0]:
                row["tokens_per_second"] = round((tokens - self._last[1]) / (spent - self._last[0]), 1)
            self._last = (spent, tokens)
        append_jsonl(self.path, row)


class ReportProgress(TrainerCallback):
    """Forward step counts and the latest losses to a `Progress`, e.g. a rich bar with ETA."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.info: dict[str, float] = {}

    def on_train_begin(self, args, state, control, **kwargs):
        self.progress.start("train", state.max_steps)
        self.progress.update("train", state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        for key in ("loss", "eval_loss", "aux_loss", "expert_load_max"):  # the last two: MoE models
            if logs and key in logs:
                self.info[key] = float(logs[key])  # shown to 4 significant digits by whoever renders it

    def on_step_end(self, args, state, control, **kwargs):
        self.progress.update("train", state.global_step, **self.info)

    def on_train_end(self, args, state, control, **kwargs):
        self.progress.finish("train")


class StopWhenCancelled(TrainerCallback):
    """Cooperative cancel: once `cancel` is set (from any thread), stop at the next step boundary after saving a
    checkpoint there, so `train(recipe, resume=True)` continues from exactly that step."""

    def __init__(self, cancel: threading.Event):
        self.cancel = cancel
        self.stopped = False

    def on_step_end(self, args, state, control, **kwargs):
        if self.cancel.is_set():
            control.should_save = True
            control.should_training_stop = True
            self.stopped = True


def run_callbacks(job: TrainJob, progress: Progress) -> list[TrainerCallback]:
    """What every run records: metrics.jsonl, progress, TensorBoard, the L2-SP pull when the recipe asks, and on a
    mixture-of-experts model the expert load (first, so the share it adds to each log reaches metrics.jsonl)."""
    from torch.utils.tensorboard import SummaryWriter
    from transformers.integrations import TensorBoardCallback

    from tunesmith.train.moe_load import expert_load_callback

    load = expert_load_callback(job.model, job.run.root)
    callbacks = [
        *([load] if load is not None else []),
        MetricsLog(job.run.metrics),
        ReportProgress(progress),
        TensorBoardCallback(SummaryWriter(str(job.run.tensorboard))),
    ]
    if job.recipe.forgetting.l2sp > 0:
        from tunesmith.train.l2sp import PullToStart

        callbacks.append(PullToStart(job.model, job.recipe.forgetting.l2sp))
    return callbacks
