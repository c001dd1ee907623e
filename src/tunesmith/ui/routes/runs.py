"""`/ui/api/runs`: every run in the workspace (filtered), one run's detail, and a comparison of 2–4 runs.

A run is named by its workspace-relative path (`runs/NAME` or `jobs/JOB_ID/run`); anything else (a missing
path, one outside the workspace, a folder that is no run) is the same 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from tunesmith.serve.errors import ERROR_RESPONSES, APIError
from tunesmith.ui.routes.common import PREFIX, server, ui_state
from tunesmith.ui.runs.compare import BadComparison, compare_runs
from tunesmith.ui.runs.index import RunNotFound
from tunesmith.ui.runs.models import Comparison, RunDetail, RunList
from tunesmith.ui.runs.view import Filters, ReportNotFound, list_runs, run_detail

router = APIRouter(prefix=PREFIX + "/runs", tags=["ui"], responses=ERROR_RESPONSES)

ACTIVE = ("validating_files", "queued", "running")
PAGE = Query(50, ge=1, le=500, description="predictions per page")


def active_jobs(request: Request) -> set[str]:
    """Ids of the jobs the runner is working on (their runs are `training`, not `incomplete`)."""
    tuning = server(request).fine_tuning
    return {job.id for job in tuning.store.jobs_with_status(*ACTIVE)} if tuning is not None else set()


@router.get("", response_model=RunList)
def runs(
    request: Request,
    q: str = Query("", description="text in the run's path, name, model, method or stage"),
    method: str = "",
    stage: str = "",
    status: str = Query("", description="finished | training | incomplete"),
    model: str = "",
) -> RunList:
    """Every run, newest first, with its headline eval scores."""
    filters = Filters(q=q, method=method, stage=stage, status=status, model=model)
    return list_runs(ui_state(request).workspace, filters, active_jobs(request))


@router.get("/detail", response_model=RunDetail)
def detail(
    request: Request,
    id: str = Query(..., description="the run's workspace-relative path"),
    report: str | None = Query(None, description="another report folder (workspace-relative), e.g. a task's"),
    offset: int = Query(0, ge=0),
    limit: int = PAGE,
) -> RunDetail:
    """Recipe, summary, curves, the eval report with intervals, and a page of predictions."""
    try:
        return run_detail(ui_state(request).workspace, id, report, offset, limit, active_jobs(request))
    except RunNotFound as exc:
        raise APIError(404, str(exc), param="id", code="run_not_found") from None
    except ReportNotFound as exc:
        raise APIError(404, str(exc), param="report", code="file_not_found") from None


@router.get("/compare", response_model=Comparison)
def compare(
    request: Request,
    ids: str = Query(..., description="2 to 4 run ids, comma-separated"),
    differ: bool = Query(False, description="only the examples where the runs' predictions differ"),
    offset: int = Query(0, ge=0),
    limit: int = PAGE,
) -> Comparison:
    """Metrics per run with intervals, curves, the recipe diff and predictions side by side."""
    try:
        return compare_runs(ui_state(request).workspace, ids, differ, offset, limit, active_jobs(request))
    except BadComparison as exc:
        raise APIError(400, str(exc), param="ids", code="invalid_value") from None
    except RunNotFound as exc:
        raise APIError(404, str(exc), param="ids", code="run_not_found") from None
