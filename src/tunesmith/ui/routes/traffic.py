"""`/ui/api/traffic`: the request log with `tunesmith logs`' filters, admin reviews, export to a dataset, and
the flywheel's starter recipe and decisions. The logic lives in `ui.traffic.log`, `ui.traffic.export` and
`ui.traffic.flywheel`; these routes only parse and call."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from tunesmith.serve.errors import ERROR_RESPONSES, APIError, invalid
from tunesmith.ui.routes.common import PREFIX, server, ui_state
from tunesmith.ui.traffic.export import ExportRequest, ExportResult, export_dataset
from tunesmith.ui.traffic.flywheel import FlywheelInfo, flywheel_info, student_model
from tunesmith.ui.traffic.log import (
    Review,
    TrafficDetail,
    TrafficPage,
    TrafficQuery,
    detail,
    review,
    traffic_page,
)

router = APIRouter(prefix=PREFIX + "/traffic", tags=["ui"], responses=ERROR_RESPONSES)


@router.get("", response_model=TrafficPage)
async def list_traffic(request: Request, query: Annotated[TrafficQuery, Query()]) -> TrafficPage:
    """Logged requests, newest first, with `tunesmith logs list`'s filters, a text search and paging."""
    return await run_in_threadpool(traffic_page, server(request).store, query)


@router.post("/export", response_model=ExportResult)
async def export_traffic(body: ExportRequest, request: Request) -> ExportResult:
    """Write matching requests to `data/<name>.jsonl` as `tunesmith logs export` would (corrections applied)."""
    space = ui_state(request).workspace
    return await run_in_threadpool(export_dataset, server(request).store, space, body)


@router.get("/flywheel", response_model=FlywheelInfo)
def flywheel(request: Request) -> FlywheelInfo:
    """A starter flywheel recipe for this workspace and server, and the turns already in `runs/`."""
    serving = server(request)
    tuning = serving.fine_tuning
    models = [m.name for m in serving.backend.models()]
    if tuning is not None:
        teacher, student = tuning.trainer.base_name, student_model(tuning.trainer.base_name, tuning.trainer.base_path)
    else:  # no fine-tuning on this server: name the served model, the admin edits the recipe
        teacher = student = models[0] if models else "smollm2-135m"
    keys = bool(serving.settings.keys())
    return flywheel_info(ui_state(request).workspace, str(request.base_url), teacher, student, keys)


@router.get("/{request_id}", response_model=TrafficDetail)
async def get_traffic(request_id: str, request: Request) -> TrafficDetail:
    """One logged request and its answer in full, with all its feedback."""
    entry = await run_in_threadpool(server(request).store.get, request_id)
    if entry is None:
        raise _not_found(request_id)
    return detail(entry)


@router.post("/{request_id}/feedback", response_model=TrafficDetail)
async def review_traffic(request_id: str, body: Review, request: Request) -> TrafficDetail:
    """The admin's review of any request: stored as feedback with the reviewer's key id (the asker's own feedback
    goes through `/v1/feedback`, which keeps its same-key rule)."""
    if body.rating is None and body.correction is None:
        raise invalid("Send a rating ('up' or 'down') or a correction.", "rating", "missing_required_parameter")
    if body.correction is not None and not body.correction.strip():
        raise invalid("The correction is empty; write the answer the model should have given.", "correction")
    store = server(request).store
    reviewer = getattr(request.state, "key_id", None)
    if await run_in_threadpool(review, store, request_id, body, reviewer) is None:
        raise _not_found(request_id)
    return detail(await run_in_threadpool(store.get, request_id))


def _not_found(request_id: str) -> APIError:
    return APIError(404, f"No logged request has id '{request_id}'.", param="request_id", code="request_not_found")
