"""`/ui/api/recipe`: the recipe's schema for the Train page's form, live validation, and launching it as a job.

Validation is `tunesmith train`'s own (same schema, same messages); a launched recipe is a job of the server's
job runner, so `/v1/fine_tuning/jobs/{id}` (events, cancel, pause, resume, checkpoints) serves it unchanged.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator

from tunesmith.errors import InputError
from tunesmith.jobs.create import JobRequestError
from tunesmith.jobs.spec import SUFFIX
from tunesmith.serve.api import caller
from tunesmith.serve.context import Caller
from tunesmith.serve.errors import ERROR_RESPONSES, APIError, invalid
from tunesmith.serve.files_api import fine_tuning
from tunesmith.serve.ft_schemas import FineTuningJob
from tunesmith.ui.routes.common import PREFIX, ui_state, workspace_path
from tunesmith.ui.train.jobs import launch
from tunesmith.ui.train.schema import recipe_schema
from tunesmith.ui.train.text import as_yaml, check, raw_recipe

router = APIRouter(prefix=PREFIX + "/recipe", tags=["ui"], responses=ERROR_RESPONSES)


class RecipeBody(BaseModel):
    """A recipe as YAML text or as a mapping (exactly one of them)."""

    yaml: str | None = Field(None, description="The recipe as YAML, as a recipe file holds it.")
    recipe: dict[str, Any] | None = Field(None, description="The recipe as a mapping of sections.")

    @model_validator(mode="after")
    def _one(self) -> RecipeBody:
        if (self.yaml is None) == (self.recipe is None):
            raise ValueError("send either yaml (the recipe's text) or recipe (a mapping), not both")
        return self


class JobBody(RecipeBody):
    suffix: str | None = Field(
        None, pattern=SUFFIX.pattern, description="Added to the fine-tuned model's name (1-64 letters, digits, - _)."
    )


class ValidatedRecipe(BaseModel):
    recipe: dict[str, Any] = Field(description="The validated recipe, every key filled in with its default.")
    yaml: str = Field(description="The same recipe as YAML, ready to save and run with `tunesmith train`.")


@router.get("/schema")
def schema() -> dict[str, Any]:
    """The recipe's JSON schema: every section and key with its default and description; methods and stages are a
    `oneOf` told apart by `name`."""
    return recipe_schema()


@router.post("/validate", response_model=ValidatedRecipe)
def validate(body: RecipeBody) -> ValidatedRecipe:
    """Validate a recipe as `tunesmith train` does; a bad one is a 400 with the CLI's message."""
    recipe = check(raw_recipe(body.yaml, body.recipe))
    return ValidatedRecipe(recipe=recipe.model_dump(mode="json"), yaml=as_yaml(recipe))


@router.post("/jobs", response_model=FineTuningJob)
def create_job(body: JobBody, request: Request, who: Caller = Depends(caller)) -> FineTuningJob:
    """Launch a recipe through the job runner; its `data.*` paths are workspace-relative (outside it: 404)."""
    service = fine_tuning(request)
    raw = raw_recipe(body.yaml, body.recipe)
    root = ui_state(request).workspace.root
    try:
        job = launch(
            service.trainer, raw, lambda rel, param: workspace_path(request, rel, param), who.key_id, body.suffix, root
        )
    except JobRequestError as exc:
        raise APIError(exc.status, exc.message, param=exc.param, code=exc.code) from None
    except InputError as exc:
        raise invalid(str(exc)) from None
    service.runner.wake()
    return FineTuningJob.of(job)


@router.post("/jobs/{job_id}/resume", response_model=FineTuningJob)
def resume_job(job_id: str, request: Request, who: Caller = Depends(caller)) -> FineTuningJob:
    """Resume a paused job, or continue a cancelled one from its last checkpoint (OpenAI's own resume route keeps
    a cancelled job over; the UI lets its admin change their mind)."""
    service = fine_tuning(request)
    job = service.store.get_job(job_id, who.key_id)
    if job is None:
        message = f"Could not find fine-tuning job {job_id}."
        raise APIError(404, message, param="fine_tuning_job_id", code="job_not_found")
    if not service.runner.resume(job.id, cancelled=True):
        message = (
            f"Job {job.id} is {job.status}; only a paused job, or a cancelled one that kept a checkpoint, resumes."
        )
        raise invalid(message, "fine_tuning_job_id")
    return FineTuningJob.of(service.store.get_job(job.id, who.key_id))
