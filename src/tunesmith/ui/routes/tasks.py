"""`/ui/api/tasks` (eval, export, arena, data pipelines, flywheel turns run as CLI commands), `/ui/api/files` (a
workspace file, e.g. a report) and `/ui/api/export/runs` (what the export page can export)."""

from __future__ import annotations

import mimetypes
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel

from tunesmith.serve.errors import ERROR_RESPONSES, APIError
from tunesmith.ui.routes.common import PREFIX, ui_state, workspace_path
from tunesmith.ui.runs.finished import FinishedRun, finished_runs
from tunesmith.ui.tasks.kinds import quant_choices
from tunesmith.ui.tasks.service import tasks_of
from tunesmith.ui.tasks.store import TaskInfo, TaskLog

router = APIRouter(prefix=PREFIX, tags=["ui"], responses=ERROR_RESPONSES)

TEXT = {".jsonl", ".md", ".yaml", ".yml", ".txt", ".log", ".csv", ".modelfile"}
SANDBOX = "sandbox"  # reports are static HTML (inline CSS, data: images, no scripts): no script, no origin


class TaskRequest(BaseModel):
    kind: str  # data_run, eval, arena, export, flywheel
    args: dict[str, Any] = {}


class TaskList(BaseModel):
    data: list[TaskInfo]


class ExportRuns(BaseModel):
    data: list[FinishedRun]
    quants: dict[str, list[str]]  # per format, the --quant (onnx: --precision) values the CLI takes


@router.post("/tasks", response_model=TaskInfo)
def create_task(body: TaskRequest, request: Request) -> TaskInfo:
    """Check the args (the CLI's message if bad) and queue the command; it runs when a slot is free."""
    return tasks_of(request.app).create(body.kind, body.args).info()


@router.get("/tasks", response_model=TaskList)
def list_tasks(request: Request, kind: str | None = None) -> TaskList:
    return TaskList(data=[t.info() for t in tasks_of(request.app).store.all(kind)])


@router.get("/tasks/{task_id}", response_model=TaskInfo)
def get_task(task_id: str, request: Request) -> TaskInfo:
    return _task(request, task_id).info()


@router.get("/tasks/{task_id}/log", response_model=TaskLog)
def task_log(task_id: str, request: Request, offset: int = Query(0, ge=0)) -> TaskLog:
    """The command's output from byte `offset`; ask again from the returned offset until `done`."""
    return tasks_of(request.app).store.read_log(_task(request, task_id), offset)


@router.post("/tasks/{task_id}/cancel", response_model=TaskInfo)
def cancel_task(task_id: str, request: Request) -> TaskInfo:
    _task(request, task_id)
    return tasks_of(request.app).runner.cancel(task_id).info()


@router.get("/files", response_class=FileResponse, responses={200: {"description": "The file's bytes."}})
def get_file(request: Request, path: str) -> FileResponse:
    """A workspace file (missing and outside are the same 404); HTML is sandboxed, nothing is sniffed."""
    found = workspace_path(request, path, "path")
    if not found.is_file():  # a folder: the same 404 as a missing file
        raise APIError(404, f"No such file in the workspace: {path!r}.", param="path", code="file_not_found")
    suffix = found.suffix.lower()
    media = "text/plain; charset=utf-8" if suffix in TEXT else mimetypes.guess_type(found.name)[0]
    headers = {"X-Content-Type-Options": "nosniff"}
    if suffix in (".html", ".htm", ".svg", ".xml", ".xhtml"):
        headers["Content-Security-Policy"] = SANDBOX
    return FileResponse(found, media_type=media or "application/octet-stream", headers=headers, filename=found.name)


@router.get("/export/runs", response_model=ExportRuns)
def export_runs(request: Request) -> ExportRuns:
    """Runs with a final model (`runs/*`, `jobs/*/run`), and the quant choices of each export format."""
    return ExportRuns(data=finished_runs(ui_state(request).workspace), quants=quant_choices())


def _task(request: Request, task_id: str):
    task = tasks_of(request.app).store.get(task_id)
    if task is None:
        raise APIError(404, f"No task {task_id!r}.", param="task_id", code="task_not_found")
    return task
