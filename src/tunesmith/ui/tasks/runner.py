"""The UI's task runner: the same `tunesmith` command a user would type, run as a subprocess in the workspace.

At most `slots` tasks run at once; the rest wait in order. Each child is started from the runner's own thread and
dies with it (Linux `PR_SET_PDEATHSIG`, as the job runner's workers do), so a killed server leaves no orphans; on
the next start, tasks it left `running` are marked failed. Children never see the server's keys (`worker_env`).
Cancel is SIGTERM to the child's process group, then SIGKILL after `grace` seconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tunesmith.jobs.runner import die_with_parent, worker_env
from tunesmith.jobs.worker import STORE_ENV
from tunesmith.serve.keys import SERVER_SECRETS_ENV
from tunesmith.ui.tasks.store import DONE, Task, TaskStore

INTERRUPTED = "interrupted: the server stopped"
Artifacts = Callable[[Task], list[str]]


@dataclass
class Child:
    process: subprocess.Popen
    kill_at: float | None = None  # set by cancel: when SIGTERM has had its chance


class TaskRunner:
    """Runs a workspace's queued tasks, `slots` at a time; `artifacts(task)` lists what a finished one wrote."""

    def __init__(
        self,
        root: Path,
        store: TaskStore,
        artifacts: Artifacts,
        slots: int = 1,
        grace: float = 10.0,
        poll_seconds: float = 0.25,
    ):
        self.root, self.store, self.artifacts = root, store, artifacts
        self.slots, self.grace, self.poll_seconds = slots, grace, poll_seconds
        self.python = sys.executable  # the interpreter that runs `-m tunesmith` (this one)
        self.children: dict[str, Child] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Mark what a dead server left running as failed, then begin taking queued tasks."""
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="tunesmith-ui-tasks", daemon=True)
        self._thread.start()

    def recover(self) -> list[str]:
        found = []
        for task in self.store.all():
            if task.status == "running":
                task.status, task.finished_at, task.error = "failed", time.time(), INTERRUPTED
                self.store.save(task)
                found.append(task.id)
        return found

    def submit(self, task: Task) -> Task:
        """Queue a task the store has just made; it starts when a slot is free."""
        self._wake.set()
        return task

    def cancel(self, task_id: str) -> Task | None:
        """Cancel a queued task at once, a running one by SIGTERM (SIGKILL after `grace`); a finished one stays."""
        with self._lock:
            task = self.store.get(task_id)
            if task is None or task.status in DONE:
                return task
            if task.status == "queued":
                task.status, task.finished_at = "cancelled", time.time()
                self.store.save(task)
                return task
            child = self.children.get(task_id)
            if child is not None and child.kill_at is None:
                child.kill_at = time.monotonic() + self.grace
                _signal(child.process, signal.SIGTERM)
        self._wake.set()
        return task

    def close(self, timeout: float = 30.0) -> None:
        """Stop: kill running children (their tasks are marked failed as interrupted) and end the thread."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping:
            self._reap()
            self._fill()
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
        with self._lock:
            children = list(self.children.items())
        for _, child in children:
            _signal(child.process, signal.SIGKILL)
        for task_id, child in children:
            child.process.wait()
            self._finish(task_id, child, interrupted=True)

    def _fill(self) -> None:
        queued = [t for t in reversed(self.store.all()) if t.status == "queued"]
        for task in queued:
            if len(self.children) >= self.slots:
                return
            with self._lock:
                current = self.store.get(task.id)
                if current is None or current.status != "queued":
                    continue
                current.status, current.started_at = "running", time.time()
                self.store.save(current)
                self.children[task.id] = Child(self._spawn(current))

    def _spawn(self, task: Task) -> subprocess.Popen:
        """Start the command here, on this thread: it dies if this thread does."""
        env = worker_env("", SERVER_SECRETS_ENV)  # without the server's keys
        del env[STORE_ENV]  # a task is a CLI command, not a job worker
        env.update({"COLUMNS": "120", "PYTHONUNBUFFERED": "1"})  # wider tables in the log; lines as they come
        with self.store.log_path(task.id).open("ab") as log:
            return subprocess.Popen(
                [self.python, "-m", "tunesmith", *task.argv],
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                preexec_fn=die_with_parent,
                start_new_session=True,  # its own process group: cancel reaches what it starts too
            )

    def _reap(self) -> None:
        with self._lock:
            children = list(self.children.items())
        for task_id, child in children:
            if child.process.poll() is None:
                if child.kill_at is not None and time.monotonic() >= child.kill_at:
                    _signal(child.process, signal.SIGKILL)
                continue
            self._finish(task_id, child)

    def _finish(self, task_id: str, child: Child, interrupted: bool = False) -> None:
        code = child.process.returncode
        with self._lock:
            self.children.pop(task_id, None)
            task = self.store.get(task_id)
            if task is None:
                return
            task.finished_at = time.time()
            if child.kill_at is not None:
                task.status = "cancelled"
            elif interrupted:
                task.status, task.error = "failed", INTERRUPTED
            elif code == 0:
                task.status = "succeeded"
            else:
                task.status, task.error = "failed", self.store.error_from_log(task, code)
            try:
                task.artifacts = self.artifacts(task)
            except OSError:
                task.artifacts = []
            self.store.save(task)


def _signal(process: subprocess.Popen, sig: int) -> None:
    """`sig` to the child's process group (and the child, should the group be gone already)."""
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
