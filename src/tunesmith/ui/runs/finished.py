"""The workspace's finished runs (a `final/` model): `runs/<name>` and `jobs/<job id>/run`, for export and eval.

The same runs the Runs page finds (`runs.index.find_runs`), kept to those with a final model."""

from __future__ import annotations

from pydantic import BaseModel

from tunesmith.ui.runs.index import find_runs, read_recipe
from tunesmith.ui.workspace import Workspace


class FinishedRun(BaseModel):
    path: str  # workspace-relative run directory
    name: str
    method: str | None  # the recipe's method (lora, full …), when it says
    modified: float


def finished_runs(space: Workspace) -> list[FinishedRun]:
    """Runs with a final model, newest first."""
    found = [
        FinishedRun(
            path=run.id, name=run.name, method=_method(read_recipe(run.run)[1]), modified=run.run.final.stat().st_mtime
        )
        for run in find_runs(space)
        if run.run.final.is_dir()
    ]
    return sorted(found, key=lambda r: r.modified, reverse=True)


def _method(recipe: dict) -> str | None:
    method = recipe.get("method")
    if isinstance(method, dict):
        method = method.get("name")
    return method if isinstance(method, str) else None
