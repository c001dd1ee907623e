"""The workspace's tasks as one service: plan a task from its kind and args, queue it, list what it wrote.

It lives on the app (`app.state.ui_tasks`), made and started on first use, and is closed with the app when the
UI's lifespan hook is installed (`attach`): closing kills running commands and marks their tasks interrupted.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from tunesmith.ui.tasks.kinds import plan_task
from tunesmith.ui.tasks.runner import TaskRunner
from tunesmith.ui.tasks.store import Task, TaskStore

MAX_ARTIFACTS = 200
_starting = threading.Lock()


class Tasks:
    def __init__(self, root: Path, slots: int = 1, grace: float = 10.0):
        self.root = root
        self.store = TaskStore(root, root / "tasks")
        self.runner = TaskRunner(root, self.store, self.artifacts, slots=slots, grace=grace)

    def create(self, kind: str, args: dict[str, Any]) -> Task:
        """Check and queue a task; InputError (the CLI's message, naming the field or file) if it cannot run."""
        task_id = self.store.new_id()
        checked, plan = plan_task(self.root, kind, args, task_id)
        task = self.store.new(task_id, kind, checked, plan.argv, plan.output)
        return self.runner.submit(task)

    def artifacts(self, task: Task) -> list[str]:
        """The files in the task's output folder (every file below it for an export), workspace-relative."""
        folder = self.root / task.output
        if not folder.is_dir():
            return []
        files = folder.rglob("*") if task.kind == "export" else folder.iterdir()
        found = sorted(
            p.relative_to(self.root).as_posix()
            for p in files
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        )
        return found[:MAX_ARTIFACTS]


def tasks_of(app: FastAPI) -> Tasks:
    """The app's task service, started on first use (which also marks tasks a dead server left running)."""
    with _starting:
        service = getattr(app.state, "ui_tasks", None)
        if service is None:
            service = Tasks(app.state.ui.workspace.root)
            service.runner.start()
            app.state.ui_tasks = service
    return service


def attach(app: FastAPI) -> None:
    """Start the tasks with the app and stop them (killing running commands) when it stops."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(instance: FastAPI) -> AsyncIterator[Any]:
        async with inner(instance) as state:
            tasks_of(instance)
            try:
                yield state
            finally:
                instance.state.ui_tasks.runner.close()

    app.router.lifespan_context = lifespan
