"""The runner's cooperative stops reach the worker even when they race its start."""

from __future__ import annotations

import signal

from tunesmith.jobs import runner as runner_module
from tunesmith.jobs.folder import job_folder
from tunesmith.jobs.runner import JobRunner
from tunesmith.jobs.store import Job, JobStore


class FakeProcess:
    """Stands in for a worker's Popen: records the signals it is sent."""

    def __init__(self, *args, **kwargs):
        self.signals: list[int] = []

    def send_signal(self, sig: int) -> None:
        self.signals.append(sig)

    def poll(self):
        return None


def stored_job(store: JobStore, tmp_path) -> Job:
    job = Job(
        id="ftjob-race",
        key_id=None,
        created_at=0,
        model="tiny",
        status="queued",
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}},
        training_file="file-x",
        validation_file=None,
        suffix=None,
        seed=0,
        meta=None,
        run_dir=str(tmp_path / "run"),
        total_steps=10,
        file_tokens=0,
    )
    job_folder(tmp_path, job.id).root.mkdir(parents=True)  # where the worker's log goes
    return store.add_job(job, [])


def test_a_cancel_between_marking_running_and_spawning_still_signals_the_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module.subprocess, "Popen", FakeProcess)
    store = JobStore(f"sqlite:///{tmp_path / 'jobs.db'}")
    runner = JobRunner(store, tmp_path, slots=1)
    job = stored_job(store, tmp_path)
    assert store.update_job(job.id, only_if=("queued",), status="running")  # what `_fill` does first
    assert runner.stop(job.id, "cancel")  # arrives now: no worker registered yet to signal
    runner._spawn(store.get_job(job.id, any_key=True))
    assert runner.running[job.id].process.signals == [signal.SIGTERM]


def test_a_worker_started_with_no_stop_asked_is_not_signalled(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module.subprocess, "Popen", FakeProcess)
    store = JobStore(f"sqlite:///{tmp_path / 'jobs.db'}")
    runner = JobRunner(store, tmp_path, slots=1)
    job = stored_job(store, tmp_path)
    assert store.update_job(job.id, only_if=("queued",), status="running")
    runner._spawn(store.get_job(job.id, any_key=True))
    assert runner.running[job.id].process.signals == []
