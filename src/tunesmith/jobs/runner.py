"""The job runner: takes queued jobs from the store in order and trains each in a worker process.

One worker per device by default (one on a CPU machine), each in its own process, so a crash in training cannot
take the server down. A worker dies with the thread that started it (Linux `PR_SET_PDEATHSIG`), so a server
killed with `kill -9` leaves no orphan training; when it starts again, `recover` puts its `running` jobs back in
the queue to resume from their last checkpoints. Cancel and pause are cooperative stops (SIGTERM): the worker
saves a checkpoint at the next step boundary, and resume continues from it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunesmith.jobs.files import save_blob
from tunesmith.jobs.folder import JobFolder, job_folder
from tunesmith.jobs.store import Job, JobStore, StoredFile, model_name, new_id, now
from tunesmith.jobs.worker import STORE_ENV
from tunesmith.runs import RunDir, read_jsonl


@dataclass
class Running:
    job_id: str
    process: subprocess.Popen
    slot: int


class JobRunner:
    """Runs the store's queued jobs, `slots` at a time; `on_succeeded(job)` is called for each finished model."""

    def __init__(
        self,
        store: JobStore,
        root: Path,
        slots: int | None = None,
        on_succeeded: Callable[[Job], None] | None = None,
        poll_seconds: float = 0.5,
        withheld_env: tuple[str, ...] = (),
    ):
        self.store, self.root = store, Path(root)
        self.withheld_env = withheld_env  # variables workers must not see (the server's keys and secrets)
        self.slots = slots or device_count()
        self.pin_devices = device_count(cuda_only=True) > 0  # one CUDA device per worker slot
        self.on_succeeded = on_succeeded
        self.poll_seconds = poll_seconds
        self.running: dict[str, Running] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Recover jobs a dead server left running, then begin taking jobs from the queue."""
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="tunesmith-jobs", daemon=True)
        self._thread.start()

    def recover(self) -> list[str]:
        """Requeue every job the store says is running (no worker of this server runs it): they resume."""
        found = []
        for job in self.store.jobs_with_status("running"):
            if self.store.update_job(job.id, only_if=("running",), status="queued", resume=True):
                self.store.add_event(job.id, "The server restarted; the job resumes from its last checkpoint")
                found.append(job.id)
        return found

    def wake(self) -> None:
        """Look at the queue now (a job was added or resumed)."""
        self._wake.set()

    def stop(self, job_id: str, kind: str) -> bool:
        """Cancel or pause (`kind`) a job: a queued one at once, a running one at its next step boundary."""
        final = "cancelled" if kind == "cancel" else "paused"
        waiting = ("queued", "validating_files") if kind == "cancel" else ("queued",)
        if kind == "cancel" and self.store.update_job(job_id, only_if=("paused",), status=final, finished_at=now()):
            self.store.add_event(job_id, "Job cancelled")
            return True
        if self.store.update_job(job_id, only_if=waiting, status=final, **_ended(final)):
            self.store.add_event(
                job_id, f"Job {final} before it started training" if kind == "cancel" else "Job paused"
            )
            return True
        if not self.store.update_job(job_id, only_if=("running",), stop=kind):
            return False
        with self._lock:
            worker = self.running.get(job_id)
        if worker is not None:
            worker.process.send_signal(signal.SIGTERM)
        return True

    def resume(self, job_id: str, cancelled: bool = False) -> bool:
        """Put a paused job back in the queue, to continue from its checkpoint. OpenAI's API treats a cancelled job
        as over; the UI may continue one (`cancelled=True`) when its run kept a checkpoint."""
        states = ("paused", "cancelled") if cancelled else ("paused",)
        job = self.store.get_job(job_id, any_key=True)
        if job is None or (job.status == "cancelled" and RunDir(job.run_dir).last_checkpoint() is None):
            return False
        if not self.store.update_job(job_id, only_if=states, status="queued", resume=True, stop=None, finished_at=None):
            return False
        self.store.add_event(job_id, "Job resumed; it continues from its last checkpoint")
        self.wake()
        return True

    def close(self, timeout: float = 120.0) -> None:
        """Stop the workers cooperatively (their jobs stay `running`, to resume when the server starts again)."""
        self._stopping = True
        with self._lock:
            workers = list(self.running.values())
        for worker in workers:
            worker.process.send_signal(signal.SIGTERM)
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            self._reap()
            if self._stopping:
                if not self.running:
                    return
            else:
                self._fill()
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def _fill(self) -> None:
        for job in self.store.jobs_with_status("queued"):
            if len(self.running) >= self.slots:
                return
            if self.store.update_job(job.id, only_if=("queued",), status="running", stop=None):
                if job.started_at is None:
                    self.store.update_job(job.id, started_at=now())
                self._spawn(job)

    def _spawn(self, job: Job) -> None:
        """Start the job's worker here, on this thread: the worker dies if this thread does."""
        folder = job_folder(self.root, job.id)
        slot = min(set(range(self.slots)) - {w.slot for w in self.running.values()})
        env = worker_env(self.store.url, self.withheld_env)
        if self.pin_devices:
            env["CUDA_VISIBLE_DEVICES"] = str(slot)
        with folder.log.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tunesmith.jobs.worker", job.id, str(folder.root)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                preexec_fn=die_with_parent,
            )
        with self._lock:
            self.running[job.id] = Running(job.id, process, slot)
        # A cancel or pause that came after `_fill` marked the job running, but before the worker was registered,
        # found no worker to signal: it is in the store, so pass it on now (a second SIGTERM is harmless).
        stored = self.store.get_job(job.id, any_key=True)
        if stored is not None and stored.stop in ("cancel", "pause"):
            process.send_signal(signal.SIGTERM)

    def _reap(self) -> None:
        with self._lock:
            done = [w for w in self.running.values() if w.process.poll() is not None]
        for worker in done:
            try:
                self._finish(worker.job_id, worker.process.returncode)
            finally:
                with self._lock:
                    del self.running[worker.job_id]

    def _finish(self, job_id: str, code: int) -> None:
        """Record how a worker ended: succeeded, failed, cancelled, paused, or (server stopping) left to resume."""
        job = self.store.get_job(job_id, any_key=True)
        folder = job_folder(self.root, job_id)
        outcome = _read_outcome(folder)
        result = outcome.get("result")
        if result is not None and not result["cancelled"]:
            self._succeed(job, folder, result)
        elif job.stop in ("cancel", "pause"):
            status = "cancelled" if job.stop == "cancel" else "paused"
            step = f" at step {result['steps']}" if result else ""
            self.store.update_job(job_id, status=status, stop=None, resume=True, **_ended(status))
            resumable = (
                result and status == "paused"
            )  # a cancelled job is over for OpenAI's API (the UI may continue it)
            self.store.add_event(job_id, f"Job {status}{step}" + ("; resume continues from there" if resumable else ""))
        elif self._stopping:
            self.store.update_job(job_id, resume=True)  # still `running`: the next start resumes it
        else:
            error = outcome.get("error") or {
                "code": "worker_died",
                "message": f"The training process ended unexpectedly (exit status {code}).",
            }
            self.store.update_job(job_id, status="failed", error={"param": None, **error}, finished_at=now())
            self.store.add_event(job_id, error["message"], level="error")

    def _succeed(self, job: Job, folder: JobFolder, result: dict) -> None:
        """Serve the model, then say so: a client that sees `succeeded` can use the model and read every event."""
        epochs = job.method[job.method["type"]]["hyperparameters"]["n_epochs"]
        # an uploaded file's tokens times its epochs; a recipe job (epochs may be "auto") keeps the count it logged
        tokens = job.file_tokens * epochs if isinstance(epochs, (int, float)) else job.trained_tokens
        results = self._results_file(job, RunDir(folder.run))
        name = model_name(job)
        if self.on_succeeded is not None:
            try:
                self.on_succeeded(job)
            except Exception as exc:  # noqa: BLE001 - the job succeeded; only serving it failed
                self.store.add_event(job.id, f"The model could not be served by this server: {exc}", level="warn")
        self.store.add_event(job.id, f"New fine-tuned model created: {name}", key="model")
        self.store.add_event(job.id, "The job has successfully completed", key="completed")
        self.store.update_job(
            job.id,
            only_if=("running",),
            status="succeeded",
            fine_tuned_model=name,
            finished_at=now(),
            estimated_finish=None,
            trained_tokens=tokens,
            result_files=[results.id],
        )

    def _results_file(self, job: Job, run: RunDir) -> StoredFile:
        """OpenAI's results file: one CSV row per step (step, train_loss, train_accuracy, valid_loss, …)."""
        data = metrics_csv(read_jsonl(run.metrics)).encode("utf-8")
        digest = save_blob(self.root, data)
        stored = StoredFile(
            new_id("file-"), job.key_id, now(), "step_metrics.csv", "fine-tune-results", len(data), digest, 0
        )
        return self.store.add_file(stored)


COLUMNS = ("step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy")


def metrics_csv(rows: list[dict]) -> str:
    """The run's metrics.jsonl rows merged by step, as OpenAI's step-metrics CSV."""
    by_step: dict[int, dict] = {}
    for row in rows:
        out = by_step.setdefault(int(row["step"]), {"step": int(row["step"])})
        pairs = (("loss", "train_loss"), ("mean_token_accuracy", "train_accuracy"), ("eval_loss", "valid_loss"))
        pairs += (("eval_mean_token_accuracy", "valid_mean_token_accuracy"),)
        out.update({ours: row[theirs] for theirs, ours in pairs if theirs in row})
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(by_step[step] for step in sorted(by_step))
    return text.getvalue()


def device_count(cuda_only: bool = False) -> int:
    """CUDA devices visible here; with none, 1 (the CPU), unless `cuda_only`."""
    import torch

    found = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return found if cuda_only or found else 1


def _ended(status: str) -> dict:
    return {"finished_at": now()} if status == "cancelled" else {}


def _read_outcome(folder: JobFolder) -> dict:
    """The worker's outcome.json, read once (removed, so a later run of the job cannot see it)."""
    try:
        outcome = json.loads(folder.outcome.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    folder.outcome.unlink(missing_ok=True)
    return outcome


def die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the thread that started it ends (Linux; elsewhere a no-op)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1


def worker_env(store_url: str, withheld: tuple[str, ...]) -> dict[str, str]:
    """A worker's environment: this process's, less the `withheld` variables, plus where the job store is."""
    env = {k: v for k, v in os.environ.items() if k not in withheld}
    env.update({STORE_ENV: store_url, "TOKENIZERS_PARALLELISM": "false"})
    return env
