"""`/v1/fine_tuning/jobs` (create, list, retrieve, cancel, pause, resume, events, checkpoints) and model deletion.

OpenAI's routes and shapes; a job belongs to the key that created it, and another key gets 404 for it. The routes
are plain functions: FastAPI runs them in its thread pool, so store calls never block the event loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from tunesmith.jobs.create import JobRequestError, create_job
from tunesmith.jobs.spec import JobRequest
from tunesmith.jobs.store import TERMINAL, Job, model_name
from tunesmith.serve.api import caller
from tunesmith.serve.context import Caller
from tunesmith.serve.errors import ERROR_RESPONSES, APIError, invalid, model_not_found
from tunesmith.serve.files_api import fine_tuning
from tunesmith.serve.ft_schemas import (
    CheckpointList,
    Deleted,
    EventList,
    FineTuningJob,
    JobCheckpoint,
    JobEvent,
    JobList,
)

router = APIRouter(responses=ERROR_RESPONSES)
JOBS = "/v1/fine_tuning/jobs"


@router.post(JOBS, response_model=FineTuningJob)
def create(body: JobRequest, request: Request, who: Caller = Depends(caller)) -> FineTuningJob:
    """Check the request and its files, resolve "auto", and queue the job."""
    service = fine_tuning(request)
    try:
        job = create_job(service.trainer, body, who.key_id)
    except JobRequestError as exc:
        raise APIError(exc.status, exc.message, param=exc.param, code=exc.code) from None
    service.runner.wake()
    return FineTuningJob.of(job)


@router.get(JOBS, response_model=JobList)
def list_jobs(
    request: Request, after: str | None = None, limit: int = Query(20, ge=1, le=100), who: Caller = Depends(caller)
) -> JobList:
    """The caller's jobs, newest first, in pages (`after` = the last id of the previous page)."""
    jobs, more = fine_tuning(request).store.list_jobs(who.key_id, after, limit)
    return JobList(data=[FineTuningJob.of(j) for j in jobs], has_more=more)


@router.get(JOBS + "/{job_id}", response_model=FineTuningJob)
def retrieve(job_id: str, request: Request, who: Caller = Depends(caller)) -> FineTuningJob:
    return FineTuningJob.of(_own(request, job_id, who))


@router.post(JOBS + "/{job_id}/cancel", response_model=FineTuningJob)
def cancel(job_id: str, request: Request, who: Caller = Depends(caller)) -> FineTuningJob:
    """Cancel: a waiting job at once, a running one at its next step boundary (after saving a checkpoint)."""
    return _stop(request, job_id, who, "cancel")


@router.post(JOBS + "/{job_id}/pause", response_model=FineTuningJob)
def pause(job_id: str, request: Request, who: Caller = Depends(caller)) -> FineTuningJob:
    """Pause: stop at the next step boundary with a checkpoint; resume continues from there."""
    return _stop(request, job_id, who, "pause")


@router.post(JOBS + "/{job_id}/resume", response_model=FineTuningJob)
def resume(job_id: str, request: Request, who: Caller = Depends(caller)) -> FineTuningJob:
    service = fine_tuning(request)
    job = _own(request, job_id, who)
    if not service.runner.resume(job.id):
        raise invalid(f"Job {job.id} is {job.status}; only a paused job can be resumed.", "fine_tuning_job_id")
    return FineTuningJob.of(_own(request, job_id, who))


@router.get(JOBS + "/{job_id}/events", response_model=EventList)
def events(
    job_id: str,
    request: Request,
    after: str | None = None,
    limit: int = Query(20, ge=1, le=1000),
    who: Caller = Depends(caller),
) -> EventList:
    """The job's events, newest first, in pages."""
    job = _own(request, job_id, who)
    found, more = fine_tuning(request).store.events(job.id, after, limit)
    return EventList(data=[JobEvent.of(e) for e in found], has_more=more)


@router.get(JOBS + "/{job_id}/checkpoints", response_model=CheckpointList)
def checkpoints(
    job_id: str,
    request: Request,
    after: str | None = None,
    limit: int = Query(10, ge=1, le=100),
    who: Caller = Depends(caller),
) -> CheckpointList:
    """The job's checkpoints (one per epoch), newest first; each is served as a model once the job succeeds."""
    job = _own(request, job_id, who)
    found = fine_tuning(request).store.checkpoints(job.id)
    if after is not None:
        ids = [c.id for c in found]
        found = found[ids.index(after) + 1 :] if after in ids else found
    page = [JobCheckpoint.of(c) for c in found[:limit]]
    first, last = (page[0].id, page[-1].id) if page else (None, None)
    return CheckpointList(data=page, first_id=first, last_id=last, has_more=len(found) > limit)


@router.delete("/v1/models/{model:path}", response_model=Deleted)
def delete_model(model: str, request: Request, who: Caller = Depends(caller)) -> Deleted:
    """Delete a fine-tuned model (its owner only): it is no longer served, now or after a restart."""
    service = fine_tuning(request)
    job = service.job_of(model)
    if job is None and model in {m.name for m in service.backend.models()}:
        message = f"The model '{model}' is not a fine-tuned model; it cannot be deleted."
        raise APIError(403, message, "permission_error", "model", "model_not_deletable")
    if job is None or job.key_id != who.key_id or job.model_deleted or job.status != "succeeded":
        raise model_not_found(model)
    checkpoints = [c.model for c in service.store.checkpoints(job.id)]
    if model in checkpoints:
        raise invalid("A checkpoint is deleted with its job's model; delete that model instead.", "model")
    if model != model_name(job):
        raise model_not_found(model)
    service.store.update_job(job.id, model_deleted=True)
    names = [model_name(job), *checkpoints]
    served = {m.name for m in service.backend.models()}
    for name in names:
        if name in served:
            service.backend.unload_adapter(name)
    return Deleted(id=model, object="model")


def _own(request: Request, job_id: str, who: Caller) -> Job:
    job = fine_tuning(request).store.get_job(job_id, who.key_id)
    if job is None:
        raise APIError(
            404, f"Could not find fine-tuning job {job_id}.", param="fine_tuning_job_id", code="job_not_found"
        )
    return job


def _stop(request: Request, job_id: str, who: Caller, kind: str) -> FineTuningJob:
    service = fine_tuning(request)
    job = _own(request, job_id, who)
    if job.status in TERMINAL or (kind == "pause" and job.status == "paused"):
        raise invalid(f"Job {job.id} is already {job.status}.", "fine_tuning_job_id", "job_not_" + kind + "able")
    if not service.runner.stop(job.id, kind):
        raise invalid(f"Job {job.id} is {job.status}; it cannot be {kind}ed now.", "fine_tuning_job_id")
    return FineTuningJob.of(_own(request, job_id, who))
