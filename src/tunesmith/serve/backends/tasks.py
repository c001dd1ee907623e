"""Requests answered by asyncio tasks on the server's loop (vLLM's engine, the upstream proxy): capped and stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine

from tunesmith.serve.backends.base import Generation
from tunesmith.serve.errors import shutting_down, too_many


class RunningTasks:
    """At most `capacity` requests at once (more get a 429 saying `full`); on stop, those left fail with a 503."""

    def __init__(self, capacity: int, full: str = "The server's queue is full; retry shortly."):
        self.capacity = capacity
        self.full = full
        self._tasks: dict[asyncio.Task, Generation] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    def check_room(self) -> None:
        """Raise a 429 when `capacity` requests are already running."""
        if len(self._tasks) >= self.capacity:
            raise too_many(self.full, "queue_full", 1)

    def run(self, work: Coroutine, generation: Generation) -> None:
        """Run `work`, the producer of `generation`, as a task on the running loop (call on the event loop)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks[task] = generation
        task.add_done_callback(lambda done: self._tasks.pop(done, None))

    def stop(self) -> None:
        """Fail every request still running (503) and cancel its task."""
        for task, generation in list(self._tasks.items()):
            generation.fail(shutting_down())
            task.cancel()
