"""A bounded queue and one worker thread that runs queued jobs in batches of jobs sharing a key."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("tunesmith.serve")


class QueueFull(Exception):
    """The queue already holds its capacity of unfinished jobs."""


@dataclass
class Job:
    """One request's work: jobs with equal `key` may run in one batch; `size` counts its batch rows."""

    key: Hashable
    payload: Any
    size: int = 1


class BatchQueue:
    """Admits at most `capacity` unfinished jobs; a worker thread hands `run_batch` lists of same-key jobs.

    Jobs keep their arrival order: a batch is the oldest waiting job plus the later ones with its key, up to
    `max_batch` rows. `run_batch` must settle every job it is given (deliver a result or an error).
    """

    def __init__(self, run_batch: Callable[[list[Job]], None], capacity: int = 64, max_batch: int = 8):
        self.run_batch = run_batch
        self.capacity = capacity
        self.max_batch = max_batch
        self._waiting: list[Job] = []
        self._admitted = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def depth(self) -> int:
        """Jobs admitted and not finished (waiting or running)."""
        with self._cond:
            return self._admitted

    def submit(self, job: Job) -> None:
        """Queue `job`, or raise QueueFull when `capacity` jobs are already unfinished."""
        with self._cond:
            if self._admitted >= self.capacity:
                raise QueueFull
            self._admitted += 1
            self._waiting.append(job)
            self._cond.notify()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._work, name="tunesmith-batches", daemon=True)
        self._thread.start()

    def stop(self) -> list[Job]:
        """Stop the worker after its current batch; return the jobs that never ran."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        with self._cond:
            left, self._waiting = self._waiting, []
            return left

    def _next_batch(self) -> list[Job] | None:
        """Wait for work; take the oldest job and the waiting jobs that share its key."""
        with self._cond:
            while not self._waiting and not self._stopping:
                self._cond.wait()
            if self._stopping:
                return None
            first = self._waiting[0]
            batch, rows, rest = [], 0, []
            for job in self._waiting:
                if job.key == first.key and (not batch or rows + job.size <= self.max_batch):
                    batch.append(job)
                    rows += job.size
                else:
                    rest.append(job)
            self._waiting = rest
            return batch

    def _work(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                self.run_batch(batch)
            except Exception:  # run_batch settles its jobs; this only keeps the worker alive
                log.exception("batch failed")
            finally:
                with self._cond:
                    self._admitted -= len(batch)
