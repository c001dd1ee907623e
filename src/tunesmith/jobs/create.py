"""Creating a job: check the request and its files as OpenAI does, resolve "auto", write the recipe, queue it.

Everything is checked before anything is stored: a refused request leaves no job, no folder and no event.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunesmith.atomic import write_text
from tunesmith.config import dump_recipe
from tunesmith.errors import InputError
from tunesmith.jobs.files import blob_path
from tunesmith.jobs.folder import job_folder
from tunesmith.jobs.spec import JobRequest, build_recipe, method_object, resolve_hyperparameters, total_steps
from tunesmith.jobs.store import Event, Job, JobStore, StoredFile, new_id, now
from tunesmith.jobs.validate import FileStats, check_training_file


class JobRequestError(ValueError):
    """A request the API refuses: what is wrong, the parameter it is about, and OpenAI-style code."""

    def __init__(self, message: str, param: str | None, code: str = "invalid_value", status: int = 400):
        super().__init__(message)
        self.message, self.param, self.code, self.status = message, param, code, status


@dataclass
class Trainer:
    """What a server fine-tunes: its base model (name, folder, tokenizer), where jobs live, and what it allows."""

    store: JobStore
    root: Path
    base_name: str
    base_path: str
    tokenizer: Any
    max_length: int = 1024  # the recipe's default: longer examples are truncated (and the job says how many)
    allow_code_graders: bool = False


def create_job(trainer: Trainer, request: JobRequest, key_id: str | None) -> Job:
    """Check `request` for the caller `key_id` and queue it; a JobRequestError says what to fix."""
    if request.model != trainer.base_name:
        here = trainer.base_name
        message = f"Model '{request.model}' is not available for fine-tuning here; this server fine-tunes '{here}'."
        raise JobRequestError(message, "model", "model_not_available")
    try:
        method = request.resolved_method()
        method.settings()
    except ValueError as exc:
        raise JobRequestError(str(exc), "method") from None
    training = _own_file(trainer, request.training_file, key_id, "training_file")
    stats = _checked(trainer, training, method.type, "training_file")
    validation = None
    if request.validation_file is not None:
        validation = _own_file(trainer, request.validation_file, key_id, "validation_file")
        _checked(trainer, validation, method.type, "validation_file")
    hyperparameters = resolve_hyperparameters(method, stats.examples)
    method_obj = method_object(method, hyperparameters)
    if method.type == "reinforcement":
        from tunesmith.jobs.graders import check_grader

        try:
            check_grader(method_obj["reinforcement"]["grader"], trainer.allow_code_graders)
        except ValueError as exc:
            raise JobRequestError(str(exc), "method.reinforcement.grader") from None

    job_id, seed = new_id("ftjob-"), request.seed if request.seed is not None else secrets.randbelow(2**31)
    folder = job_folder(trainer.root, job_id)
    train_path = blob_path(trainer.root, training.sha256)
    valid_path = blob_path(trainer.root, validation.sha256) if validation else None
    try:
        recipe = build_recipe(method_obj, trainer.base_path, train_path, stats.examples, valid_path, folder.run, seed)
    except InputError as exc:
        raise JobRequestError(str(exc).replace(str(folder.root), "the job"), "method") from None
    job = Job(
        id=job_id,
        key_id=key_id,
        created_at=now(),
        model=request.model,
        status="queued",
        method=method_obj,
        training_file=training.id,
        validation_file=validation.id if validation else None,
        suffix=request.suffix,
        seed=seed,
        meta=request.metadata,
        run_dir=str(folder.run),
        total_steps=total_steps(method_obj, stats.examples),
        file_tokens=stats.tokens,
    )
    try:
        write_text(folder.recipe, dump_recipe(recipe))
        trainer.store.add_job(job, _first_events(job, stats, trainer.max_length))
    except BaseException:
        shutil.rmtree(folder.root, ignore_errors=True)
        raise
    return job


def _own_file(trainer: Trainer, file_id: str, key_id: str | None, param: str) -> StoredFile:
    stored = trainer.store.get_file(file_id, key_id)
    if stored is None:
        raise JobRequestError(f"invalid {param}: no file with id '{file_id}'.", param, "file_not_found")
    if stored.purpose != "fine-tune":
        raise JobRequestError(f"invalid {param}: '{file_id}' was uploaded with purpose '{stored.purpose}'.", param)
    return stored


def _checked(trainer: Trainer, stored: StoredFile, method: str, param: str) -> FileStats:
    path = blob_path(trainer.root, stored.sha256)
    try:
        return check_training_file(path, method, trainer.tokenizer, trainer.max_length, stored.id)
    except InputError as exc:
        raise JobRequestError(f"invalid {param}: {exc}", param, f"invalid_{param}") from None


def _first_events(job: Job, stats: FileStats, max_length: int) -> list[Event]:
    def event(message: str, level: str = "info") -> Event:
        return Event(new_id("ftevent-"), job.id, job.created_at, level, "message", message)

    events = [event(f"Validating training file: {job.training_file}")]
    if job.validation_file:
        events.append(event(f"Validating validation file: {job.validation_file}"))
    if stats.too_long:
        note = f"{stats.too_long} of {stats.examples} training examples are longer than {max_length} tokens"
        events.append(event(f"{note}; they will be truncated to {max_length}", "warn"))
    events.append(event("Files validated, moving job to queued state"))
    return events
