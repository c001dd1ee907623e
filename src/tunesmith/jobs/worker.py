"""One job's training, in its own process: `python -m tunesmith.jobs.worker JOB_ID JOB_FOLDER`.

The store's URL comes in the environment (`TUNESMITH_JOBS_STORE`), never in argv, since it may hold a password.
SIGTERM asks for a cooperative stop (a checkpoint at the next step boundary, then exit 0 with the result marked
cancelled). A job folder with a checkpoint resumes from it, so a worker killed outright (with its server) loses
only the steps since the last epoch. Steps, evaluations and checkpoints become events keyed by their step, so a
resumed worker that repeats steps cannot report them twice. The outcome goes to `outcome.json`; messages name
files by their ids and never carry a server path or a stack trace.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

from transformers import TrainerCallback

from tunesmith.atomic import atomic_dir, write_text
from tunesmith.config import load_recipe
from tunesmith.errors import InputError
from tunesmith.jobs.folder import JobFolder
from tunesmith.jobs.store import Checkpoint, Job, JobStore, model_name, now
from tunesmith.runs import RunDir

STORE_ENV = "TUNESMITH_JOBS_STORE"
SHOWN_NAMES = "names.json"  # a recipe job's {server path: the name a person sees}, for its messages
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin")


class JobEvents(TrainerCallback):
    """Report a job's steps, evaluations and checkpoints to the store as OpenAI-style events."""

    def __init__(self, store: JobStore, job: Job, folder: JobFolder):
        self.store, self.job, self.folder = store, job, folder
        self.train_metrics: dict = {}
        self.valid_metrics: dict = {}
        self.clock: tuple[float, int] | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        self.clock = (time.time(), state.global_step)
        if state.max_steps and state.max_steps != self.job.total_steps:  # a recipe job's estimate, now exact
            self.store.update_job(self.job.id, total_steps=state.max_steps)
        if state.global_step == 0:
            self.store.add_event(self.job.id, "Fine-tuning job started", key="started")
        else:
            self.store.add_event(self.job.id, f"Resumed from the checkpoint at step {state.global_step}")

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs, step, total = logs or {}, state.global_step, state.max_steps
        if "loss" in logs:
            self.train_metrics = {"step": step, "train_loss": float(logs["loss"]), "total_steps": total}
            if "mean_token_accuracy" in logs:
                self.train_metrics["train_mean_token_accuracy"] = float(logs["mean_token_accuracy"])
            if "learning_rate" in logs:  # the scheduler's rate at this step, for the UI's curve
                self.train_metrics["learning_rate"] = float(logs["learning_rate"])
            message = f"Step {step}/{total}: training loss={logs['loss']:.4f}"
            self.store.add_event(self.job.id, message, key=f"step-{step}", metrics=self.train_metrics)
        if "eval_loss" in logs:
            self.valid_metrics = {"step": step, "valid_loss": float(logs["eval_loss"]), "total_steps": total}
            if "eval_mean_token_accuracy" in logs:
                self.valid_metrics["valid_mean_token_accuracy"] = float(logs["eval_mean_token_accuracy"])
            message = f"Step {step}/{total}: validation loss={logs['eval_loss']:.4f}"
            self.store.add_event(self.job.id, message, key=f"eval-{step}", metrics=self.valid_metrics)
        self.store.update_job(self.job.id, estimated_finish=self._finish_estimate(step, total), **_tokens(logs))

    def on_save(self, args, state, control, **kwargs):
        step = state.global_step
        if step % args.save_steps and step != state.max_steps:
            return  # a cancel's checkpoint, for resuming only: the job's checkpoints are the epochs' ends
        source, target = Path(args.output_dir) / f"checkpoint-{step}", self.folder.checkpoint(step)
        with atomic_dir(target) as tmp:
            for name in ADAPTER_FILES:
                if (source / name).is_file():
                    shutil.copy2(source / name, tmp / name)
        metrics = {**self.train_metrics, **self.valid_metrics, "step": step}
        metrics.pop("total_steps", None)
        metrics.pop("learning_rate", None)  # OpenAI's checkpoint metrics are losses and accuracies
        name = f"{model_name(self.job)}:ckpt-step-{step}"
        checkpoint = Checkpoint(
            f"ftckpt-{self.job.id[6:]}-{step}", self.job.id, now(), step, metrics, name, str(target)
        )
        if self.store.add_checkpoint(checkpoint):
            self.store.add_event(self.job.id, f"Checkpoint created at step {step}", key=f"checkpoint-{step}")

    def _finish_estimate(self, step: int, total: int) -> int | None:
        if self.clock is None or step <= self.clock[1]:
            return None
        per_step = (time.time() - self.clock[0]) / (step - self.clock[1])
        return int(time.time() + per_step * (total - step))


def run_job(store: JobStore, job: Job, folder: JobFolder, recipe, cancel: threading.Event) -> dict:
    """Train the job (resuming from its last checkpoint when there is one); the outcome to write."""
    from tunesmith.train.run import train

    resume = RunDir(folder.run).last_checkpoint() is not None
    result = train(
        recipe, resume=resume, overwrite=not resume, callbacks=[JobEvents(store, job, folder)], cancel=cancel
    )
    return {"result": asdict(result)}


def main(argv: list[str] | None = None) -> int:
    job_id, root = argv if argv is not None else sys.argv[1:]
    folder = JobFolder(Path(root))
    store = JobStore(os.environ[STORE_ENV])
    job = store.get_job(job_id, any_key=True)
    recipe = load_recipe(folder.recipe)
    names = {str(recipe.data.train): job.training_file, str(folder.root): "the job"}
    if recipe.data.validation is not None:
        names[str(recipe.data.validation)] = job.validation_file or "the validation file"
    shown = _shown_names(folder)
    names = {**shown, **{path: name for path, name in names.items() if path not in shown}}
    cancel = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: cancel.set())
    with _exclusive(folder):
        try:
            outcome, status = run_job(store, job, folder, recipe, cancel), 0
        except InputError as exc:
            outcome, status = {"error": {"code": "invalid_input", "message": _scrub(str(exc), names)}}, 2
        except Exception as exc:  # noqa: BLE001 - any failure ends the job with a message, never a traceback
            message = f"Training failed ({type(exc).__name__}: {_scrub(str(exc), names)})"
            outcome, status = {"error": {"code": "training_failed", "message": message}}, 1
            import traceback

            traceback.print_exc()  # into worker.log, for the operator
        write_text(folder.outcome, json.dumps(outcome))
    store.close()
    return status


class _exclusive:
    """Hold the job folder's lock, so two workers can never train one job (a stale worker is waited for)."""

    def __init__(self, folder: JobFolder, wait: float = 120.0):
        self.path, self.wait = folder.root / ".lock", wait

    def __enter__(self):
        self.handle = self.path.open("w")
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError("another worker holds this job") from None
                time.sleep(0.5)

    def __exit__(self, *exc):
        self.handle.close()


def _shown_names(folder: JobFolder) -> dict[str, str]:
    """A recipe job's own names for its paths (workspace-relative), longest path first so none is cut short."""
    try:
        names = json.loads((folder.root / SHOWN_NAMES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(sorted(names.items(), key=lambda item: -len(item[0])))


def _tokens(logs: dict) -> dict:
    return {"trained_tokens": int(logs["num_tokens"])} if "num_tokens" in logs else {}


def _scrub(message: str, names: dict[str, str]) -> str:
    """The message with server paths replaced: uploaded files by their ids, the job's folder by 'the job'."""
    for path, name in names.items():
        message = message.replace(path, name)
    return message


if __name__ == "__main__":
    sys.exit(main())
