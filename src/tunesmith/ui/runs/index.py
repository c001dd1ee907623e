"""Every training run in the workspace, found on disk: `runs/<name>/` (the CLI's) and `jobs/<job id>/run`
(the job runner's, whose fine-tuning root is the workspace itself). A run is named by its
workspace-relative path; a path that is not one of these runs is "not found", whatever it points at."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tunesmith.jobs.folder import job_folder
from tunesmith.runs import RunDir, is_run_dir
from tunesmith.ui.tasks.confine import inside, relative_text
from tunesmith.ui.workspace import OutsideWorkspace, Workspace

RECENT_SECONDS = 120  # an unfinished run whose metrics changed this recently (and no job says otherwise) is training

# An absolute path outside the workspace, as a recipe or report names a model folder or data file.
_ABSOLUTE = re.compile(r"(?<![\w.:/~-])/(?:[^\s/'\"`:,;()<>]+/)*(?P<last>[^\s/'\"`:,;()<>]+)")


class RunNotFound(LookupError):
    """An id that names no run in the workspace (missing, outside it, or not a run: one error for all)."""

    def __init__(self, given: str):
        super().__init__(f"No run in the workspace at {given!r}.")
        self.given = given


@dataclass(frozen=True)
class FoundRun:
    """A run found on disk: its id, its folder and, for the job runner's, the job's id."""

    id: str  # workspace-relative path, what the pages and the tasks API name it by
    run: RunDir
    job_id: str | None  # set for the job runner's runs

    @property
    def name(self) -> str:
        return self.job_id or self.run.root.name


def find_runs(space: Workspace) -> list[FoundRun]:
    """The CLI's runs, then the job runner's, each in name order."""
    found = [FoundRun(space.relative(p), RunDir(p), None) for p in _children(space, space.area("runs"))]
    for folder in _children(space, space.area("jobs"), need_recipe=False):
        run = job_folder(space.fine_tuning_root, folder.name).run
        if is_run_dir(run) and inside(space.root, run):
            found.append(FoundRun(space.relative(run), RunDir(run), folder.name))
    return found


def find_run(space: Workspace, given: str) -> FoundRun:
    """The run `given` names (any spelling of its workspace-relative path); RunNotFound otherwise."""
    try:
        wanted = space.relative(space.resolve(given))
    except (OutsideWorkspace, ValueError):
        raise RunNotFound(given) from None
    for found in find_runs(space):
        if found.id == wanted:
            return found
    raise RunNotFound(given)


def _children(space: Workspace, folder: Path, need_recipe: bool = True) -> list[Path]:
    if not folder.is_dir():
        return []
    paths = sorted(p for p in folder.iterdir() if p.is_dir() and inside(space.root, p))
    return [p for p in paths if is_run_dir(p)] if need_recipe else paths


def read_recipe(run: RunDir) -> tuple[str, dict[str, Any]]:
    """The recipe as written (YAML text) and parsed; a recipe that no longer parses is shown as text alone."""
    text = run.recipe.read_text(encoding="utf-8")
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        parsed = None
    return text, parsed if isinstance(parsed, dict) else {}


def status_of(found: FoundRun, active_jobs: set[str]) -> str:
    """`finished` (summary and final model written), `training`, or `incomplete` (stopped, cancelled, failed)."""
    run = found.run
    if run.summary.is_file() and run.final.is_dir():
        return "finished"
    if found.job_id is not None:
        return "training" if found.job_id in active_jobs else "incomplete"
    newest = max((p.stat().st_mtime for p in (run.metrics, run.recipe) if p.is_file()), default=0.0)
    return "training" if time.time() - newest < RECENT_SECONDS else "incomplete"


def times_of(run: RunDir) -> tuple[float, float]:
    """(created, modified): when the recipe was written, and the newest of the run's record files."""
    files = (run.recipe, run.metrics, run.summary, run.eval_dir / "report.json")
    stamps = [p.stat().st_mtime for p in files if p.is_file()]
    return run.recipe.stat().st_mtime, max(stamps)


def scrub(value: Any, space: Workspace) -> Any:
    """`value` (text, or a parsed recipe/summary) with no absolute server path: paths in the workspace become
    workspace-relative, others keep only their last part (`…/tiny-llama`)."""
    if isinstance(value, dict):
        return {scrub(k, space): scrub(v, space) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, space) for v in value]
    if not isinstance(value, str):
        return value
    return _ABSOLUTE.sub(lambda m: "…/" + m.group("last"), relative_text(space.root, value))
