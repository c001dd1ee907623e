"""Creating a job: check the request and its files as OpenAI does, resolve "auto", write the recipe, queue it.

Everything is checked before anything is stored: a refused request leaves no job, no folder and no event.
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunesmith.atomic import write_text
from tunesmith.config import Recipe, dump_recipe
from tunesmith.errors import InputError
from tunesmith.jobs.files import blob_path, save_blob
from tunesmith.jobs.folder import job_folder
from tunesmith.jobs.spec import (
    JobRequest,
    build_recipe,
    method_object,
    recipe_method_object,
    recipe_total_steps,
    resolve_hyperparameters,
    total_steps,
)
from tunesmith.jobs.store import Event, Job, JobStore, StoredFile, new_id, now
from tunesmith.jobs.validate import FileStats, check_training_file
from tunesmith.jobs.worker import SHOWN_NAMES


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
    hyperparameters = resolve_hyperparameters(method, stats.examples, stats.tokens)
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


def create_recipe_job(
    trainer: Trainer,
    recipe: Recipe,
    key_id: str | None,
    *,
    shown: dict[str, str],
    suffix: str | None = None,
) -> Job:
    """Queue a whole recipe (the UI's Train page) as a job of the same runner: `recipe` is validated, its paths
    absolute and already confined by the caller; `shown` maps each such path to the name a person sees (errors and
    events say that name, never the server path). The run is forced into the job's folder, the model must be the
    served base (by name or folder), and the training file is recorded as a stored file, as an upload would be."""
    if recipe.model not in (trainer.base_name, trainer.base_path):
        here = trainer.base_name
        message = f"Model '{recipe.model}' is not available for fine-tuning here; this server fine-tunes '{here}'."
        raise JobRequestError(message, "model", "model_not_available")
    train_path = Path(recipe.data.train)
    train_name = shown.get(str(train_path), train_path.name)
    if not train_path.is_file():
        raise JobRequestError(f"invalid data.train: '{train_name}' is not a file.", "data.train")
    data = train_path.read_bytes()
    examples = sum(1 for line in data.splitlines() if line.strip()) if train_path.suffix == ".jsonl" else 0
    stored = StoredFile(
        new_id("file-"), key_id, now(), train_name, "fine-tune", len(data), save_blob(trainer.root, data), examples
    )
    job_id = new_id("ftjob-")
    folder = job_folder(trainer.root, job_id)
    recipe = recipe.model_copy(deep=True)
    recipe.model = trainer.base_path
    recipe.output.dir, recipe.output.name = folder.run.parent, folder.run.name
    job = Job(
        id=job_id,
        key_id=key_id,
        created_at=now(),
        model=trainer.base_name,
        status="queued",
        method=recipe_method_object(recipe),
        training_file=stored.id,
        validation_file=None,
        suffix=suffix,
        seed=recipe.train.seed,
        meta={"data.train": train_name},
        run_dir=str(folder.run),
        total_steps=recipe_total_steps(recipe, examples),
        file_tokens=0,
    )
    names = {**shown, str(folder.root): "the job"}
    try:
        folder.root.mkdir(parents=True, exist_ok=True)
        write_text(folder.recipe, dump_recipe(recipe))
        write_text(folder.root / SHOWN_NAMES, json.dumps(names, ensure_ascii=False))
        trainer.store.add_file(stored)
        trainer.store.add_job(job, _recipe_events(job, recipe, train_name))
    except BaseException:
        shutil.rmtree(folder.root, ignore_errors=True)
        raise
    return job


def _recipe_events(job: Job, recipe: Recipe, train_name: str) -> list[Event]:
    def event(message: str) -> Event:
        return Event(new_id("ftevent-"), job.id, job.created_at, "info", "message", message)

    what = f"method {recipe.method.name}, stage {recipe.stage.name}, training file {train_name}"
    return [event(f"Recipe validated: {what}"), event("Moving job to queued state")]


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
