"""Response bodies of the files and fine-tuning routes, in OpenAI's shapes (what its client parses)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from tunesmith.jobs.store import Checkpoint, Event, Job, StoredFile

ORGANIZATION = "org-tunesmith"  # OpenAI's job object names an organization; a tunesmith server is its own


class FileObject(BaseModel):
    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: str
    status: Literal["uploaded", "processed", "error"] = "processed"
    status_details: str | None = None
    expires_at: int | None = None

    @classmethod
    def of(cls, stored: StoredFile) -> FileObject:
        return cls(
            id=stored.id,
            bytes=stored.bytes,
            created_at=stored.created_at,
            filename=stored.filename,
            purpose=stored.purpose,
        )


class FileList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FileObject]
    has_more: bool = False


class Deleted(BaseModel):
    id: str
    object: str
    deleted: bool = True


class JobError(BaseModel):
    code: str
    message: str
    param: str | None = None


class FineTuningJob(BaseModel):
    id: str
    object: Literal["fine_tuning.job"] = "fine_tuning.job"
    created_at: int
    error: JobError | None = None
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    hyperparameters: dict[str, Any]
    method: dict[str, Any]
    model: str
    organization_id: str = ORGANIZATION
    result_files: list[str]
    seed: int
    status: str
    trained_tokens: int | None = None
    training_file: str
    validation_file: str | None = None
    estimated_finish: int | None = None
    integrations: list[dict[str, Any]] | None = None
    metadata: dict[str, str] | None = None
    user_provided_suffix: str | None = None

    @classmethod
    def of(cls, job: Job) -> FineTuningJob:
        section = job.method[job.method["type"]]
        return cls(
            id=job.id,
            created_at=job.created_at,
            error=JobError(**job.error) if job.error else None,
            fine_tuned_model=None if job.model_deleted else job.fine_tuned_model,
            finished_at=job.finished_at,
            hyperparameters=section["hyperparameters"],  # deprecated by OpenAI, still filled in: clients read it
            method=job.method,
            model=job.model,
            result_files=job.result_files,
            seed=job.seed,
            status=job.status,
            trained_tokens=job.trained_tokens,
            training_file=job.training_file,
            validation_file=job.validation_file,
            estimated_finish=job.estimated_finish if job.status == "running" else None,
            metadata=job.meta,
            user_provided_suffix=job.suffix,
        )


class JobList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FineTuningJob]
    has_more: bool


class JobEvent(BaseModel):
    id: str
    object: Literal["fine_tuning.job.event"] = "fine_tuning.job.event"
    created_at: int
    level: str
    message: str
    type: str
    data: dict[str, Any] | None = None

    @classmethod
    def of(cls, event: Event) -> JobEvent:
        return cls(
            id=event.id,
            created_at=event.created_at,
            level=event.level,
            message=event.message,
            type=event.type,
            data=event.data,
        )


class EventList(BaseModel):
    object: Literal["list"] = "list"
    data: list[JobEvent]
    has_more: bool


class JobCheckpoint(BaseModel):
    id: str
    object: Literal["fine_tuning.job.checkpoint"] = "fine_tuning.job.checkpoint"
    created_at: int
    fine_tuned_model_checkpoint: str
    fine_tuning_job_id: str
    metrics: dict[str, float]
    step_number: int

    @classmethod
    def of(cls, checkpoint: Checkpoint) -> JobCheckpoint:
        return cls(
            id=checkpoint.id,
            created_at=checkpoint.created_at,
            fine_tuned_model_checkpoint=checkpoint.model,
            fine_tuning_job_id=checkpoint.job_id,
            metrics=checkpoint.metrics,
            step_number=checkpoint.step,
        )


class CheckpointList(BaseModel):
    object: Literal["list"] = "list"
    data: list[JobCheckpoint]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool
